"""Run the test suite as if today were another day, to find tests that depend on the real date.

    .venv/bin/python tools/tests_at_time.py 2101-06-01 -m "not browser"

The clock starts at the given moment (UTC unless an offset is given) and keeps ticking; tests
that freeze time still freeze it. A test that passes today but fails here builds its data
outside frozen time (see the README's test section). Arguments after the date go to pytest.
"""

import datetime
import sys

import pytest
import time_machine


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    when = datetime.datetime.fromisoformat(sys.argv[1])
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.UTC)
    with time_machine.travel(when, tick=True):
        return pytest.main(["-p", "no:cacheprovider", *sys.argv[2:]])


if __name__ == "__main__":
    sys.exit(main())

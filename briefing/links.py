"""Site URLs reversed once per process.

A URL depends only on the URLconf, the active language (the /ja/ or /en/ prefix) and the
address the site is served under (the script prefix), all part of the key here, and pages ask
for the same ones again and again: the header's links on every page, a keyword on every issue
that has it, an issue as the next one of the day before. Reversing costs more than building
the rest of such a link.
"""

import functools

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language


@functools.lru_cache(maxsize=16384)
def _reversed(name: str, kwargs: tuple, language: str, prefix: str, urlconf) -> str:
    return reverse(name, kwargs=dict(kwargs))


def cached_reverse(name: str, **kwargs) -> str:
    """`reverse(name, kwargs=kwargs)`, reversed once per language and process."""
    return _reversed(
        name, tuple(sorted(kwargs.items())), get_language(), get_script_prefix(), get_urlconf()
    )

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language, as a fresh request would."""
    with translation.override("ja"):
        yield

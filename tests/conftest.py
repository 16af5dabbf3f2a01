import pytest
from django.core.cache import cache
from django.utils import translation


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language, as a fresh request would."""
    with translation.override("ja"):
        yield


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rendered pages must not leak from one test to the next (the database is rolled back,
    which sends no signal to invalidate them)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The real hasher is slow on purpose; tests log users in hundreds of times."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

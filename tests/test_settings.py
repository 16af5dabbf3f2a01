"""The settings helpers, and production mode as a fresh process sees it."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.settings import env, envbool, envchoice, envint, envlist

BASE_DIR = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("value", ["1", "true", "True", "yes", "on", " ON "])
def test_envbool_reads_true(monkeypatch, value):
    monkeypatch.setenv("SOME_FLAG", value)

    assert envbool("SOME_FLAG", False) is True


@pytest.mark.parametrize("value", ["0", "false", "FALSE", "no", "off"])
def test_envbool_reads_false(monkeypatch, value):
    monkeypatch.setenv("SOME_FLAG", value)

    assert envbool("SOME_FLAG", True) is False


@pytest.mark.parametrize("value", [None, "", "  "])
def test_envbool_unset_or_empty_gives_the_default(monkeypatch, value):
    if value is None:
        monkeypatch.delenv("SOME_FLAG", raising=False)
    else:
        monkeypatch.setenv("SOME_FLAG", value)

    assert envbool("SOME_FLAG", True) is True
    assert envbool("SOME_FLAG", False) is False


def test_envbool_refuses_anything_else(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "maybe")

    with pytest.raises(ImproperlyConfigured) as error:
        envbool("SOME_FLAG", False)

    assert str(error.value) == (
        "SOME_FLAG must be a boolean (1/0, true/false, yes/no, on/off), not 'maybe'"
    )


def test_envint_reads_an_integer_or_gives_the_default(monkeypatch):
    monkeypatch.setenv("SOME_NUMBER", " 42 ")
    assert envint("SOME_NUMBER", 7) == 42
    monkeypatch.setenv("SOME_NUMBER", "")
    assert envint("SOME_NUMBER", 7) == 7


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("ten", "SOME_NUMBER must be an integer, not 'ten'"),
        ("1.5", "SOME_NUMBER must be an integer, not '1.5'"),
        ("-1", "SOME_NUMBER must be at least 0, not -1"),
    ],
)
def test_envint_refuses_a_bad_value(monkeypatch, value, message):
    monkeypatch.setenv("SOME_NUMBER", value)

    with pytest.raises(ImproperlyConfigured) as error:
        envint("SOME_NUMBER", 7, minimum=0)

    assert str(error.value) == message


def test_envlist_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("SOME_HOSTS", " a.example, b.example,,c.example ")
    assert envlist("SOME_HOSTS", ["x"]) == ["a.example", "b.example", "c.example"]
    monkeypatch.setenv("SOME_HOSTS", " ")
    assert envlist("SOME_HOSTS", ["x"]) == ["x"]


def test_envchoice_accepts_only_its_choices(monkeypatch):
    monkeypatch.setenv("SOME_LEVEL", "WARNING")
    assert envchoice("SOME_LEVEL", "INFO", ("INFO", "WARNING")) == "WARNING"
    monkeypatch.setenv("SOME_LEVEL", "LOUD")

    with pytest.raises(ImproperlyConfigured) as error:
        envchoice("SOME_LEVEL", "INFO", ("INFO", "WARNING"))

    assert str(error.value) == "SOME_LEVEL must be one of INFO, WARNING, not 'LOUD'"


def test_a_secret_can_come_from_a_file_which_wins_over_the_variable(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-the-file\n", encoding="utf-8")
    monkeypatch.setenv("SOME_SECRET", "from-the-variable")
    monkeypatch.setenv("SOME_SECRET_FILE", str(secret))

    assert env("SOME_SECRET") == "from-the-file"


def test_typed_helpers_read_files_too(monkeypatch, tmp_path):
    number = tmp_path / "number"
    number.write_text("12\n", encoding="utf-8")
    monkeypatch.setenv("SOME_NUMBER_FILE", str(number))

    assert envint("SOME_NUMBER", 7) == 12


def test_an_unreadable_secret_file_is_a_clear_error(monkeypatch, tmp_path):
    missing = tmp_path / "missing"
    monkeypatch.setenv("SOME_SECRET_FILE", str(missing))

    with pytest.raises(ImproperlyConfigured) as error:
        env("SOME_SECRET")

    assert str(error.value).startswith(f"SOME_SECRET_FILE: cannot read {missing}: ")


# --- Production mode, in a fresh process ---------------------------------------------------

SECRET_KEY = secrets.token_urlsafe(50)
PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": SECRET_KEY,
    "DJANGO_ALLOWED_HOSTS": "briefing.example.com",
    "SITE_URL": "https://briefing.example.com",
    # One process: the in-process cache is safe (several need REDIS_URL, see below).
    "WEB_CONCURRENCY": "1",
}


def run_django(*args: str, **variables: str) -> subprocess.CompletedProcess:
    """Run manage.py with only these configuration variables (nothing inherited)."""
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "SITE_URL", "WEB_CONC"))
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=inherited | variables,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        (
            {"DJANGO_DEBUG": "0", "DJANGO_ALLOWED_HOSTS": "briefing.example.com"},
            "DJANGO_SECRET_KEY must be set to a long random value when DJANGO_DEBUG is off.",
        ),
        (
            PRODUCTION | {"DJANGO_SECRET_KEY": "short"},
            "DJANGO_SECRET_KEY must be set to a long random value when DJANGO_DEBUG is off.",
        ),
        (
            PRODUCTION | {"DJANGO_SECRET_KEY": "django-insecure-" + SECRET_KEY},
            "DJANGO_SECRET_KEY must be set to a long random value when DJANGO_DEBUG is off.",
        ),
        (
            PRODUCTION | {"DJANGO_ALLOWED_HOSTS": ""},
            "DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG is off.",
        ),
        (
            {"DJANGO_DEBUG": "nope"},
            "DJANGO_DEBUG must be a boolean (1/0, true/false, yes/no, on/off), not 'nope'",
        ),
        (
            PRODUCTION | {"DJANGO_HSTS_SECONDS": "a year"},
            "DJANGO_HSTS_SECONDS must be an integer, not 'a year'",
        ),
    ],
    ids=["no-secret", "short-secret", "insecure-secret", "no-hosts", "bad-bool", "bad-int"],
)
def test_it_refuses_to_start_insecurely_or_misconfigured(variables, message):
    result = run_django("check", **variables)

    assert result.returncode == 1
    assert result.stderr.strip().endswith(f"django.core.exceptions.ImproperlyConfigured: {message}")


def test_production_passes_the_deployment_checks_without_a_warning():
    result = run_django("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)

    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "System check identified no issues (0 silenced).\n"


@pytest.mark.parametrize(
    ("variables", "error"),
    [
        (
            {"SITE_URL": None},  # unset
            "(briefing.E001) SITE_URL must be the site's public https:// address, not "
            "'http://127.0.0.1:8000'.",
        ),
        (
            {"SITE_URL": "http://briefing.example.com"},
            "(briefing.E001) SITE_URL must be the site's public https:// address, not "
            "'http://briefing.example.com'.",
        ),
        (
            {"WEB_CONCURRENCY": "3"},
            "(briefing.E002) 3 worker processes with an in-process cache: each would keep serving "
            "pages the others have invalidated.",
        ),
    ],
)
def test_the_deployment_checks_refuse_an_unsafe_site_url_or_cache(variables, error):
    variables = {name: value for name, value in (PRODUCTION | variables).items() if value}
    result = run_django("check", "--deploy", **variables)

    assert result.returncode == 1
    assert error in result.stderr


def test_several_workers_pass_with_a_shared_cache():
    variables = PRODUCTION | {"WEB_CONCURRENCY": "3", "REDIS_URL": "redis://redis:6379/0"}

    result = run_django("check", "--deploy", "--fail-level", "WARNING", **variables)

    assert (result.returncode, result.stderr) == (0, "")


def test_the_secret_key_can_come_from_a_docker_secret_file(tmp_path):
    secret = tmp_path / "django_secret_key"
    secret.write_text(SECRET_KEY + "\n", encoding="utf-8")
    variables = PRODUCTION.copy()
    del variables["DJANGO_SECRET_KEY"]

    result = run_django("check", "--deploy", **variables, DJANGO_SECRET_KEY_FILE=str(secret))

    assert result.returncode == 0, result.stderr


PRINT_SETTINGS = """
import json
from django.conf import settings
db = settings.DATABASES["default"]
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "SECURE_SSL_REDIRECT": settings.SECURE_SSL_REDIRECT,
    "SECURE_HSTS_SECONDS": settings.SECURE_HSTS_SECONDS,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": settings.SECURE_HSTS_INCLUDE_SUBDOMAINS,
    "SECURE_HSTS_PRELOAD": settings.SECURE_HSTS_PRELOAD,
    "SECURE_PROXY_SSL_HEADER": settings.SECURE_PROXY_SSL_HEADER,
    "cookies": [
        [getattr(settings, f"{name}_COOKIE_{flag}") for flag in ("SECURE", "HTTPONLY", "SAMESITE")]
        for name in ("SESSION", "CSRF", "LANGUAGE")
    ],
    "upgrade-insecure-requests": settings.CONTENT_SECURITY_POLICY["DIRECTIVES"][
        "upgrade-insecure-requests"
    ],
    "staticfiles": settings.STORAGES["staticfiles"]["BACKEND"],
    "database": [db["ENGINE"], db["CONN_MAX_AGE"], db["CONN_HEALTH_CHECKS"],
                 db.get("OPTIONS", {}).get("connect_timeout")],
    "cache": [settings.CACHES["default"]["BACKEND"], settings.CACHES["default"].get("LOCATION")],
}))
"""


def production_settings(**variables) -> dict:
    result = run_django(
        "shell", "--verbosity", "0", "-c", PRINT_SETTINGS, **PRODUCTION, **variables
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_is_secure_by_default_with_shared_cache_and_pooled_connections():
    values = production_settings(
        DATABASE_URL="postgres://briefing:secret@db:5432/briefing",
        REDIS_URL="redis://redis:6379/0",
    )

    assert values == {
        "DEBUG": False,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SECURE_PROXY_SSL_HEADER": None,
        "cookies": [[True, True, "Lax"], [True, True, "Lax"], [True, True, "Lax"]],
        "upgrade-insecure-requests": True,
        "staticfiles": "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "database": ["config.postgresql", 60, True, 2],
        "cache": ["django_redis.cache.RedisCache", "redis://redis:6379/0"],
    }


def test_hsts_and_the_proxy_header_are_configurable():
    values = production_settings(
        DJANGO_HSTS_SECONDS="3600",
        DJANGO_HSTS_INCLUDE_SUBDOMAINS="0",
        DJANGO_HSTS_PRELOAD="0",
        DJANGO_SECURE_PROXY_SSL_HEADER="1",
    )

    assert values["SECURE_HSTS_SECONDS"] == 3600
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False
    assert values["SECURE_HSTS_PRELOAD"] is False
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_plain_http_trial_turns_off_https_only_features_together():
    values = production_settings(DJANGO_HTTPS="0")

    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_SECONDS"] == 0
    assert values["cookies"] == [[False, True, "Lax"], [False, True, "Lax"], [False, True, "Lax"]]


def test_production_has_no_benchmark_tools():
    result = run_django("help", "generate_archive", **PRODUCTION)

    assert result.returncode == 1
    assert "Unknown command: 'generate_archive'" in result.stderr


def test_the_benchmark_tools_are_installed_on_request():
    result = run_django("help", "generate_archive", **PRODUCTION, DJANGO_BENCH_TOOLS="1")

    assert result.returncode == 0, result.stderr
    assert "--clear" in result.stdout

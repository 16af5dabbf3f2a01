"""What can be checked of the deployment files without Docker: their content and wiring."""

import datetime
import fnmatch
import os
import re
import runpy
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from briefing.models import Briefing
from tests.factories import make_briefing

BASE_DIR = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text(encoding="utf-8"))


def read(name: str) -> str:
    return (BASE_DIR / name).read_text(encoding="utf-8")


def test_compose_starts_the_database_redis_and_the_site(compose):
    assert set(compose["services"]) == {"db", "redis", "rabbitmq", "web", "worker", "beat"}
    assert compose["services"]["db"]["image"] == "postgres:16"
    assert compose["services"]["redis"]["image"] == "redis:7"
    assert compose["services"]["web"]["build"] == "."


def test_the_database_keeps_its_data_in_a_named_volume_and_reports_health(compose):
    db = compose["services"]["db"]

    assert db["volumes"] == ["db-data:/var/lib/postgresql/data"]
    assert "db-data" in compose["volumes"]
    assert db["healthcheck"]["test"] == ["CMD-SHELL", "pg_isready -U briefing -d briefing"]


def test_redis_is_a_cache_without_persistence_and_reports_health(compose):
    redis = compose["services"]["redis"]

    assert redis["command"][:5] == ["redis-server", "--save", "", "--appendonly", "no"]
    assert redis["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]


def test_redis_memory_is_capped_and_evicts_the_least_recently_used_pages(compose):
    command = compose["services"]["redis"]["command"]

    assert command[5:] == ["--maxmemory", "256mb", "--maxmemory-policy", "allkeys-lru"]


def test_the_site_waits_for_a_healthy_database_and_redis(compose):
    assert compose["services"]["web"]["depends_on"] == {
        "db": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
        "rabbitmq": {"condition": "service_healthy"},
    }


def test_the_email_edition_has_a_worker_and_a_beat_on_rabbitmq(compose):
    services = compose["services"]
    web = services["web"]["environment"]

    assert services["rabbitmq"]["image"] == "rabbitmq:3"
    assert web["CELERY_BROKER_URL"] == (
        "amqp://briefing:${RABBITMQ_PASSWORD:-briefing}@rabbitmq:5672//"
    )
    assert services["worker"]["command"][:4] == ["celery", "-A", "config", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "config", "beat"]
    # The same image and settings as the site.
    for name in ("worker", "beat"):
        assert services[name]["build"] == "."
        assert services[name]["environment"] == web


def test_the_site_reports_health_on_healthz(compose):
    test = compose["services"]["web"]["healthcheck"]["test"]

    assert test[:3] == ["CMD", "python", "-c"]
    assert "http://127.0.0.1:8000/healthz" in test[3]


def test_the_site_runs_in_production_mode_against_db_and_redis(compose):
    environment = compose["services"]["web"]["environment"]

    assert environment["DJANGO_DEBUG"] == "0"
    assert environment["DJANGO_SECRET_KEY"].startswith("${DJANGO_SECRET_KEY:?")
    assert environment["DATABASE_URL"] == (
        "postgres://briefing:${POSTGRES_PASSWORD:-briefing}@db:5432/briefing"
    )
    assert environment["REDIS_URL"] == "redis://redis:6379/0"
    assert environment["LOAD_DEMO_ISSUE"] == "${LOAD_DEMO_ISSUE:-1}"


def test_every_variable_given_to_the_site_is_one_it_reads(compose):
    read_somewhere = read("config/settings.py") + read("gunicorn.conf.py") + read("Dockerfile")
    for name in compose["services"]["web"]["environment"]:
        assert f'"{name}"' in read_somewhere or f"${name}" in read_somewhere, name


def test_every_setting_read_from_the_environment_is_documented():
    names = set(
        re.findall(
            r'\benv\w*\(\s*"([A-Z_]+)"', read("config/settings.py") + read("gunicorn.conf.py")
        )
    )
    deploy = read("docs/deploy.md")

    assert len(names) > 20
    assert sorted(name for name in names if f"`{name}`" not in deploy) == []


def test_the_image_is_slim_runs_as_a_user_and_collects_static_files_at_build():
    dockerfile = read("Dockerfile").replace("\\\n", " ")  # one line per instruction

    assert re.search(r"^FROM python:3\.\d+-slim$", dockerfile, re.MULTILINE)
    assert re.search(r"^RUN .*manage\.py collectstatic --noinput$", dockerfile, re.MULTILINE)
    [user] = re.findall(r"^USER (\S+)$", dockerfile, re.MULTILINE)
    assert user not in ("root", "0")
    assert re.search(r"^HEALTHCHECK .* CMD .*/healthz", dockerfile, re.MULTILINE)


def test_the_image_checks_migrates_loads_the_demo_on_request_and_execs_gunicorn():
    [command] = re.findall(r"^CMD (.*)$", read("Dockerfile"), re.MULTILINE)

    assert command == (
        '["sh", "-c", "python manage.py check --deploy --fail-level ERROR && '
        "python manage.py migrate --noinput && "
        'if [ \\"$LOAD_DEMO_ISSUE\\" = 1 ]; then python manage.py load_demo_issue; fi && '
        'exec gunicorn config.wsgi"]'
    )


def test_the_docker_build_leaves_out_local_state():
    ignored = read(".dockerignore").split()

    for name in (".git", ".venv", "db.sqlite3", ".admin-password", "staticfiles"):
        assert name in ignored


def test_the_image_holds_no_benchmark_tools_tests_or_ci_scripts():
    ignored = read(".dockerignore").split()
    in_image = sorted(
        path.relative_to(BASE_DIR).parts[0]
        for path in BASE_DIR.iterdir()
        if not any(fnmatch.fnmatch(path.name, pattern) for pattern in ignored)
    )

    for left_out in ("bench", "tests", "tools", ".ci"):
        assert left_out not in in_image
    assert {"briefing", "config", "editorial", "newsletter", "manage.py"} <= set(in_image)


def test_the_image_copies_every_installed_package_before_installing_them():
    dockerfile = read("Dockerfile")
    before_install = dockerfile[: dockerfile.index("RUN pip install .")]
    [packages] = re.findall(r"^include = \[(.*)\]$", read("pyproject.toml"), re.MULTILINE)

    for package in re.findall(r'"(\w+)\*"', packages):
        assert f"COPY {package} {package}" in before_install, package


def gunicorn_config(monkeypatch, **variables) -> dict:
    for name in ("WEB_CONCURRENCY", "PORT", "GUNICORN_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(BASE_DIR / "gunicorn.conf.py"))


def test_gunicorn_sizes_workers_from_the_cpus_and_logs_each_request(monkeypatch):
    config = gunicorn_config(monkeypatch)

    assert config["workers"] == 2 * len(os.sched_getaffinity(0)) + 1
    assert config["wsgi_app"] == "config.wsgi:application"
    assert config["bind"] == ["0.0.0.0:8000"]
    assert (config["timeout"], config["graceful_timeout"]) == (30, 30)
    assert (config["accesslog"], config["errorlog"]) == ("-", "-")


def test_gunicorn_settings_come_from_the_environment(monkeypatch):
    config = gunicorn_config(monkeypatch, WEB_CONCURRENCY="3", PORT="9000", GUNICORN_TIMEOUT="60")

    assert (config["workers"], config["bind"], config["timeout"]) == (3, ["0.0.0.0:9000"], 60)


def test_gunicorn_refuses_a_bad_worker_count(monkeypatch):
    with pytest.raises(ImproperlyConfigured) as error:
        gunicorn_config(monkeypatch, WEB_CONCURRENCY="0")

    assert str(error.value) == "WEB_CONCURRENCY must be at least 1, not 0"


@pytest.mark.django_db
def test_the_demo_issue_is_published_into_an_empty_database_without_any_user(settings):
    settings.DEBUG = False
    out = StringIO()

    call_command("load_demo_issue", stdout=out)
    call_command("load_demo_issue", stdout=out)

    assert [b.date.isoformat() for b in Briefing.objects.published()] == ["2026-05-19"]
    assert get_user_model().objects.count() == 0
    assert out.getvalue() == (
        "Loaded and published the demo issue of 2026-05-19.\n"
        "The database already has briefings; the demo issue is not loaded.\n"
    )


@pytest.mark.django_db
def test_the_demo_issue_never_touches_an_existing_site():
    make_briefing(datetime.date(2026, 6, 1), status=Briefing.Status.DRAFT)

    call_command("load_demo_issue", stdout=StringIO())

    assert [b.date.isoformat() for b in Briefing.objects.all()] == ["2026-06-01"]

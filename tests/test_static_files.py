"""Static files as production serves them: hashed names, compressed, cached for years."""

import json

import pytest
from django.core.management import call_command
from django.test import Client


@pytest.fixture
def production_static_files(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    # The admin's files take most of the time and add nothing to what is tested here.
    call_command(
        "collectstatic",
        interactive=False,
        verbosity=0,
        ignore_patterns=["admin", "modeltranslation"],
    )
    return settings.STATIC_ROOT


def hashed_url(static_root, name: str) -> str:
    manifest = json.loads((static_root / "staticfiles.json").read_text(encoding="utf-8"))
    return "/static/" + manifest["paths"][name]


def test_pages_link_hashed_file_names(production_static_files):
    body = Client().get("/en/no/such/page/").content.decode()

    url = hashed_url(production_static_files, "errors.css")
    assert url.startswith("/static/errors.") and url != "/static/errors.css"
    assert f'<link rel="stylesheet" href="{url}">' in body


def test_hashed_files_are_cached_for_years_and_compressed(production_static_files):
    url = hashed_url(production_static_files, "errors.css")

    plain = Client().get(url)
    compressed = Client().get(url, HTTP_ACCEPT_ENCODING="gzip")

    assert plain.status_code == 200
    assert plain["Cache-Control"] == "max-age=315360000, public, immutable"
    assert plain["Content-Type"] == 'text/css; charset="utf-8"'
    assert compressed["Content-Encoding"] == "gzip"
    assert compressed["Vary"] == "Accept-Encoding"

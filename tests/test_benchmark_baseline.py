import importlib

import pytest
from django.urls import NoReverseMatch, Resolver404, clear_url_caches, resolve, reverse

import config.urls


@pytest.fixture
def baseline_enabled(settings):
    settings.BENCHMARK_BASELINE = True
    importlib.reload(config.urls)
    clear_url_caches()
    yield
    settings.BENCHMARK_BASELINE = False
    importlib.reload(config.urls)
    clear_url_caches()


def test_it_is_off_unless_the_benchmark_enables_it(settings):
    assert settings.BENCHMARK_BASELINE is False


def test_it_routes_no_baseline_page_by_default(client):
    with pytest.raises(Resolver404):
        resolve("/bench/baseline/1000/")
    with pytest.raises(NoReverseMatch):
        reverse("bench-baseline", kwargs={"size": 1000})
    assert client.get("/bench/baseline/1000/").status_code == 404


def test_it_serves_a_constant_page_of_the_asked_size_when_enabled(baseline_enabled, client):
    first = client.get("/bench/baseline/1000/")
    second = client.get("/bench/baseline/1000/")

    assert first.status_code == 200
    assert first["Content-Type"] == "text/html; charset=utf-8"
    assert len(first.content) == 1000
    assert first.content == second.content
    assert first.content.startswith(b"<!doctype html>")

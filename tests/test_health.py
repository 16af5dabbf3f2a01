"""The probes: /healthz (the process) and /readyz (the database). Down cases: test_outage.py."""

import pytest


def test_it_says_the_process_is_alive_without_touching_the_database(client):
    # No django_db mark: any database access would fail this test.
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_it_says_ready_when_the_database_answers(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/readyz")

    assert response.status_code == 200
    assert response.content == b"ready\n"
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_answer_by_ip_address_over_plain_http_in_production(client, settings, path):
    """A load balancer or Docker probes by address over HTTP: no Host check, no redirect."""
    settings.ALLOWED_HOSTS = ["briefing.example.com"]
    settings.SECURE_SSL_REDIRECT = True

    response = client.get(path, HTTP_HOST="10.0.0.7:8000")

    assert response.status_code == 200


def test_other_pages_still_check_the_host_and_redirect_to_https(client, settings):
    settings.ALLOWED_HOSTS = ["briefing.example.com"]
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/ja/", HTTP_HOST="10.0.0.7:8000").status_code == 400
    redirect = client.get("/ja/", HTTP_HOST="briefing.example.com")
    assert (redirect.status_code, redirect["Location"]) == (301, "https://briefing.example.com/ja/")


@pytest.mark.parametrize("path", ["/healthz/", "/ja/healthz", "/readyz/x"])
def test_only_the_exact_probe_paths_are_probes(client, path):
    assert client.get(path).status_code == 404


def test_a_probe_refuses_post(client):
    assert client.post("/healthz").status_code == 404

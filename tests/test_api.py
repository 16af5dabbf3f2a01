import datetime

import pytest
from django.utils.timezone import localtime

from briefing.api import PAGE_SIZE
from briefing.cache import current_generation
from briefing.models import Briefing
from briefing.serialization import briefing_to_dict
from tests.factories import make_briefing

pytestmark = pytest.mark.django_db


def test_the_list_gives_published_issues_newest_first_with_links(client):
    make_briefing(datetime.date(2026, 5, 18))
    make_briefing(
        datetime.date(2026, 5, 19),
        publish_at=datetime.datetime(2026, 5, 18, 22, 0, tzinfo=datetime.UTC),
    )
    make_briefing(datetime.date(2026, 5, 20), status=Briefing.Status.REVIEW)

    response = client.get("/api/v1/briefings/")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    data = response.json()
    assert data["count"] == 2
    assert data["next"] is None
    assert data["previous"] is None
    assert data["results"][0] == {
        "date": "2026-05-19",
        "published_at": "2026-05-19T07:00:00+09:00",
        "theme": {"ja": "テーマ 05/19", "en": "Theme 05/19"},
        "tldr": {"ja": "要約です。", "en": "The summary."},
        "completeness": {"ja": 100, "en": 100},
        "links": {
            "api": "http://127.0.0.1:8000/api/v1/briefings/2026-05-19/",
            "html": {
                "ja": "http://127.0.0.1:8000/ja/2026/05/19/",
                "en": "http://127.0.0.1:8000/en/2026/05/19/",
            },
        },
    }
    assert [item["date"] for item in data["results"]] == ["2026-05-19", "2026-05-18"]


def test_the_list_is_paginated(client):
    start = datetime.date(2026, 1, 1)
    for offset in range(PAGE_SIZE + 1):
        make_briefing(start + datetime.timedelta(days=offset), deep_dives=0, read_more=0)

    first = client.get("/api/v1/briefings/").json()
    second = client.get("/api/v1/briefings/", {"page": 2}).json()

    assert len(first["results"]) == PAGE_SIZE
    assert first["next"] == "http://127.0.0.1:8000/api/v1/briefings/?page=2"
    assert second["previous"] == "http://127.0.0.1:8000/api/v1/briefings/?page=1"
    assert [item["date"] for item in second["results"]] == ["2026-01-01"]
    missing = client.get("/api/v1/briefings/", {"page": 3})
    assert missing.status_code == 404
    assert missing.json() == {"error": "No such page."}


def test_the_detail_is_the_shared_json_shape(client):
    briefing = make_briefing(deep_dives=2, keywords=["Safety"])

    response = client.get("/api/v1/briefings/2026-05-19/")

    assert response.status_code == 200
    data = response.json()
    expected = briefing_to_dict(Briefing.objects.with_contents().get(pk=briefing.pk))
    assert data.pop("links")["api"] == "http://127.0.0.1:8000/api/v1/briefings/2026-05-19/"
    assert data.pop("published_at") == localtime(briefing.publish_at).isoformat()
    assert data.pop("completeness") == {"ja": 100, "en": 100}
    assert data == expected


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/briefings/2026-05-20/",  # unknown
        "/api/v1/briefings/2026-02-30/",  # impossible
    ],
)
def test_unknown_and_impossible_dates_are_404(client, path):
    make_briefing()

    response = client.get(path)

    assert response.status_code == 404
    assert "error" in response.json()


@pytest.mark.parametrize("deep_dives", [1, 5])
def test_the_api_runs_a_fixed_number_of_queries(client, django_assert_num_queries, deep_dives):
    for day in range(1, 4):
        make_briefing(datetime.date(2026, 5, day), deep_dives=deep_dives, keywords=["A", "B"])
    current_generation()

    # The content generation's number (the page cache); count, page and completeness.
    with django_assert_num_queries(4):
        assert len(client.get("/api/v1/briefings/").json()["results"]) == 3
    # The generation's number; the issue, keywords, deep dives, takeaways, read-more items,
    # completeness.
    with django_assert_num_queries(7):
        assert len(client.get("/api/v1/briefings/2026-05-01/").json()["deep_dives"]) == deep_dives

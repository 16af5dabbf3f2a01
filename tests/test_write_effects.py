"""The effects of a write (briefing/receivers.py, editorial/receivers.py) run once per write,
not once per row, in a fixed number of queries, through Django's and django-reversion's public
signals only."""

from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType

from briefing.models import (
    Briefing,
    Completeness,
    ContentGeneration,
    DeepDive,
    Keyword,
    ReadMore,
    SearchDocument,
    Takeaway,
)
from editorial.interchange.importing import save_briefing_data
from editorial.interchange.textformat import parse_briefing_text
from editorial.models import TranslationState
from tests.factories import SEED

pytestmark = pytest.mark.django_db

REPOSITORY = Path(__file__).resolve().parent.parent


def generation() -> int:
    row = ContentGeneration.objects.filter(pk=1).first()
    return row.number if row else 0


def test_importing_the_demo_issue_takes_40_queries(
    django_assert_num_queries, django_capture_on_commit_callbacks
):
    data = parse_briefing_text(SEED.read_bytes())
    # Content types are cached for the life of the process; a running site has them.
    ContentType.objects.get_for_models(Briefing, DeepDive, Takeaway, ReadMore, Keyword)
    before = generation()

    # The issue: locked lookup, insert; its parts: one insert per kind; keywords: lookup and
    # links (4); history: the issue with its parts (5), their existence (5), revision and
    # versions (2); effects, once: content generation (1), translation state (2), completeness
    # (issue and parts, state, upsert: 7); after the commit, the search document (6) and the
    # new generation for the page cache's copy (1); and the transaction's savepoint (2,
    # BEGIN/COMMIT on a real connection).
    with django_assert_num_queries(40):
        with django_capture_on_commit_callbacks(execute=True):
            save_briefing_data(data)

    briefing = Briefing.objects.get()
    assert generation() == before + 1  # once for the whole write
    assert Completeness.objects.filter(briefing=briefing).count() == 2
    assert SearchDocument.objects.filter(briefing=briefing).count() == 1
    written = sum(1 for part in data["deep_dives"] for _t in part["takeaways"]) + 1
    assert TranslationState.objects.count() > written


def test_every_row_of_an_imported_issue_gets_its_translation_state():
    data = parse_briefing_text(SEED.read_bytes())
    briefing = save_briefing_data(data)

    from editorial.translation.status import briefing_status

    recorded = {
        (state.content_type.model, state.object_id, state.field, state.language)
        for state in TranslationState.objects.select_related("content_type")
    }
    expected = {
        (type(item.obj)._meta.model_name, item.obj.pk, item.field, code)
        for item in briefing_status(briefing)
        for code, text in item.texts.items()
        if text
    }
    assert recorded == expected


def test_no_code_reads_djangos_private_on_commit_queue():
    sources = [
        path
        for app in ("briefing", "editorial", "newsletter", "config", "bench")
        for path in (REPOSITORY / app).rglob("*.py")
    ]
    assert sources
    assert [str(p) for p in sources if "run_on_commit" in p.read_text(encoding="utf-8")] == []

"""One completeness figure ("written and up to date", per language), stored per issue and kept
in the transaction of every write path; every page that shows it shows the same number.

The tests run inside a transaction whose on-commit callbacks never run, so a figure seen here
was written in the same transaction as the change."""

import datetime
import json

import polib
import pytest
from django.urls import reverse
from django.utils import timezone

from briefing.models import Briefing, Completeness
from briefing.serialization import briefing_to_dict
from editorial import workflow
from editorial.interchange.importing import save_briefing_data
from editorial.interchange.textformat import parse_briefing_text
from editorial.roles import EDITORS, TRANSLATORS
from editorial.translation.completeness import update_completeness
from editorial.translation.po import export_po, import_po
from editorial.translation.status import briefing_status, summarize
from tests.factories import SEED, make_user, run_command

pytestmark = pytest.mark.django_db


def stored(briefing) -> dict[str, tuple[int, int, int]]:
    return {
        row.language: (row.missing, row.outdated, row.percent)
        for row in Completeness.objects.filter(briefing=briefing)
    }


def live(briefing) -> dict[str, tuple[int, int, int]]:
    summary = summarize(briefing_status(briefing))
    return {code: (s["missing"], s["outdated"], s["completeness"]) for code, s in summary.items()}


@pytest.fixture
def seed_issue():
    """The demo issue (12 Japanese and 16 English fields missing), imported; its theme then
    translated into English and rewritten in Japanese: 15 English fields missing, 1 outdated."""
    save_briefing_data(parse_briefing_text(SEED.read_bytes()))
    data = briefing_to_dict(Briefing.objects.with_contents().get())
    assert data["theme"]["ja"] and not data["theme"]["en"]
    data["theme"]["en"] = "Safety and access collide"
    save_briefing_data(data, replace=True)
    data["theme"]["ja"] = "書き換えたテーマ"
    save_briefing_data(data, replace=True)
    return Briefing.objects.get()


def test_an_import_stores_the_figure_of_written_and_up_to_date_fields(seed_issue):
    written = sum(1 for f in briefing_status(seed_issue) if any(f.texts.values()))
    assert stored(seed_issue) == {
        "ja": (12, 0, round(100 * (written - 12) / written)),
        "en": (15, 1, round(100 * (written - 15 - 1) / written)),
    }
    assert stored(seed_issue) == live(seed_issue)


def test_every_page_shows_the_same_figure(client, seed_issue):
    ja, en = stored(seed_issue)["ja"][2], stored(seed_issue)["en"][2]
    client.force_login(make_user("erika", role=EDITORS))

    admin_list = client.get(reverse("admin:briefing_briefing_changelist")).content.decode()
    assert f"ja {ja}% · en {en}%" in admin_list
    queue = client.get(reverse("translation:queue")).context["page"].object_list
    assert [b.translation_summary["en"]["completeness"] for b in queue] == [en]
    editor = client.get(reverse("translation:editor", args=["2026-05-19", "en"]))
    assert editor.context["summary"]["completeness"] == en
    status = json.loads(run_command("translation_status", "2026-05-19", "--json"))
    assert status[0]["languages"]["en"]["completeness"] == en

    publish_url = reverse("admin:briefing_briefing_workflow", args=[seed_issue.pk, "publish"])
    confirmation = client.get(publish_url).content.decode()
    assert f"ja {ja}% · en {en}%" in confirmation
    seed_issue.refresh_from_db()
    workflow.publish(seed_issue, at=timezone.now())
    api = client.get(reverse("api_briefing", kwargs={"date": "2026-05-19"})).json()
    assert api["completeness"] == {"ja": ja, "en": en}


def test_the_translator_editor_updates_the_figure(client, seed_issue):
    client.force_login(make_user("tomo", role=TRANSLATORS))
    url = reverse("translation:editor", args=["2026-05-19", "en"])
    form = client.get(url).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data["lead"] = "The lead in English."

    assert client.post(url, data).status_code == 302

    assert stored(seed_issue)["en"][0] == 14
    assert stored(seed_issue) == live(seed_issue)


def test_a_po_import_updates_the_figure(seed_issue):
    po = export_po(seed_issue, "en")
    for entry in po.untranslated_entries():
        entry.msgstr = f"EN {entry.msgctxt}"

    import_po(polib.pofile(str(po)))

    assert stored(seed_issue)["en"] == (0, 1, stored(seed_issue)["en"][2])
    assert stored(seed_issue) == live(seed_issue)


def test_a_restored_archive_keeps_the_figure(tmp_path, seed_issue):
    before = stored(seed_issue)
    archive = tmp_path / "a.jsonl"
    run_command("export_archive", str(archive))
    Briefing.objects.all().delete()
    assert Completeness.objects.count() == 0

    run_command("import_archive", str(archive))

    assert stored(Briefing.objects.get()) == before


def test_update_completeness_takes_a_fixed_number_of_queries(django_assert_num_queries):
    for day in (18, 19):
        data = parse_briefing_text(SEED.read_bytes())
        data["date"] = f"2026-05-{day}"
        save_briefing_data(data)
    ids = list(Briefing.objects.values_list("pk", flat=True))
    # The issues, keywords, deep dives, takeaways, read-more items, their states; the upsert.
    with django_assert_num_queries(7):
        assert update_completeness(ids) == 2
    with django_assert_num_queries(0):
        assert update_completeness([]) == 0
    assert Briefing.objects.filter(date=datetime.date(2026, 5, 18)).get().completeness.count() == 2

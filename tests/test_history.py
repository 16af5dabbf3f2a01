import json
import re

import pytest
from django.urls import reverse
from django.utils import translation
from reversion.models import Version

from briefing.models import Briefing, DeepDive, ReadMore, Takeaway
from briefing.serialization import briefing_to_dict
from editorial import history, workflow
from editorial.interchange.importing import save_briefing_data
from editorial.roles import EDITORS, TRANSLATORS
from tests.admin_forms import change_form_data
from tests.factories import make_briefing, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """These tests read the interface's English messages."""
    with translation.override("en"):
        yield


@pytest.fixture
def editor(client):
    user = make_user("erika", role=EDITORS)
    client.force_login(user)
    return user


def change_url(obj):
    return reverse(f"admin:briefing_{obj._meta.model_name}_change", args=[obj.pk])


def save_unchanged_but(client, obj, **changes):
    data = change_form_data(client.get(change_url(obj)))
    response = client.post(change_url(obj), data | changes)
    assert response.status_code == 302, response.context and response.context["errors"]
    return response


def contents(briefing_pk):
    return briefing_to_dict(Briefing.objects.with_contents().get(pk=briefing_pk))


def versions_of(briefing):
    return Version.objects.get_for_object(briefing)


def test_it_keeps_one_revision_of_the_whole_issue_per_save(client, editor):
    briefing = make_briefing(deep_dives=2, takeaways=2, read_more=1)

    save_unchanged_but(client, briefing, theme_en="Changed")

    [version] = versions_of(briefing)
    revision = version.revision
    assert revision.user == editor
    assert sorted(
        (v.content_type.model, v.object_id) for v in revision.version_set.all()
    ) == sorted(
        [("briefing", str(briefing.pk))]
        + [("deepdive", str(pk)) for pk in DeepDive.objects.values_list("pk", flat=True)]
        + [("takeaway", str(pk)) for pk in Takeaway.objects.values_list("pk", flat=True)]
        + [("readmore", str(pk)) for pk in ReadMore.objects.values_list("pk", flat=True)]
    )


def test_it_records_a_deep_dive_edit_in_the_issues_history(client, editor):
    briefing = make_briefing(deep_dives=2)
    save_unchanged_but(client, briefing.deep_dives.first(), title_en="Changed")
    [version] = versions_of(briefing)
    assert version.revision.version_set.count() == 1 + 2 + 4 + 1


def test_it_records_imports_in_the_history():
    data = briefing_to_dict(Briefing.objects.with_contents().get(pk=make_briefing().pk))
    data["date"] = "2026-05-20"

    briefing = save_briefing_data(data, actor="manage.py import_briefing")

    [version] = versions_of(briefing)
    assert history.describe(version.revision.comment) == (
        "Imported from text by manage.py import_briefing"
    )
    assert version.revision.version_set.count() == 1 + 1 + 2 + 1


def restore_version(client, briefing, version):
    url = reverse("admin:briefing_briefing_revision", args=[briefing.pk, version.pk])
    assert client.get(url).status_code == 200
    return client.post(url)


def test_it_restores_an_earlier_revision_of_the_whole_issue(client, editor):
    briefing = make_briefing(deep_dives=2, takeaways=2)
    save_unchanged_but(client, briefing, theme_en="First")
    original = contents(briefing.pk)
    first_version = versions_of(briefing).get()
    save_unchanged_but(client, briefing, theme_en="Second", **{"deep_dives-1-DELETE": "on"})
    assert len(contents(briefing.pk)["deep_dives"]) == 1

    response = restore_version(client, briefing, first_version)

    assert response.status_code == 302
    assert contents(briefing.pk) == original
    assert versions_of(briefing).count() == 3
    newest = history.issue_versions(briefing.pk).first()
    assert history.describe(newest.revision.comment) == (
        f"Restored the version of {history._time(first_version.revision.date_created.isoformat())}"
        " by erika"
    )


def test_it_restores_a_version_after_parts_were_reordered_deleted_and_added(client, editor):
    briefing = make_briefing(deep_dives=2, takeaways=2, read_more=2)
    save_unchanged_but(client, briefing, theme_en="First")
    original = contents(briefing.pk)
    first_version = versions_of(briefing).get()
    # Swap the two deep dives and the two read-more items, delete a takeaway.
    save_unchanged_but(
        client,
        briefing,
        **{
            "deep_dives-0-position": "2",
            "deep_dives-1-position": "1",
            "read_more-0-position": "4",
            "read_more-1-position": "3",
        },
    )
    Takeaway.objects.filter(position=2).first().delete()
    swapped = contents(briefing.pk)
    assert [d["title"]["en"] for d in swapped["deep_dives"]] == ["Deep dive 2", "Deep dive 1"]

    response = restore_version(client, briefing, first_version)

    assert response.status_code == 302
    assert contents(briefing.pk) == original


def test_it_saves_any_permutation_of_numbers(client, editor):
    briefing = make_briefing(deep_dives=3, read_more=0)
    save_unchanged_but(
        client,
        briefing,
        **{
            "deep_dives-0-position": "3",
            "deep_dives-1-position": "1",
            "deep_dives-2-position": "2",
        },
    )
    assert [d["title"]["en"] for d in contents(briefing.pk)["deep_dives"]] == [
        "Deep dive 2",
        "Deep dive 3",
        "Deep dive 1",
    ]


def test_the_indexes_the_admins_script_sends_keep_the_numbers(client, editor):
    """On submit, django-nested-admin's script sets every number field to its row's index from
    0: the numbers only order the rows. A save that moves nothing keeps them."""
    briefing = make_briefing(deep_dives=2, takeaways=2, read_more=2)
    before = contents(briefing.pk)
    indexes = {
        "deep_dives-0-position": "0",
        "deep_dives-1-position": "1",
        "read_more-0-position": "0",
        "read_more-1-position": "1",
    }
    for deep_dive in range(2):
        for takeaway in range(2):
            indexes[f"deep_dives-{deep_dive}-takeaways-{takeaway}-position"] = str(takeaway)

    save_unchanged_but(client, briefing, **indexes)

    saved = contents(briefing.pk)
    assert [d["position"] for d in saved["deep_dives"]] == [1, 2]
    assert [[t["position"] for t in d["takeaways"]] for d in saved["deep_dives"]] == [[1, 2]] * 2
    assert [r["position"] for r in saved["read_more"]] == [3, 4]
    assert saved == before


def test_read_more_items_follow_the_deep_dives_left_after_a_deletion(client, editor):
    briefing = make_briefing(deep_dives=3, takeaways=0, read_more=2)

    save_unchanged_but(client, briefing, **{"deep_dives-0-DELETE": "on"})

    saved = contents(briefing.pk)
    assert [d["position"] for d in saved["deep_dives"]] == [1, 2]
    assert [r["position"] for r in saved["read_more"]] == [3, 4]


def test_it_keeps_a_live_issue_live_when_restoring(client, editor):
    briefing = make_briefing(status=Briefing.Status.DRAFT)
    save_unchanged_but(client, briefing, theme_en="Draft text")
    draft_version = versions_of(briefing).get()
    workflow.publish_now(briefing, editor)
    publish_at = Briefing.objects.get(pk=briefing.pk).publish_at

    response = restore_version(client, briefing, draft_version)

    assert response.status_code == 302
    briefing.refresh_from_db()
    assert (briefing.status, briefing.publish_at, briefing.theme_en) == (
        Briefing.Status.PUBLISHED,
        publish_at,
        "Draft text",
    )
    assert Briefing.objects.published().filter(pk=briefing.pk).exists()


def test_it_keeps_a_draft_private_when_restoring_a_published_version(client, editor):
    briefing = make_briefing()
    save_unchanged_but(client, briefing, theme_en="Live text")
    live_version = versions_of(briefing).get()
    workflow.unpublish(briefing, editor)

    restore_version(client, briefing, live_version)

    briefing.refresh_from_db()
    assert (briefing.status, briefing.publish_at) == (Briefing.Status.DRAFT, None)


def test_it_restores_the_whole_issue_from_a_deep_dives_history(client, editor):
    briefing = make_briefing(status=Briefing.Status.DRAFT)
    deep_dive = briefing.deep_dives.get()
    save_unchanged_but(client, deep_dive, title_en="Before")
    version = Version.objects.get_for_object(deep_dive).first()
    save_unchanged_but(client, deep_dive, title_en="After")
    workflow.publish_now(briefing, editor)

    url = reverse("admin:briefing_deepdive_revision", args=[deep_dive.pk, version.pk])
    response = client.post(url)

    assert response.status_code == 302
    briefing.refresh_from_db()
    assert briefing.deep_dives.get().title_en == "Before"
    assert briefing.status == Briefing.Status.PUBLISHED


def test_it_recovers_a_deleted_briefing_with_its_parts_as_a_draft(client, editor):
    briefing = make_briefing(deep_dives=2, takeaways=2, read_more=1)
    save_unchanged_but(client, briefing, theme_en="Kept")
    original = contents(briefing.pk)
    response = client.post(
        reverse("admin:briefing_briefing_delete", args=[briefing.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert (Briefing.objects.count(), DeepDive.objects.count(), Takeaway.objects.count()) == (
        0,
        0,
        0,
    )

    recover_list = client.get(reverse("admin:briefing_briefing_recoverlist"))
    [deleted] = recover_list.context["deleted"]
    url = reverse("admin:briefing_briefing_recover", args=[deleted.pk])
    assert client.get(url).status_code == 200
    response = client.post(url)

    assert response.status_code == 302
    assert contents(briefing.pk) == original | {"status": "draft"}
    recovered = Briefing.objects.get(pk=briefing.pk)
    assert recovered.publish_at is None
    assert not Briefing.objects.published().exists()


def test_it_compares_the_text_inside_every_part(client, editor):
    briefing = make_briefing(deep_dives=1, takeaways=1, read_more=1)
    save_unchanged_but(client, briefing, theme_en="Before the edit")
    save_unchanged_but(
        client,
        briefing,
        theme_en="After the edit",
        **{"deep_dives-0-title_ja": "ディープダイブ壱", "read_more-0-url": "https://example.org/"},
    )
    Takeaway.objects.update(text_en="Takeaway one, reworded")
    with history.revision():
        history.record(briefing, editor, "edited")
    older, newer = history.issue_versions(briefing.pk)[2], history.issue_versions(briefing.pk)[0]

    response = client.get(
        reverse("admin:briefing_briefing_compare", args=[briefing.pk]),
        {"version_id1": newer.pk, "version_id2": older.pk},
    )

    assert response.status_code == 200
    assert [
        (change.label, change.language, change.segments) for change in response.context["changes"]
    ] == [
        ("Theme", "English", [("delete", "Before"), ("insert", "After"), ("equal", " the edit")]),
        (
            "Deep dive 01 · Title",
            "Japanese",
            [("equal", "ディープダイブ"), ("delete", "1"), ("insert", "壱")],
        ),
        (
            "Deep dive 01 · Key takeaway 01",
            "English",
            [("equal", "Takeaway "), ("delete", "1"), ("insert", "one, reworded")],
        ),
        (
            "Read-more item 02 · Link",
            "",
            [("delete", "https://example.com/1"), ("insert", "https://example.org/")],
        ),
    ]
    with translation.override("ja"):
        response = client.get(
            reverse("admin:briefing_briefing_compare", args=[briefing.pk]),
            {"version_id1": older.pk, "version_id2": newer.pk},
        )
    assert [change.label for change in response.context["changes"]][:2] == [
        "テーマ",
        "ディープダイブ 01 · タイトル",
    ]


def test_a_move_is_compared_as_a_move_not_as_rewritten_text(client, editor):
    briefing = make_briefing(deep_dives=3, takeaways=0, read_more=0)
    save_unchanged_but(client, briefing)
    # Deep dive 3 moved to the front, and its title edited.
    save_unchanged_but(
        client,
        briefing,
        **{"deep_dives-2-position": "1", "deep_dives-2-title_en": "Deep dive 3, now first"},
    )
    newer, older = history.issue_versions(briefing.pk)[:2]

    response = client.get(
        reverse("admin:briefing_briefing_compare", args=[briefing.pk]),
        {"version_id1": older.pk, "version_id2": newer.pk},
    )

    # Breadcrumbs back to the app, the list and the issue.
    crumbs = response.content.decode().split('<div class="breadcrumbs">')[1].split("</div>")[0]
    assert re.findall(r'<a href="([^"]+)">([^<]+)</a>', crumbs) == [
        ("/en/admin/", "Home"),
        ("/en/admin/briefing/", "Daily briefing"),
        ("/en/admin/briefing/briefing/", "Briefings"),
        (f"/en/admin/briefing/briefing/{briefing.pk}/change/", "2026-05-19"),
    ]
    assert [
        (change.label, change.language, change.segments) for change in response.context["changes"]
    ] == [
        ("Deep dive 01", "", [("equal", "Moved; it was Deep dive 03")]),
        ("Deep dive 02", "", [("equal", "Moved; it was Deep dive 01")]),
        ("Deep dive 03", "", [("equal", "Moved; it was Deep dive 02")]),
        (
            "Deep dive 01 · Title",
            "English",
            [("equal", "Deep dive "), ("delete", "3"), ("insert", "3, now first")],
        ),
    ]


def test_a_removed_part_is_told_apart_from_the_one_that_took_its_number(client, editor):
    briefing = make_briefing(deep_dives=2, takeaways=0, read_more=0)
    save_unchanged_but(client, briefing)
    save_unchanged_but(client, briefing, **{"deep_dives-0-DELETE": "on"})
    newer, older = history.issue_versions(briefing.pk)[:2]

    response = client.get(
        reverse("admin:briefing_briefing_compare", args=[briefing.pk]),
        {"version_id1": older.pk, "version_id2": newer.pk},
    )

    labels = [(change.label, change.language) for change in response.context["changes"]]
    assert labels[0] == ("Deep dive 01", "")  # deep dive 2, moved up
    assert ("Deep dive 01 · Title (removed)", "English") in labels
    assert not any(
        label.startswith("Deep dive 01 · Title") and "(removed)" not in label
        for label, _language in labels
    )


def test_a_revision_stored_before_deep_dives_had_sources_shows_compares_and_restores(
    client, editor
):
    briefing = make_briefing(deep_dives=1)
    save_unchanged_but(client, briefing, theme_en="Before sources")
    old = versions_of(briefing).get()
    # Stored as it was before deep dives had sources: the field is not in the deep dive's data.
    for version in old.revision.version_set.filter(content_type__model="deepdive"):
        stored = json.loads(version.serialized_data)
        del stored[0]["fields"]["sources"]
        version.serialized_data = json.dumps(stored)
        version.save()
    Briefing.objects.update(theme_en="With sources")
    DeepDive.objects.update(sources=[{"url": "https://example.org/a", "title": "A"}])
    with history.revision():
        history.record(briefing, editor, "edited")
    new = history.issue_versions(briefing.pk).first()

    shown = client.get(reverse("admin:briefing_briefing_revision", args=[briefing.pk, old.pk]))
    compared = client.get(
        reverse("admin:briefing_briefing_compare", args=[briefing.pk]),
        {"version_id1": old.pk, "version_id2": new.pk},
    )
    restored = restore_version(client, briefing, old)

    assert "Before sources" in shown.content.decode()
    assert history.Snapshot(old.revision, briefing.pk).to_dict()["deep_dives"][0]["sources"] == []
    assert [(change.label, change.language) for change in compared.context["changes"]] == [
        ("Theme", "English"),
        ("Deep dive 01 · Sources", ""),
    ]
    assert restored.status_code == 302
    after = contents(briefing.pk)
    assert (after["theme"]["en"], after["deep_dives"][0]["sources"]) == ("Before sources", [])


def test_it_shows_who_saved_when_in_the_history(client, editor):
    briefing = make_briefing()
    save_unchanged_but(client, briefing, theme_en="Changed")
    response = client.get(reverse("admin:briefing_briefing_history", args=[briefing.pk]))
    [action] = response.context["action_list"]
    assert action["revision"].user == editor
    assert "erika" in response.content.decode()


def test_it_lets_translators_read_history_but_not_restore(client):
    briefing = make_briefing()
    editor = make_user("erika", role=EDITORS)
    client.force_login(editor)
    save_unchanged_but(client, briefing, theme_en="Changed")
    version = versions_of(briefing).get()
    client.force_login(make_user("toru", role=TRANSLATORS))

    assert (
        client.get(reverse("admin:briefing_briefing_history", args=[briefing.pk])).status_code
        == 200
    )
    url = reverse("admin:briefing_briefing_revision", args=[briefing.pk, version.pk])
    assert client.post(url, {}).status_code == 403
    assert client.get(reverse("admin:briefing_briefing_recoverlist")).status_code == 403


def test_it_lets_no_translator_recover_a_deleted_issue(client):
    briefing = make_briefing()
    client.force_login(make_user("erika", role=EDITORS))
    save_unchanged_but(client, briefing, theme_en="Changed")
    version = versions_of(briefing).get()
    briefing.delete()
    client.force_login(make_user("toru", role=TRANSLATORS))

    url = reverse("admin:briefing_briefing_recover", args=[version.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, version.field_dict | {"date": "2026-05-19"}).status_code == 403
    assert Briefing.objects.count() == 0


def test_it_names_the_last_person_to_save_the_issue_or_one_of_its_parts(client):
    briefing = make_briefing()
    # Made without the admin: nobody is known to have saved it.
    assert history.last_version(briefing) is None
    erika, kenji = make_user("erika", role=EDITORS), make_user("kenji", role=EDITORS)

    client.force_login(erika)
    save_unchanged_but(client, briefing, theme_en="Erika's theme")
    assert history.last_version(briefing).revision.user == erika

    client.force_login(kenji)
    save_unchanged_but(client, briefing.deep_dives.get(), title_en="Kenji's title")
    assert history.last_version(briefing).revision.user == kenji


def newest_contents(briefing):
    newest = history.issue_versions(briefing.pk).first()
    return history.Snapshot(newest.revision, briefing.pk).to_dict(), newest.revision


def test_it_records_a_translators_part_edit_as_the_whole_issue(client):
    from editorial.translation.po import export_po, import_po

    briefing = make_briefing(deep_dives=2, takeaways=1, status=Briefing.Status.DRAFT)
    DeepDive.objects.filter(position=2).update(title_en="")
    toru = make_user("toru", role=TRANSLATORS)
    client.force_login(toru)
    url = reverse("translation:editor", kwargs={"date": briefing.date, "target": "en"})
    page = client.get(url)
    data = {
        name: field.value() or ""
        for name, field in ((f.name, f) for f in page.context["form"])
        if field.value() is not None
    }
    client.post(url, data | {"deep_dives/2/title": "Second"})

    saved, revision = newest_contents(briefing)
    assert saved == contents(briefing.pk)
    assert history.describe(revision.comment) == "1 field translated into English by toru"

    DeepDive.objects.filter(position=1).update(title_en="")
    po = export_po(briefing, "en")
    for entry in po:
        if entry.msgctxt.endswith("deep_dives/1/title"):
            entry.msgstr = "First"
    import_po(po, user=toru)

    saved, revision = newest_contents(briefing)
    assert saved == contents(briefing.pk)
    assert saved["deep_dives"][0]["title"]["en"] == "First"
    assert history.describe(revision.comment) == (
        "1 field translated into English by toru (PO file)"
    )
    with translation.override("ja"):
        assert history.describe(revision.comment) == "1 件の項目を toru が英語に翻訳 (PO ファイル)"


def test_it_records_workflow_steps_in_words(editor):
    briefing = make_briefing(status=Briefing.Status.DRAFT)
    workflow.submit_for_review(briefing, editor)
    workflow.publish_now(briefing, editor)
    workflow.unpublish(briefing, editor)

    comments = [history.describe(v.revision.comment) for v in history.issue_versions(briefing.pk)]
    assert comments == ["Unpublished by erika", "Published by erika", "Sent to review by erika"]
    saved, _revision = newest_contents(briefing)
    assert saved == contents(briefing.pk)


def test_typed_numbers_reorder_without_javascript_and_a_new_row_takes_the_next(client, editor):
    briefing = make_briefing(deep_dives=3, takeaways=1, read_more=0)
    save_unchanged_but(
        client,
        briefing,
        **{
            # Deep dive 3 typed as number 1: it goes before the row that has 1.
            "deep_dives-2-position": "1",
            # A new takeaway in the first deep dive, its number left empty.
            "deep_dives-0-takeaways-TOTAL_FORMS": "2",
            "deep_dives-0-takeaways-1-text_en": "A new one",
            "deep_dives-0-takeaways-1-position": "",
        },
    )
    saved = contents(briefing.pk)
    assert [(d["position"], d["title"]["en"]) for d in saved["deep_dives"]] == [
        (1, "Deep dive 3"),
        (2, "Deep dive 1"),
        (3, "Deep dive 2"),
    ]
    first = next(d for d in saved["deep_dives"] if d["title"]["en"] == "Deep dive 1")
    assert [(t["position"], t["text"]["en"]) for t in first["takeaways"]] == [
        (1, "Takeaway 1"),
        (2, "A new one"),
    ]


def test_the_issue_page_shows_each_language_labelled_with_its_state(client, editor):
    briefing = make_briefing(theme_en="", status=Briefing.Status.DRAFT)
    briefing.lead_ja = "書き直したリード。"  # the English lead was written against the old one
    briefing.save()

    form = (
        client.get(reverse("admin:briefing_briefing_change", args=[briefing.pk]))
        .context["adminform"]
        .form
    )

    assert [str(form.fields[name].label) for name in ("theme_ja", "theme_en", "lead_en")] == [
        "Theme · Japanese · up to date",
        "Theme · English · missing",
        "Lead · English · outdated",
    ]
    assert "editorial-missing" in form.fields["theme_en"].widget.attrs["class"]

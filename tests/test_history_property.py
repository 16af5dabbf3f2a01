"""A property of the history: whatever sequence of writes an issue goes through (admin saves,
translator-editor saves, PO imports, reorders, deletions, restores), after each one the newest
revision holds exactly what the database holds, and every revision restores without error to
exactly the content it recorded."""

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from briefing.models import Briefing
from briefing.serialization import briefing_to_dict
from editorial import history
from editorial.roles import EDITORS, TRANSLATORS
from editorial.translation.po import export_po, import_po
from tests.admin_forms import change_form_data
from tests.factories import make_briefing, make_user
from tests.test_fuzz import SETTINGS, undone

pytestmark = pytest.mark.django_db

WORDS = (
    st.text(alphabet="abcdeあいうえお漢字 ", min_size=1, max_size=12).map(str.strip).filter(bool)
)
STEPS = st.lists(
    st.one_of(
        st.tuples(
            st.just("admin"),
            st.sampled_from(
                [
                    "theme_en",
                    "deep_dives-0-title_ja",
                    "deep_dives-0-takeaways-0-text_en",
                    "read_more-0-summary_en",
                ]
            ),
            WORDS,
        ),
        st.tuples(st.just("reorder"), st.permutations([0, 1, 2])),
        st.tuples(st.just("delete"), st.sampled_from(["deep_dives-2", "deep_dives-0-takeaways-1"])),
        st.tuples(st.just("translator"), st.sampled_from(["theme", "deep_dives/1/title"]), WORDS),
        st.tuples(st.just("po"), WORDS),
        st.tuples(st.just("restore"), st.integers(min_value=0, max_value=20)),
    ),
    min_size=1,
    max_size=5,
)


def database(briefing):
    return briefing_to_dict(Briefing.objects.with_contents().get(pk=briefing.pk))


def newest(briefing):
    version = history.issue_versions(briefing.pk).first()
    return history.Snapshot(version.revision, briefing.pk).to_dict()


def without_status(data):
    return {key: value for key, value in data.items() if key != "status"}


def admin_post(client, briefing, changes):
    url = reverse("admin:briefing_briefing_change", args=[briefing.pk])
    data = change_form_data(client.get(url))
    changes = {name: value for name, value in changes.items() if name in data or "DELETE" in name}
    response = client.post(url, data | changes)
    assert response.status_code == 302, response.context and response.context["errors"]


def apply(step, briefing, editor, translator_client):
    kind = step[0]
    if kind == "admin":
        admin_post(editor, briefing, {step[1]: step[2]})
    elif kind == "reorder":
        count = briefing.deep_dives.count()
        order = [i for i in step[1] if i < count]
        admin_post(
            editor,
            briefing,
            {f"deep_dives-{index}-position": str(number) for number, index in enumerate(order, 1)},
        )
    elif kind == "delete":
        admin_post(editor, briefing, {f"{step[1]}-DELETE": "on"})
    elif kind == "translator":
        url = reverse("translation:editor", kwargs={"date": briefing.date, "target": "en"})
        form = translator_client.get(url).context["form"]
        data = {name: form[name].value() or "" for name in form.fields}
        if step[1] in data:
            assert translator_client.post(url, data | {step[1]: step[2]}).status_code == 302
    elif kind == "po":
        po = export_po(briefing, "en")
        if len(po):
            po[0].msgstr = step[1]
            import_po(po)
    elif kind == "restore":
        versions = list(history.issue_versions(briefing.pk))
        history.restore(briefing, versions[step[1] % len(versions)], None)


@hypothesis_settings(**SETTINGS, max_examples=8)
@given(steps=STEPS)
@undone
def test_the_newest_revision_is_the_database_and_every_revision_restores(steps):
    from django.test import Client

    with translation.override("en"):
        briefing = make_briefing(deep_dives=3, takeaways=2, read_more=1)
        with history.revision():
            history.record(briefing, None, "imported", actor="test")
        editor, translator_client = Client(), Client()
        editor.force_login(make_user("erika", role=EDITORS))
        translator_client.force_login(make_user("toru", role=TRANSLATORS))

        for step in steps:
            apply(step, briefing, editor, translator_client)
            assert newest(briefing) == database(briefing), step

        for version in history.issue_versions(briefing.pk):
            recorded = history.Snapshot(version.revision, briefing.pk).to_dict()
            with transaction.atomic():
                history.restore(briefing, version, None)
                assert without_status(database(briefing)) == without_status(recorded)
                transaction.set_rollback(True)

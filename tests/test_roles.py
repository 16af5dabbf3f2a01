import pytest
from django.contrib.auth.models import Group

from editorial.permissions import can_edit_structure, can_publish, locked_fields
from editorial.roles import EDITORS, ROLE_PERMISSIONS, TRANSLATORS
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def group_permissions(name):
    group = Group.objects.get(name=name)
    return sorted(
        f"{p.content_type.app_label}.{p.codename}"
        for p in group.permissions.select_related("content_type")
    )


def test_it_has_both_roles_with_their_permissions_on_a_fresh_database():
    assert group_permissions(EDITORS) == sorted(ROLE_PERMISSIONS[EDITORS])
    assert group_permissions(TRANSLATORS) == sorted(ROLE_PERMISSIONS[TRANSLATORS])


def test_it_lets_editors_shape_and_publish_issues():
    editor = make_user("erika", role=EDITORS)
    assert can_edit_structure(editor) is True
    assert can_publish(editor) is True
    assert locked_fields(editor, "briefing") == ()
    assert locked_fields(editor, "readmore") == ()


def test_it_lets_translators_change_text_only():
    translator = make_user("toru", role=TRANSLATORS)
    assert can_edit_structure(translator) is False
    assert can_publish(translator) is False
    assert locked_fields(translator, "briefing") == ("date", "keywords", "status", "publish_at")
    assert locked_fields(translator, "deepdive") == ("briefing", "position", "sources")
    assert locked_fields(translator, "takeaway") == ("deep_dive", "position")
    assert locked_fields(translator, "readmore") == ("position", "url")
    assert locked_fields(translator, "keyword") == ("slug",)


def test_it_lets_superusers_do_everything():
    admin = make_user("root", superuser=True)
    assert can_edit_structure(admin) is True
    assert can_publish(admin) is True
    assert locked_fields(admin, "briefing") == ()

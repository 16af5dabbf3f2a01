"""Break each guarded rule on purpose and check that the tests notice.

Each mutation below removes one rule (an escape, a permission check, the definition of public,
a cache invalidation, a restore step, a PO source check) as a text patch. The script copies the
working tree to a temporary directory, checks that the chosen tests pass there unchanged, then
for each mutation patches the copy, runs the tests that guard the rule (SQLite, in-process
cache), restores the file and reports whether the break was caught. The working tree itself is
never changed.

    .venv/bin/python tools/mutation_check.py            # every mutation (a few minutes)
    .venv/bin/python tools/mutation_check.py escaping   # those whose name contains "escaping"
    .venv/bin/python tools/mutation_check.py --list

Exit status 0 only when every break was caught. A patch whose target text is no longer in its
file (the code moved or changed) is looked for in the other source files; when it is found in
none, or in more than one, the mutation is reported as "target not found" or "target ambiguous"
and its patch here needs updating.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE_SUFFIXES = (".py", ".html", ".txt", ".xml")


@dataclass(frozen=True)
class Patch:
    path: str
    old: str
    new: str


@dataclass(frozen=True)
class Mutation:
    name: str
    tests: tuple[str, ...]
    patches: tuple[Patch, ...] = field(default_factory=tuple)


def m(name, tests, *patches):
    return Mutation(name, tuple(tests.split()), tuple(Patch(*p) for p in patches))


READING = "briefing/templatetags/reading.py"
SEARCH = "briefing/search.py"
ADMIN = "editorial/admin.py"
PERMISSIONS = "editorial/permissions.py"
TRANSLATION_VIEWS = "editorial/translation/views.py"
PO = "editorial/translation/po.py"
CACHE = "briefing/cache.py"
RECEIVERS = "briefing/receivers.py"
ARCHIVE = "editorial/interchange/archive.py"
WORKFLOW_VIEWS = "editorial/workflow_views.py"
TWO_FACTOR = "editorial/two_factor.py"
TWO_FACTOR_VIEWS = "editorial/two_factor_views.py"

MUTATIONS = [
    # --- Escaping: every branch that turns editor text into HTML ------------------------------
    m(
        "escaping: text tag, a line in the reader's language",
        "tests/test_escaping.py",
        (
            READING,
            "        return mark_safe(linebreaks(text, autoescape=True))\n    return escape(text)",
            "        return mark_safe(linebreaks(text, autoescape=True))\n    return mark_safe(text)",
        ),
    ),
    m(
        "escaping: text tag, paragraphs in the reader's language",
        "tests/test_escaping.py",
        (READING, "linebreaks(text, autoescape=True)", "linebreaks(text, autoescape=False)"),
    ),
    m(
        "escaping: text tag, a line shown in the other language (fallback)",
        "tests/test_escaping.py",
        (
            READING,
            "format_html('<span lang=\"{}\">{}</span>', value.lang, value.text)",
            "format_html('<span lang=\"{}\">{}</span>', value.lang, mark_safe(value.text))",
        ),
    ),
    m(
        "escaping: text tag, paragraphs shown in the other language (fallback)",
        "tests/test_escaping.py",
        (READING, "            _body(value.text, True),", "            mark_safe(value.text),"),
    ),
    m(
        "escaping: text_in tag (side by side)",
        "tests/test_escaping.py",
        (READING, "    return _body(value, paragraphs)", "    return mark_safe(value)"),
    ),
    m(
        "escaping: JSON-LD keeps < > & out of its script element",
        "tests/test_escaping.py",
        (READING, ".translate(JSON_SCRIPT_ESCAPES)", ""),
    ),
    m(
        "escaping: a stored javascript: URL is never a link",
        "tests/test_issue_page.py tests/test_security.py",
        (
            READING,
            'return url if urlsplit(url or "").scheme in ("http", "https") else ""',
            "return url",
        ),
    ),
    m(
        "escaping: the page title",
        "tests/test_escaping.py",
        (
            "templates/briefing/issue.html",
            "{% if theme %}{{ theme }} · {% endif %}",
            "{% if theme %}{{ theme|safe }} · {% endif %}",
        ),
    ),
    m(
        "escaping: search snippet, the matched text",
        "tests/test_escaping.py",
        (SEARCH, "line[hit_start:hit_end])", "SafeString(line[hit_start:hit_end]))"),
    ),
    m(
        "escaping: search snippet, the text before the match",
        "tests/test_escaping.py",
        (
            SEARCH,
            'format_html("{}<mark>{}</mark>", line[position:hit_start],',
            'format_html("{}<mark>{}</mark>", SafeString(line[position:hit_start]),',
        ),
    ),
    m(
        "escaping: search snippet, the text after the match",
        "tests/test_escaping.py",
        (
            SEARCH,
            'parts.append(format_html("{}{}", line[position:end],',
            'parts.append(format_html("{}{}", SafeString(line[position:end]),',
        ),
    ),
    m(
        "escaping: feed item, a source's title",
        "tests/test_escaping.py tests/test_feeds.py tests/test_sources.py",
        (
            "templates/briefing/feeds/item.html",
            '<a href="{{ link }}">{% firstof source.title link %}</a>',
            '<a href="{{ link }}">{{ source.title|safe }}</a>',
        ),
    ),
    m(
        "escaping: admin list, a theme in the other language",
        "tests/test_escaping.py",
        (
            ADMIN,
            "format_html('<span class=\"editorial-other-language\">{}</span>', other)",
            "mark_safe(f'<span class=\"editorial-other-language\">{other}</span>')",
        ),
        (
            ADMIN,
            "from django.utils.html import format_html, format_html_join\n",
            "from django.utils.html import format_html, format_html_join\n"
            "from django.utils.safestring import mark_safe\n",
        ),
    ),
    # --- Permissions: every check on a path that changes something ---------------------------
    m(
        "permission: translating without the translate permission (staff alone)",
        "tests/test_translator_editor.py",
        (
            PERMISSIONS,
            "return user.is_staff and user.has_perm(TRANSLATE_PERMISSION)",
            "return user.is_staff",
        ),
    ),
    m(
        "permission: translating without staff status",
        "tests/test_translator_editor.py",
        (
            PERMISSIONS,
            "return user.is_staff and user.has_perm(TRANSLATE_PERMISSION)",
            "return user.has_perm(TRANSLATE_PERMISSION)",
        ),
    ),
    m(
        "permission: the translation pages' check (editor, PO download and upload)",
        "tests/test_translator_editor.py",
        (
            TRANSLATION_VIEWS,
            "        if not can_translate(request.user):\n            raise PermissionDenied",
            "        if False:\n            raise PermissionDenied",
        ),
    ),
    m(
        "permission: PO upload without the translator check",
        "tests/test_translator_editor.py",
        (
            TRANSLATION_VIEWS,
            "@require_POST\n@translator_required\ndef upload_po(",
            "@require_POST\ndef upload_po(",
        ),
    ),
    m(
        "permission: import without the create permission",
        "tests/test_admin_import_export.py",
        (
            "editorial/views.py",
            "@permission_required(CREATE_PERMISSION, raise_exception=True)\n",
            "",
        ),
    ),
    m(
        "permission: import without staff status",
        "tests/test_admin_import_export.py",
        (
            "editorial/views.py",
            "@staff_member_required\n@permission_required(CREATE_PERMISSION, raise_exception=True)\n",
            "@permission_required(CREATE_PERMISSION, raise_exception=True)\n",
        ),
    ),
    m(
        "permission: 'Save and publish…' without the publish permission",
        "tests/test_workflow.py",
        (ADMIN, '"_publish": can_publish}', '"_publish": lambda user: True}'),
    ),
    m(
        "permission: 'Save and send to review' without the structure permission",
        "tests/test_workflow.py",
        (
            ADMIN,
            '"_submit_for_review": can_edit_structure,',
            '"_submit_for_review": lambda user: True,',
        ),
    ),
    m(
        "permission: the workflow step pages' check",
        "tests/test_workflow.py",
        (
            WORKFLOW_VIEWS,
            "    if not definition.allowed(request.user):\n        raise PermissionDenied",
            "    if False:\n        raise PermissionDenied",
        ),
    ),
    *(
        m(
            f"permission: workflow step '{step}' without its permission",
            "tests/test_workflow.py",
            (WORKFLOW_VIEWS, f'"{step}": Step({needs},', f'"{step}": Step(lambda user: True,'),
        )
        for step, needs in (
            ("review", "can_edit_structure"),
            ("publish", "can_publish"),
            ("return", "can_publish"),
            ("unpublish", "can_publish"),
        )
    ),
    m(
        "permission: publishing actions (publish now, schedule, unpublish) for anyone",
        "tests/test_admin_permissions.py tests/test_workflow.py",
        (
            ADMIN,
            "    def has_publish_permission(self, request):\n        return can_publish(request.user)",
            "    def has_publish_permission(self, request):\n        return True",
        ),
    ),
    m(
        "permission: structure actions (submit for review, start the next issue) for anyone",
        "tests/test_admin_permissions.py tests/test_workflow.py",
        (
            ADMIN,
            "    def has_edit_structure_permission(self, request):\n"
            "        return can_edit_structure(request.user)",
            "    def has_edit_structure_permission(self, request):\n        return True",
        ),
    ),
    m(
        "permission: a deep dive's sources writable by translators",
        "tests/test_admin_permissions.py",
        (
            PERMISSIONS,
            '    "deepdive": ("briefing", "position", "sources"),',
            '    "deepdive": ("briefing", "position"),',
        ),
    ),
    m(
        "permission: structure fields writable without the create permission",
        "tests/test_admin_permissions.py tests/test_roles.py",
        (
            PERMISSIONS,
            "    if not can_edit_structure(user):\n        locked +=",
            "    if False:\n        locked +=",
        ),
    ),
    m(
        "permission: status and publication time writable without the publish permission",
        "tests/test_admin_permissions.py tests/test_roles.py",
        (PERMISSIONS, 'if model_name == "briefing" and not can_publish(user):', "if False:"),
    ),
    m(
        "history: a revision's parts left out of what it shows and compares",
        "tests/test_content_map.py tests/test_history.py",
        (
            "editorial/history.py",
            "        return self._children.get((part, str(parent.pk)), [])",
            "        return []",
        ),
    ),
    m(
        "history: a restore that brings back the issue but not its parts",
        "tests/test_content_map.py tests/test_history.py",
        (
            "editorial/history.py",
            "        for obj in snapshot.items[part]:\n",
            "        for obj in ():\n",
        ),
    ),
    m(
        "permission: restoring a version without the structure permission",
        "tests/test_history.py",
        (
            ADMIN,
            "if not (can_edit_structure(request.user) and self.has_change_permission(request)):",
            "if not self.has_change_permission(request):",
        ),
    ),
    m(
        "permission: recovering a deleted issue without any permission check",
        "tests/test_history.py",
        (
            ADMIN,
            "if not (can_edit_structure(request.user) and self.has_add_permission(request)):",
            "if False:",
        ),
    ),
    m(
        "permission: translators given the publish permission",
        "tests/test_roles.py tests/test_admin_permissions.py",
        (
            "editorial/roles.py",
            'f"briefing.{action}_{model}" for model in CONTENT_MODELS for action in ("change", "view")\n'
            "    ],",
            'f"briefing.{action}_{model}" for model in CONTENT_MODELS for action in ("change", "view")\n'
            '    ] + ["briefing.publish_briefing"],',
        ),
    ),
    m(
        "permission: previews for staff without the view permission",
        "tests/test_preview.py",
        (
            PERMISSIONS,
            "return user.is_active and user.is_staff and user.has_perm(VIEW_PERMISSION)",
            "return user.is_active and user.is_staff",
        ),
    ),
    m(
        "permission: the bounce webhook without its secret",
        "tests/test_newsletter.py",
        (
            "newsletter/bounces.py",
            "if not hmac.compare_digest(secret.encode(), settings.NEWSLETTER_WEBHOOK_SECRET.encode()):",
            "if False:",
        ),
    ),
    m(
        "permission: the bounce webhook open when no secret is configured",
        "tests/test_newsletter.py",
        (
            "newsletter/views.py",
            "    if not secret:\n        raise Http404",
            "    if False:\n        raise Http404",
        ),
    ),
    m(
        "newsletter: a one-click unsubscribe without List-Unsubscribe=One-Click",
        "tests/test_newsletter.py",
        (
            "newsletter/views.py",
            'if request.POST.get("List-Unsubscribe") != "One-Click":',
            "if False:",
        ),
    ),
    m(
        "newsletter: a subscription confirmed by a GET (a mail scanner following the link)",
        "tests/test_newsletter.py",
        (
            "newsletter/views.py",
            '    if request.method == "POST":\n        subscriptions.confirm(subscriber)',
            "    if True:\n        subscriptions.confirm(subscriber)",
        ),
    ),
    # --- Public means published() -----------------------------------------------------------
    m(
        "published(): scheduled issues public before their time",
        "tests/test_models.py tests/test_never_public.py tests/test_issue_page.py",
        (
            "briefing/models.py",
            "return self.filter(status=Briefing.Status.PUBLISHED, publish_at__lte=now)",
            "return self.filter(status=Briefing.Status.PUBLISHED)",
        ),
    ),
    m(
        "published(): any status public",
        "tests/test_models.py tests/test_never_public.py tests/test_issue_page.py",
        (
            "briefing/models.py",
            "return self.filter(status=Briefing.Status.PUBLISHED, publish_at__lte=now)",
            "return self.filter(publish_at__lte=now)",
        ),
    ),
    m(
        "published(): an issue not yet public at its very publication time",
        "tests/test_models.py tests/test_never_public.py tests/test_issue_page.py",
        (
            "briefing/models.py",
            "return self.filter(status=Briefing.Status.PUBLISHED, publish_at__lte=now)",
            "return self.filter(status=Briefing.Status.PUBLISHED, publish_at__lt=now)",
        ),
    ),
    # --- Cache invalidation -------------------------------------------------------------------
    m(
        "cache: a content change does not make cached pages stale",
        "tests/test_caching.py",
        (CACHE, "def content_changed() -> None:\n", "def content_changed() -> None:\n    return\n"),
    ),
    m(
        "cache: the cache's copy of the generation used whatever the database's number",
        "tests/test_caching.py",
        (CACHE, "    if number is not None and copy_number != number:\n        return None\n", ""),
    ),
    m(
        "cache: the generation outlives the next scheduled publication",
        "tests/test_caching.py",
        (
            CACHE,
            "return number, token, last_modified, next_at.timestamp() if next_at else None",
            "return number, token, last_modified, None",
        ),
    ),
    m(
        "cache: a page of an old generation is served",
        "tests/test_caching.py",
        (CACHE, "if stored is not None and stored[0] != generation.token:", "if False:"),
    ),
    m(
        "cache: the site header is rendered once for every language",
        "tests/test_issue_page.py",
        (
            "templates/base.html",
            "site_header LANGUAGE_CODE request.META.SCRIPT_NAME",
            "site_header request.META.SCRIPT_NAME",
        ),
    ),
    m(
        "cache: the site header is rendered once whatever the script prefix",
        "tests/test_issue_page.py",
        (
            "templates/base.html",
            "site_header LANGUAGE_CODE request.META.SCRIPT_NAME",
            "site_header LANGUAGE_CODE",
        ),
    ),
    m(
        "content map: the issue page leaves out a kind of part",
        "tests/test_content_map.py",
        (
            "briefing/issue_page.py",
            '    TAKEAWAY: PartQuery("deep_dive__briefing_id", "deep_dive_id", ("deep_dive_id", "position")),\n',
            "",
        ),
    ),
    m(
        "cache: keyword links changing do not invalidate",
        "tests/test_caching.py",
        (
            RECEIVERS,
            'if action not in ("post_add", "post_remove", "post_clear", "pre_clear"):',
            "if True:",
        ),
    ),
    m(
        "cache: deletions do not invalidate",
        "tests/test_caching.py",
        (
            RECEIVERS,
            "        post_delete.connect(\n"
            '            on_content_saved_or_deleted, sender=model, dispatch_uid=f"content-del-{model}"\n'
            "        )\n",
            "",
        ),
    ),
    m(
        "cache: previews stored in the page cache",
        "tests/test_caching.py tests/test_preview.py",
        (CACHE, "    patch_cache_control(response, private=True, no_store=True)", "    return"),
    ),
    m(
        "cache: private responses stored, previews served from the page cache",
        "tests/test_caching.py tests/test_preview.py",
        (
            CACHE,
            'return response.status_code == 200 and "private" not in response.headers.get(',
            'return response.status_code == 200 or "private" not in response.headers.get(',
        ),
        (
            "editorial/views.py",
            "def preview(request, date):",
            "@cached_page\ndef preview(request, date):",
        ),
        (
            "editorial/views.py",
            "from editorial.permissions import",
            "from briefing.cache import cached_page\nfrom editorial.permissions import",
        ),
    ),
    # --- Archive restore ------------------------------------------------------------------------
    m(
        "restore: an issue in review silently dropped",
        "tests/test_backup_archive.py",
        (
            ARCHIVE,
            "            briefing = save_briefing_data(",
            '            if data.get("status") == "review":\n                return\n'
            "            briefing = save_briefing_data(",
        ),
    ),
    m(
        "restore: translation states not restored",
        "tests/test_backup_archive.py",
        (ARCHIVE, "            restore_editorial_state(briefing, data)\n", ""),
    ),
    m(
        "restore: archived timestamps not restored",
        "tests/test_backup_archive.py",
        (
            ARCHIVE,
            "    Briefing.objects.filter(pk=briefing.pk).update(\n"
            '        created_at=_timestamp(data, "created_at"), updated_at=_timestamp(data, "updated_at")\n'
            "    )\n",
            "",
        ),
    ),
    m(
        "restore: not all or nothing",
        "tests/test_backup_archive.py",
        (
            ARCHIVE,
            "    with transaction.atomic():\n        if Briefing",
            "    if True:\n        if Briefing",
        ),
    ),
    m(
        "restore: into a database that already has briefings",
        "tests/test_backup_archive.py",
        (
            ARCHIVE,
            "        if Briefing.objects.exists():\n            raise ArchiveError(",
            "        if False:\n            raise ArchiveError(",
        ),
    ),
    m(
        "restore: a sent edition not restored (the issue is sent again)",
        "tests/test_backup_archive.py",
        (ARCHIVE, "        edition.save()\n", ""),
    ),
    m(
        "restore: an interrupted edition restored as it was",
        "tests/test_backup_archive.py",
        (
            "newsletter/interchange.py",
            '    if values["state"] not in FINISHED_EDITION_STATES:',
            "    if False:",
        ),
    ),
    # --- Translation sources: PO files and the editor -------------------------------------------
    m(
        "PO: a translation of a changed source applied",
        "tests/test_po_files.py tests/test_translator_editor.py",
        (PO, "if normalize(entry.msgid) != item.texts[source]:", "if False:"),
    ),
    m(
        "PO: a fuzzy entry applied",
        "tests/test_po_files.py tests/test_translator_editor.py",
        (PO, 'if "fuzzy" in entry.flags:', "if False:"),
    ),
    m(
        "PO: a translation too long for its field applied",
        "tests/test_po_files.py",
        (PO, "if limit and len(translation) > limit:", "if False:"),
    ),
    m(
        "PO: an upload for another issue applied",
        "tests/test_translator_editor.py",
        (
            PO,
            'po.metadata.get("X-Briefing-Date") != briefing.date.isoformat()',
            "False",
        ),
    ),
    m(
        "PO: an upload for another language applied",
        "tests/test_translator_editor.py",
        (PO, 'po.metadata.get("Language") != target', "False"),
    ),
    m(
        "editor: a translation of a source changed meanwhile saved",
        "tests/test_translator_editor.py",
        (
            "editorial/translation/forms.py",
            "if cleaned.get(source_field(item.path)) != fingerprint(item.texts[source]):",
            "if False:",
        ),
    ),
    m(
        "editor: 'still correct' applied to fields that are not outdated",
        "tests/test_translator_editor.py",
        (
            TRANSLATION_VIEWS,
            'set(request.POST.getlist("still_correct")) & outdated',
            'set(request.POST.getlist("still_correct"))',
        ),
        (
            "editorial/translation/editor.py",
            "                and item.path not in changed\n"
            "                and item.status[target] == OUTDATED\n",
            "                and item.path not in changed\n",
        ),
    ),
    # --- Two-factor login -----------------------------------------------------------------------
    m(
        "two-factor: login without the code of a confirmed device",
        "tests/test_two_factor.py",
        (TWO_FACTOR, "        if device is not None:\n", "        if False:\n"),
    ),
    m(
        "two-factor: a wrong code at login is not a failed login for the lockout",
        "tests/test_two_factor.py",
        (TWO_FACTOR, "                user_login_failed.send(", "                dict("),
    ),
    m(
        "two-factor: a session that showed no code is kept",
        "tests/test_two_factor.py",
        (TWO_FACTOR, "            logout(request)\n", "            pass\n"),
    ),
    m(
        "two-factor: a superuser who must is not sent to set it up",
        "tests/test_two_factor.py",
        (TWO_FACTOR, '            return redirect("two_factor")', "            return None"),
    ),
    m(
        "two-factor: superusers forced whatever the setting",
        "tests/test_two_factor.py",
        (
            TWO_FACTOR,
            "return settings.OTP_REQUIRED_FOR_SUPERUSERS and user.is_superuser",
            "return user.is_superuser",
        ),
    ),
    m(
        "two-factor: a device confirmed without a valid code",
        "tests/test_two_factor.py",
        (
            TWO_FACTOR_VIEWS,
            "    form = CodeForm(device, request.POST)\n    if not form.is_valid():\n"
            "        return render_page(request, form)\n",
            "",
        ),
    ),
    m(
        "two-factor: the device to confirm is anyone's",
        "tests/test_two_factor.py",
        (
            TWO_FACTOR_VIEWS,
            "    device = two_factor.pending_device(request.user)",
            "    device = TOTPDevice.objects.filter(confirmed=False).first()",
        ),
    ),
    m(
        "two-factor: turned off without a valid code",
        "tests/test_two_factor.py",
        (
            TWO_FACTOR_VIEWS,
            "    if not form.is_valid():\n        return render_page(request, form)\n"
            "    two_factor.turn_off",
            "    two_factor.turn_off",
        ),
    ),
    m(
        "two-factor: the pages without a staff login",
        "tests/test_two_factor.py",
        (
            TWO_FACTOR_VIEWS,
            "@require_POST\n@staff_member_required\ndef start",
            "@require_POST\ndef start",
        ),
    ),
    m(
        "two-factor: the code kept in the record of a failed login",
        "tests/test_two_factor.py",
        (
            "config/settings.py",
            'AXES_SENSITIVE_PARAMETERS = ["otp_token"]',
            "AXES_SENSITIVE_PARAMETERS = []",
        ),
    ),
    m(
        "two-factor: check --deploy silent when superusers may do without",
        "tests/test_two_factor.py",
        ("editorial/checks.py", "    if settings.OTP_REQUIRED_FOR_SUPERUSERS:\n", "    if True:\n"),
    ),
    # --- An issue's limits (docs/text-format.md "Limits") --------------------------------------
    m(
        "limits: a text over the byte limit parsed",
        "tests/test_import_limits.py",
        ("editorial/interchange/textformat.py", "    if size > MAX_TEXT_BYTES:", "    if False:"),
    ),
    m(
        "limits: an upload over the byte limit read",
        "tests/test_import_limits.py",
        ("editorial/forms.py", "if upload.size > MAX_TEXT_BYTES:", "if False:"),
    ),
    m(
        "limits: the parser reads on past the deep-dive limit",
        "tests/test_import_limits.py",
        ("editorial/interchange/textformat.py", "if expected > DEEP_DIVE.max_items:", "if False:"),
    ),
    m(
        "limits: data over the limits saved",
        "tests/test_import_limits.py",
        ("editorial/interchange/importing.py", "        check_limits(data)", "        pass"),
    ),
    m(
        "limits: the preview's Save re-posts the text",
        "tests/test_import_limits.py",
        (
            "templates/editorial/import.html",
            '<input type="hidden" name="preview_token" value="{{ preview_token }}">',
            '<textarea name="text" hidden>{{ text }}</textarea>',
        ),
    ),
    m(
        "PO: a refused upload answered 200",
        "tests/test_translator_editor.py tests/test_bad_input.py",
        (TRANSLATION_VIEWS, "form, status=400", "form, status=200"),
    ),
    # --- Keyword names wait until their issue is live ------------------------------------------
    m(
        "keywords: a scheduled issue's names applied when it is scheduled",
        "tests/test_keyword_privacy.py",
        (
            "editorial/workflow.py",
            "        if briefing.is_published:\n            keyword_names",
            "        if True:\n            keyword_names",
        ),
    ),
    m(
        "keywords: a name written for a scheduled issue applied at once",
        "tests/test_keyword_privacy.py",
        (
            "editorial/keywords.py",
            "    if briefing.is_published or",
            "    if briefing.status == Briefing.Status.PUBLISHED or",
        ),
    ),
    m(
        "keywords: a scheduled issue's keywords not protected",
        "tests/test_keyword_privacy.py",
        (
            "editorial/keywords.py",
            "        and keyword.briefings.filter(status=Briefing.Status.PUBLISHED)",
            "        and keyword.briefings.published()",
        ),
    ),
    m(
        "keywords: names never applied when a scheduled issue goes live",
        "tests/test_keyword_privacy.py",
        (
            "editorial/keywords.py",
            "            apply_pending_names(briefing)\n        count",
            "            pass\n        count",
        ),
    ),
]


def tracked_files(root: Path) -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=root,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return [name for name in listed.split("\0") if name and (root / name).is_file()]


def copy_tree(root: Path, destination: Path) -> None:
    for name in tracked_files(root):
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / name, target)


def locate(tree: Path, patch: Patch, files: list[str]) -> tuple[str | None, str]:
    """The file that holds the patch's target once: its own, else the only other that does."""
    own = tree / patch.path
    if own.is_file():
        count = own.read_text(encoding="utf-8").count(patch.old)
        if count == 1:
            return patch.path, ""
        if count > 1:
            return None, "target ambiguous"
    holders = [
        name
        for name in files
        if name.endswith(SOURCE_SUFFIXES)
        and not name.startswith(("tests/", "tools/"))
        and (tree / name).read_text(encoding="utf-8", errors="replace").count(patch.old) == 1
    ]
    if len(holders) == 1:
        return holders[0], f"moved to {holders[0]}"
    return None, "target ambiguous" if holders else "target not found"


def run_env(tree: Path) -> dict:
    """SQLite and the in-process cache; the copy's code first on the import path."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "CI")}
    env["PYTHONPATH"] = str(tree)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def run_tests(tree: Path, tests: tuple[str, ...]) -> subprocess.CompletedProcess:
    env = run_env(tree)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-x",
            "-q",
            "-p",
            "no:cacheprovider",
            "-m",
            "not browser",
            *tests,
        ],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
    )


def check(tree: Path, mutation: Mutation, files: list[str]) -> tuple[str, str]:
    originals = {}
    notes = []
    try:
        for patch in mutation.patches:
            path, note = locate(tree, patch, files)
            if path is None:
                return note, f"{patch.path}: {patch.old.splitlines()[0].strip()!r}"
            if note:
                notes.append(note)
            file = tree / path
            originals.setdefault(file, file.read_text(encoding="utf-8"))
            file.write_text(
                file.read_text(encoding="utf-8").replace(patch.old, patch.new, 1), encoding="utf-8"
            )
        result = run_tests(tree, mutation.tests)
    finally:
        for file, text in originals.items():
            file.write_text(text, encoding="utf-8")
    summary = "; ".join(notes)
    if result.returncode == 1:
        failed = [line for line in result.stdout.splitlines() if line.startswith("FAILED")]
        return "caught", (failed[0][7:] if failed else summary)
    if result.returncode == 0:
        return "NOT CAUGHT", summary
    return "error", f"pytest exited {result.returncode}: " + result.stdout[-300:]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("only", nargs="*", help="run only mutations whose name contains these")
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    args = parser.parse_args()
    chosen = [
        mutation
        for mutation in MUTATIONS
        if not args.only or any(word.lower() in mutation.name.lower() for word in args.only)
    ]
    if args.list:
        for mutation in chosen:
            print(f"{mutation.name}  [{' '.join(mutation.tests)}]")
        return 0

    with tempfile.TemporaryDirectory(prefix="mutation-check-") as scratch:
        tree = Path(scratch)
        copy_tree(ROOT, tree)
        files = tracked_files(ROOT)
        imported = subprocess.run(
            [sys.executable, "-c", "import briefing; print(briefing.__file__)"],
            cwd=tree,
            env=run_env(tree),
            capture_output=True,
            text=True,
        ).stdout.strip()
        if not imported.startswith(str(tree)):
            print(f"The tests would import the project from {imported}, not the copy: stopping.")
            return 2
        tests = tuple(sorted({test for mutation in chosen for test in mutation.tests}))
        print(f"Baseline: {' '.join(tests)}", flush=True)
        baseline = run_tests(tree, tests)
        if baseline.returncode != 0:
            print(baseline.stdout[-3000:])
            print("The tests fail without any mutation: fix them first.")
            return 2
        results = []
        for mutation in chosen:
            started = time.monotonic()
            outcome, detail = check(tree, mutation, files)
            results.append(outcome)
            print(
                f"{outcome:<17} {mutation.name} ({time.monotonic() - started:.0f} s)"
                + (f"\n                  {detail}" if detail else ""),
                flush=True,
            )

    counts = {outcome: results.count(outcome) for outcome in dict.fromkeys(results)}
    print("\n" + ", ".join(f"{count} {outcome}" for outcome, count in counts.items()))
    return 0 if counts.get("caught", 0) == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())

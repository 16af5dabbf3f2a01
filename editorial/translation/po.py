"""Translations of one issue as a PO file (polib), for translators working in their own tools.

Each translated field is one entry: `msgctxt` names the issue and the field by date, position
and slug ("2026-05-19/deep_dives/1/title"), which stays stable when rows are re-created;
`msgid` is the source text, `msgstr` the translation, and an outdated translation is marked
fuzzy with the source it was written against as the previous msgid, as gettext tools expect.
"""

import re
from dataclasses import dataclass, field

import polib
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from briefing.content import MAX_TEXT_BYTES
from briefing.models import Briefing, Keyword
from briefing.serialization import LANGUAGE_CODES
from editorial import history
from editorial import keywords as keyword_names
from editorial.history import auto_now_fields
from editorial.interchange.importing import ImportRefused, parse_date

from .editor import shown_texts
from .state import (
    keep_source_current,
    mark_still_correct,
    normalize,
    other_language,
)
from .status import OUTDATED, briefing_status


class POImportError(Exception):
    """The file cannot be imported at all; nothing was saved."""


# An issue's PO file holds its text in both languages (msgid, msgstr) and a line or two about
# each field: for an issue at its byte limit (briefing.content.MAX_TEXT_BYTES) it stays well
# inside twice that.
MAX_PO_BYTES = 2 * MAX_TEXT_BYTES


def too_large(size: int) -> POImportError:
    return POImportError(
        _("The file is %(found)s bytes; the limit is %(limit)s bytes (%(size)s).")
        % {"found": f"{size:,}", "limit": f"{MAX_PO_BYTES:,}", "size": filesizeformat(MAX_PO_BYTES)}
    )


def read_po_upload(upload, briefing: Briefing, target: str) -> polib.POFile:
    """An uploaded file as the PO file of `briefing` into `target`, or POImportError; a file
    over the size limit is refused unread."""
    if upload.size > MAX_PO_BYTES:
        raise too_large(upload.size)
    po = read_po(upload.read())
    if po.metadata.get("X-Briefing-Date") != briefing.date.isoformat() or (
        po.metadata.get("Language") != target
    ):
        raise POImportError(
            _("This file is for %(date)s into “%(language)s”, not this page.")
            % {
                "date": po.metadata.get("X-Briefing-Date", "?"),
                "language": po.metadata.get("Language", "?"),
            }
        )
    return po


def export_po(briefing: Briefing, target: str) -> polib.POFile:
    source = other_language(target)
    date = briefing.date.isoformat()
    po = polib.POFile(wrapwidth=0)
    po.metadata = {
        "Project-Id-Version": f"daily-briefing {date}",
        "POT-Creation-Date": timezone.now().strftime("%Y-%m-%d %H:%M%z"),
        "Language": target,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "X-Briefing-Date": date,
        "X-Source-Language": source,
    }
    for item in briefing_status(briefing):
        if not item.texts[source]:
            continue  # nothing to translate from
        outdated = item.status[target] == OUTDATED
        po.append(
            polib.POEntry(
                msgctxt=f"{date}/{item.path}",
                msgid=item.texts[source],
                msgstr=item.texts[target],
                flags=["fuzzy"] if outdated else [],
                previous_msgid=item.written_against[target] if outdated else None,
                comment=f"{item.section} · {item.label}",
            )
        )
    return po


# More entries skipped for one reason than this are reported as a count.
SKIPPED_LISTED = 3


@dataclass
class ImportReport:
    date: str
    language: str
    changed: list = field(default_factory=list)
    confirmed: list = field(default_factory=list)  # outdated, accepted unchanged (fuzzy removed)
    refused: list = field(default_factory=list)  # (msgctxt, reason)
    skipped: list = field(default_factory=list)  # (msgctxt, reason): fuzzy or untranslated
    waiting: list = field(default_factory=list)  # keyword names kept until the issue is published

    def lines(self) -> list[str]:
        lines = [_("changed: %(context)s") % {"context": c} for c in self.changed]
        lines += [_("marked still correct: %(context)s") % {"context": c} for c in self.confirmed]
        lines += [
            _("refused: %(context)s (%(reason)s)") % {"context": c, "reason": r}
            for c, r in self.refused
        ]
        lines += [
            _("kept for this issue, shown when it is published: %(context)s") % {"context": c}
            for c in self.waiting
        ]
        by_reason = {}
        for context, reason in self.skipped:
            by_reason.setdefault(reason, []).append(context)
        for reason, contexts in by_reason.items():
            # A file of a half-done translation skips most entries: one line, not a screenful.
            if len(contexts) > SKIPPED_LISTED:
                lines.append(
                    _("skipped: %(count)d entries (%(reason)s)")
                    % {"count": len(contexts), "reason": reason}
                )
            else:
                lines += [
                    _("skipped: %(context)s (%(reason)s)") % {"context": c, "reason": reason}
                    for c in contexts
                ]
        lines.append(
            _("%(date)s, %(language)s: %(changed)d changed, %(refused)d refused.")
            % {
                "date": self.date,
                "language": self.language,
                "changed": len(self.changed),
                "refused": len(self.refused),
            }
        )
        return lines


def max_length(item) -> int | None:
    return type(item.obj)._meta.get_field(item.field).max_length


def read_po(content) -> polib.POFile:
    if len(content) > MAX_PO_BYTES:
        raise too_large(len(content))
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8")
        except UnicodeDecodeError:
            raise POImportError(_("The file is not UTF-8 text.")) from None
    if not content.strip():
        raise POImportError(_("The file is empty."))
    if "\x00" in content:
        # PostgreSQL cannot store it in a text column.
        raise POImportError(_("The file contains a NUL character."))
    try:
        # polib reads a string that names an existing file as that file: a final newline
        # (nothing in a PO file, and no line number moves) keeps an upload of "/etc/passwd"
        # the text it is.
        return polib.pofile(content + "\n", wrapwidth=0)
    except (OSError, ValueError) as exc:
        raise not_a_po_file(str(exc)) from None


# polib's parse errors are English sentences: "Syntax error in po file (line 3): unknown keyword
# msgfoo". Their line and detail are told in the reader's language.
POLIB_SYNTAX_ERROR = re.compile(
    r"\(line (?P<line>\d+)\)(?:: (?:unknown keyword (?P<keyword>\S+)|(?P<detail>.+)))?$"
)
POLIB_DETAILS = {
    "unescaped double quote found": gettext_lazy("a double quote is not escaped"),
    "invalid continuation line": gettext_lazy("a “#|” comment is incomplete"),
}


def not_a_po_file(polib_error: str) -> POImportError:
    found = POLIB_SYNTAX_ERROR.search(polib_error)
    if found is None:
        return POImportError(_("Not a valid PO file."))
    if found["keyword"]:
        detail = _("unknown keyword %(keyword)s in a “#|” comment") % {"keyword": found["keyword"]}
    else:
        detail = POLIB_DETAILS.get(found["detail"])
    if detail is None:
        return POImportError(
            _("Not a valid PO file: syntax error on line %(line)s.") % {"line": found["line"]}
        )
    return POImportError(
        _("Not a valid PO file: syntax error on line %(line)s (%(detail)s).")
        % {"line": found["line"], "detail": detail}
    )


def _kind(path: str) -> str:
    """A field's path without its numbers: "deep_dives/2/title" → "deep_dives/*/title"."""
    return "/".join("*" if segment.isdigit() else segment for segment in path.split("/"))


def _moved_sources(items, source: str) -> dict:
    """{(kind, source text): field} for each source text that exactly one field of its kind
    holds: where an entry whose part moved since the export now belongs."""
    found = {}
    for item in items:
        key = (_kind(item.path), item.texts[source])
        if item.texts[source]:
            found[key] = None if key in found else item
    return {key: item for key, item in found.items() if item is not None}


def import_po(po: polib.POFile, *, user=None) -> ImportReport:
    """Apply the translations of a PO file made by export_po, atomically, as one revision."""
    target = po.metadata.get("Language", "")
    if target not in LANGUAGE_CODES:
        raise POImportError(
            _("The file names no target language (Language: ja or en), it names “%(value)s”.")
            % {"value": target}
        )
    try:
        date = parse_date(po.metadata.get("X-Briefing-Date"))
    except ImportRefused:
        raise POImportError(_("The file names no issue date (X-Briefing-Date).")) from None
    briefing = Briefing.objects.filter(date=date).first()
    if briefing is None:
        raise POImportError(_("There is no briefing for %(date)s.") % {"date": date.isoformat()})
    source = other_language(target)
    report = ImportReport(date=date.isoformat(), language=target)
    fields = {f"{date.isoformat()}/{item.path}": item for item in briefing_status(briefing)}
    shown = shown_texts(briefing, fields.values(), target)

    moved = _moved_sources(fields.values(), source)
    taken = set()  # the fields an entry was applied to: never two entries to one field

    with history.revision():
        dirty, confirm = {}, []
        for entry in po:
            if entry.obsolete:
                continue
            context, translation = entry.msgctxt, normalize(entry.msgstr)
            if not translation:
                report.skipped.append((context, _("not translated")))
                continue
            item = fields.get(context)
            if item is None or normalize(entry.msgid) != item.texts[source]:
                # Parts reordered since the export: the entry follows its source text to the
                # one field of its kind that now holds it.
                # The context is "DATE/path".
                path = context.partition("/")[2]
                item = moved.get((_kind(path), normalize(entry.msgid)))
                if item is None:
                    reason = (
                        _("no such field in this issue")
                        if context not in fields
                        else _("the source changed since the export")
                    )
                    report.refused.append((context, reason))
                    continue
                context = f"{date.isoformat()}/{item.path}"
            if "fuzzy" in entry.flags:
                report.skipped.append((context, _("marked fuzzy")))
                continue
            if context in taken:
                report.refused.append((context, _("another entry of this file wrote it")))
                continue
            taken.add(context)
            limit = max_length(item)
            if limit and len(translation) > limit:
                report.refused.append(
                    (context, _("longer than %(limit)d characters") % {"limit": limit})
                )
                continue
            if translation != shown[item.path]:
                if isinstance(item.obj, Keyword) and not keyword_names.name_keyword(
                    briefing, item.obj, target, translation
                ):
                    # A keyword a public issue shows: named when this issue is published.
                    report.waiting.append(context)
                    continue
                setattr(item.obj, f"{item.field}_{target}", translation)
                dirty.setdefault((type(item.obj), item.obj.pk), (item.obj, set()))[1].add(
                    f"{item.field}_{target}"
                )
                report.changed.append(context)
            elif item.status[target] == OUTDATED:
                confirm.append(item)
                report.confirmed.append(context)
        # Only the texts written here: a stale copy of the issue must not write back its
        # status or any other field someone changed meanwhile.
        for obj, columns in dirty.values():
            obj.save(update_fields=[*columns, *auto_now_fields(obj)])
        for context in report.changed:
            keep_source_current(fields[context].obj, fields[context].field, target)
        for item in confirm:
            mark_still_correct(item.obj, item.field, target)
        if dirty or confirm:
            history.record(
                briefing,
                user,
                "translated",
                count=len(report.changed),
                language=target,
                source="po",
            )
    return report

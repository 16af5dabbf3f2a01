"""The one completeness figure of an issue: per language, the share of its written fields
(text in any language) that are written in this language and up to date.

Stored in briefing.models.Completeness, so lists and the API read it instead of computing it
over every text of every issue. editorial.receivers calls `update_completeness` in the
transaction of every write (once per revision); `resync` rebuilds it for every issue.
"""

from django.db.models import Exists, OuterRef, Prefetch, Q

from briefing.content import LANGUAGE_CODES
from briefing.models import Briefing, Completeness

from .status import MISSING, OUTDATED, load_with_status, summarize


def update_completeness(briefing_ids) -> int:
    """Recompute the stored figures of these issues (ids of deleted issues are ignored), in a
    fixed number of queries however many issues. Returns how many issues were updated."""
    ids = set(briefing_ids)
    if not ids:
        return 0
    rows = []
    briefings = load_with_status(Briefing.objects.filter(pk__in=ids))
    for briefing in briefings:
        written = sum(1 for f in briefing.translated_fields if any(f.texts.values()))
        for code, counts in summarize(briefing.translated_fields).items():
            rows.append(
                Completeness(
                    briefing=briefing,
                    language=code,
                    written=written,
                    missing=counts["missing"],
                    outdated=counts["outdated"],
                    percent=counts["completeness"],
                )
            )
    Completeness.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["briefing", "language"],
        update_fields=["written", "missing", "outdated", "percent"],
    )
    return len(briefings)


def stored(briefing) -> dict[str, Completeness | None]:
    """{language: its stored figure} of one issue (prefetch "completeness" for lists);
    None for a language not computed yet (run `resync`)."""
    rows = {row.language: row for row in briefing.completeness.all()}
    return {code: rows.get(code) for code in LANGUAGE_CODES}


def as_summary(briefing) -> dict[str, dict]:
    """The stored figures in the shape of status.summarize()."""
    return {
        code: (
            {"missing": row.missing, "outdated": row.outdated, "completeness": row.percent}
            if row is not None
            else {"missing": 0, "outdated": 0, "completeness": None}
        )
        for code, row in stored(briefing).items()
    }


def describe(briefing) -> str:
    """'ja 100% · en 82%', as the admin list and the publish confirmation write it."""
    return " · ".join(
        f"{code} {'—' if row is None else f'{row.percent}%'}"
        for code, row in stored(briefing).items()
    )


def with_completeness(queryset):
    """Each issue with its stored figures (one query for a whole page)."""
    return queryset.prefetch_related(
        Prefetch("completeness", queryset=Completeness.objects.order_by("language"))
    )


def translation_queue(*, target: str | None = None, status: str | None = None):
    """Issues with work for translators, newest first (a queryset: filtered, ordered and paged
    in the database). `target`: a language (None: any); `status`: MISSING or OUTDATED (None:
    either)."""
    if status == MISSING:
        work = Q(missing__gt=0)
    elif status == OUTDATED:
        work = Q(outdated__gt=0)
    else:
        work = Q(missing__gt=0) | Q(outdated__gt=0)
    rows = Completeness.objects.filter(work, briefing=OuterRef("pk"))
    if target:
        rows = rows.filter(language=target)
    listing = Briefing.objects.filter(Exists(rows)).order_by("-date")
    return with_completeness(
        listing.only("pk", "date", "status", "publish_at", "theme_ja", "theme_en")
    )

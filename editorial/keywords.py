"""Keyword names and drafts: keywords are shared between issues, so a name written while
working on an issue that is not public must not reach the pages of the issues that are.

Such a name waits (editorial.models.PendingKeywordName) and replaces the shown one when its
issue is published; a keyword no public issue shows is named at once. The keyword admin
edits names directly: that is the deliberate way to rename a public keyword.
"""

from briefing.models import Briefing, Keyword
from editorial.models import PendingKeywordName


def shown_publicly(keyword: Keyword, besides: Briefing) -> bool:
    """Whether a published issue (live or scheduled) other than `besides` shows `keyword`."""
    return (
        keyword.pk is not None
        and keyword.briefings.filter(status=Briefing.Status.PUBLISHED)
        .exclude(pk=besides.pk)
        .exists()
    )


def name_keyword(briefing: Briefing, keyword: Keyword, language: str, name: str) -> bool:
    """Give `keyword` the name `name` in `language`, written for `briefing`. Returns True when
    the keyword itself was changed (the caller saves it), False when the name waits for the
    issue's publication."""
    if briefing.status == Briefing.Status.PUBLISHED or not shown_publicly(keyword, briefing):
        setattr(keyword, f"name_{language}", name)
        return True
    PendingKeywordName.objects.update_or_create(
        briefing=briefing, keyword=keyword, language=language, defaults={"name": name}
    )
    return False


def apply_pending_names(briefing: Briefing) -> None:
    """On publication: the names written for `briefing` while it was not public."""
    pending = list(briefing.pending_keyword_names.select_related("keyword"))
    changed = {}
    for item in pending:
        setattr(item.keyword, f"name_{item.language}", item.name)
        changed[item.keyword.pk] = item.keyword
    for keyword in changed.values():
        keyword.save()  # its receivers refresh every issue that shows it
    briefing.pending_keyword_names.all().delete()

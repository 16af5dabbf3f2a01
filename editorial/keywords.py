"""Keyword names and drafts: keywords are shared between issues, so a name written while
working on an issue that readers cannot see yet must not reach the pages of the issues they can.

Such a name waits (editorial.models.PendingKeywordName) and replaces the shown one when its
issue goes live: at once when it is published now, at its time when it is scheduled (the
beat's `apply_due_keyword_names`, each minute). A keyword no published issue shows is named at
once. The keyword admin edits names directly: that is the deliberate way to rename a public
keyword.

Published means live or scheduled on both sides of the rule, each time in the readers' favour:
- a scheduled issue's keywords are protected like a live one's, since its page goes out at its
  time with nobody looking at it again;
- a name written for a scheduled issue waits until it is live, since until then its readers
  are the live issues' readers, who must not see it.
"""

from django.db import transaction

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
    issue to go live."""
    waiting = PendingKeywordName.objects.filter(
        briefing=briefing, keyword=keyword, language=language
    )
    if briefing.is_published or not shown_publicly(keyword, briefing):
        waiting.delete()  # this name replaces one that was waiting
        setattr(keyword, f"name_{language}", name)
        return True
    if name == getattr(keyword, f"name_{language}"):
        waiting.delete()  # back to the name readers see: nothing waits any more
    else:
        PendingKeywordName.objects.update_or_create(
            briefing=briefing, keyword=keyword, language=language, defaults={"name": name}
        )
    return False


def waiting_names(briefing: Briefing, language: str) -> dict[int, str]:
    """{keyword id: name} of the names written for `briefing` that wait for it to go live."""
    return dict(
        briefing.pending_keyword_names.filter(language=language).values_list("keyword_id", "name")
    )


def apply_pending_names(briefing: Briefing) -> None:
    """When `briefing` goes live: the names written for it while readers could not see it."""
    pending = list(briefing.pending_keyword_names.select_related("keyword"))
    changed = {}
    for item in pending:
        setattr(item.keyword, f"name_{item.language}", item.name)
        changed[item.keyword.pk] = item.keyword
    for keyword in changed.values():
        keyword.save()  # its receivers refresh every issue that shows it
    briefing.pending_keyword_names.all().delete()


def apply_due_names() -> int:
    """The waiting names of scheduled issues that have gone live, in the order they went live;
    returns how many issues had some."""
    due = Briefing.objects.published().filter(pk__in=PendingKeywordName.objects.values("briefing"))
    count = 0
    for briefing in due.order_by("publish_at", "pk"):
        with transaction.atomic():
            apply_pending_names(briefing)
        count += 1
    return count


def with_waiting_names(briefing: Briefing) -> Briefing:
    """`briefing`, its keywords loaded, with the names kept for its publication in place of the
    ones readers see, in memory only: what its preview shows (nothing is saved)."""
    waiting = {}
    for item in briefing.pending_keyword_names.all():
        waiting.setdefault(item.keyword_id, []).append((item.language, item.name))
    for keyword in briefing.keywords.all():
        for language, name in waiting.get(keyword.pk, []):
            setattr(keyword, f"name_{language}", name)
    return briefing

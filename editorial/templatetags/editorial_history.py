from django import template

from editorial import history

register = template.Library()


@register.filter
def revision_comment(comment: str) -> str:
    """A revision's comment in the reader's admin language."""
    return history.describe(comment or "")


@register.filter
def moment(value) -> str:
    """A moment in the admin's time zone, named, as every admin page shows one."""
    return history.format_moment(value) if value else ""

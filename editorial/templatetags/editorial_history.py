from django import template

from editorial import history

register = template.Library()


@register.filter
def revision_comment(comment: str) -> str:
    """A revision's comment in the reader's admin language."""
    return history.describe(comment or "")

"""Template tags of the email edition: each field in the subscriber's language(s)."""

from django import template
from django.utils import translation
from django.utils.html import format_html, format_html_join

from briefing.localization import localized
from briefing.templatetags.reading import text, text_in

register = template.Library()


@register.simple_tag(takes_context=True)
def field(context, obj, name, paragraphs=False):
    """One language: the field with the site's fallback (other language, marked). Both: the
    two languages side by side, as the parallel view shows them."""
    languages = context["languages"]
    if len(languages) == 1:
        with translation.override(languages[0]):
            return text(obj, name, paragraphs=paragraphs)
    cells = format_html_join(
        "",
        '<td class="pair__side" lang="{}" width="50%" valign="top">{}</td>',
        ((code, text_in(obj, name, code, paragraphs=paragraphs)) for code in languages),
    )
    return format_html(
        '<table class="pair" role="presentation" width="100%"><tr>{}</tr></table>', cells
    )


@register.simple_tag(takes_context=True)
def has_field(context, obj, name):
    return any(localized(obj, name, code) for code in context["languages"])


@register.simple_tag(takes_context=True)
def plain_field(context, obj, name, inline=False):
    """The field as plain text, each language on its own; fallback text carries its note."""
    parts = []
    for code in context["languages"]:
        value = localized(obj, name, code)
        if not value:
            continue
        if len(context["languages"]) == 1 and value.is_fallback:
            parts.append(f"[{value.note}]\n{value.text}")
        elif len(context["languages"]) == 1 or not value.is_fallback:
            parts.append(value.text)
    return (" / " if inline else "\n\n").join(parts)

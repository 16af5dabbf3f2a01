"""Template tags of the reading site. Everything editors write is escaped here."""

import json
import re
from urllib.parse import urlsplit

from django import template
from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.urls.base import translate_url
from django.utils import translation
from django.utils.html import escape, format_html, linebreaks
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from ..links import cached_reverse
from ..localization import FALLBACK_NOTES, LANGUAGE_NAMES, localized, reader_language

register = template.Library()

# As Django's json_script: inside <script>, "<", ">" and "&" could end the element or start a
# comment, so they are written as JSON escapes (the data stays the same JSON).
JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def _body(text: str, paragraphs: bool):
    if paragraphs:
        # linebreaks() escapes the text itself (autoescape=True) but returns a plain str.
        return mark_safe(linebreaks(text, autoescape=True))
    return escape(text)


@register.simple_tag
def text(obj, field, paragraphs=False, lang=None):
    """A translated field in the reader's language, or the other language's text in its `lang`.

    Empty (so `{% text ... as x %}{% if x %}` leaves out the whole section) when the field is
    written in neither language. A paragraph field in the other language carries a small
    marker naming its language (`fallback_marker`); a short one (a title, a keyword, a takeaway)
    only its `lang`, since it may sit in a link, a pill or a heading: the notice at the top of
    the issue says how much of it is not yet translated. `lang`: the reader's language, when
    the caller already knows it.
    """
    value = localized(obj, field, lang)
    if not value:
        return ""
    if not value.is_fallback:
        return _body(value.text, paragraphs)
    if paragraphs:
        return format_html(
            '<div class="fallback">{}<div lang="{}">{}</div></div>',
            fallback_marker(value.lang),
            value.lang,
            _body(value.text, True),
        )
    return format_html('<span lang="{}">{}</span>', value.lang, value.text)


@register.simple_tag
def fallback_marker(lang):
    """The small label of text shown in `lang` because it is not yet translated. It is in the
    reader's language (so it has no `lang` of its own) and is left out of print."""
    return format_html('<p class="fallback-note">{}</p>', FALLBACK_NOTES[lang])


@register.simple_tag
def fallback_language(objects, field, lang=None):
    """The language the field of these objects is shown in when none is in the reader's, else
    "" (for one marker over a list, such as a deep dive's takeaways)."""
    values = [localized(obj, field, lang) for obj in objects]
    shown = [value for value in values if value]
    if shown and all(value.is_fallback for value in shown):
        return shown[0].lang
    return ""


# The end of a sentence: a Japanese full stop, or ".!?" before a space.
_SENTENCE_END = re.compile(r"(?<=[。！？])|(?<=[.!?])\s")


@register.simple_tag
def first_sentence(obj, field):
    """The first sentence of a field (reader's language, else the other in its `lang`), for the
    compact cards of the archive: a whole TL;DR on every card made a month a wall of text."""
    value = localized(obj, field)
    if not value:
        return ""
    first = _SENTENCE_END.split(value.text.strip(), maxsplit=1)[0].strip()
    if value.is_fallback:
        return format_html('<span lang="{}">{}</span>', value.lang, first)
    return first


@register.simple_tag
def plain(obj, field):
    """The field as plain text in the page's language only (for <title>, meta tags): metadata
    never claims the page's language for the other language's text."""
    return getattr(obj, f"{field}_{reader_language()}") or ""


@register.simple_tag
def text_in(obj, field, lang, paragraphs=False):
    """One language of a field for the parallel view; a note, in the reader's language, when it
    is not written."""
    value = getattr(obj, f"{field}_{lang}") or ""
    if not value.strip():
        return format_html(
            '<{} class="missing" lang="{}">{}</{}>',
            "p" if paragraphs else "span",
            reader_language(),
            _("Not yet written in this language"),
            "p" if paragraphs else "span",
        )
    return _body(value, paragraphs)


@register.simple_tag
def has_text(obj, field):
    return any((getattr(obj, f"{field}_{code}") or "").strip() for code in LANGUAGE_NAMES)


@register.filter
def web_link(url):
    """The URL if it is an http(s) link, else "" (a stored javascript: URL must never be a link)."""
    return url if urlsplit(url or "").scheme in ("http", "https") else ""


@register.filter
def site_name(url):
    """The site a link leads to, as readers know it: "www.nikkei.com" → "nikkei.com"."""
    host = urlsplit(web_link(url)).hostname or ""
    return host.removeprefix("www.")


@register.filter
def two_digits(number):
    return f"{int(number):02d}"


@register.simple_tag(takes_context=True)
def page_in(context, lang):
    """This page in `lang` (same page, other language); the home page if there is none.
    Worked out once per request: the head's alternates and the language switch all ask, and
    each answer resolves the path and reverses it again."""
    request = context["request"]
    answers = request.__dict__.setdefault("_pages_in", {})
    key = (request.get_full_path(), lang, reader_language())
    if key not in answers:
        url = _translated(request, key[0], lang)
        if url == key[0] and lang != key[2]:
            with translation.override(lang):
                url = reverse("briefing:latest")
        answers[key] = url
    return answers[key]


def _translated(request, full_path: str, lang: str) -> str:
    """`translate_url(full_path, lang)` from the match Django made for this request, instead of
    resolving the path again (pages without one, such as a 404 for an unknown address, resolve
    it as translate_url does)."""
    match = request.resolver_match
    if match is None:
        return translate_url(full_path, lang)
    with translation.override(lang):
        try:
            url = reverse(match.view_name, args=match.args, kwargs=match.kwargs)
        except NoReverseMatch:
            return full_path
    _path, question_mark, query = full_path.partition("?")
    return url + question_mark + query


@register.simple_tag(takes_context=True)
def absolute_page_in(context, lang):
    return settings.SITE_URL + page_in(context, lang)


@register.simple_tag(takes_context=True)
def absolute_x_default(context):
    """This page without a language prefix: LocaleMiddleware redirects it by Accept-Language
    (the same x-default as the sitemap's)."""
    code = settings.LANGUAGE_CODE
    return settings.SITE_URL + page_in(context, code).replace(f"/{code}/", "/", 1)


@register.simple_tag
def site_url(name):
    """`{% url name %}` for a URL without arguments (the header's and footer's links), reversed
    once per language: the same string on every page while the process runs."""
    return cached_reverse(name)


@register.simple_tag
def absolute_url(name):
    """A named URL (in the active language) as a full address, to paste into another program."""
    return settings.SITE_URL + reverse(name)


@register.simple_tag
def absolute(path):
    return settings.SITE_URL + path


@register.simple_tag
def language_name(lang):
    with translation.override(lang):
        return str(LANGUAGE_NAMES[lang])


@register.simple_tag
def ld_json(data):
    """A <script type="application/ld+json"> element, safe whatever the data contains."""
    payload = json.dumps(data, ensure_ascii=False, sort_keys=True).translate(JSON_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))


@register.filter
def written(objects, fields):
    """The objects with text in at least one of the comma-separated fields, in any language."""
    names = fields.split(",")
    return [obj for obj in objects if any(has_text(obj, name) for name in names)]

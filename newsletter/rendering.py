"""The email edition of an issue, rendered once per language and personalised per subscriber.

Rendering and CSS inlining are done once for each language (ja, en, both); the per-subscriber
parts are only the links carrying the subscriber's token, put in by string replacement, so a
send of thousands of messages costs little more than the SMTP conversation itself.
"""

import datetime
import functools
from dataclasses import dataclass
from email.header import Header
from email.utils import make_msgid
from urllib.parse import urlsplit

import css_inline
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from briefing.models import Briefing

from .models import Subscriber

# Stands for the subscriber's token in the shared rendering: letters only, so neither HTML
# escaping nor CSS inlining can alter it, and a real token never contains it.
TOKEN_PLACEHOLDER = "NEWSLETTERTOKENPLACEHOLDER"

SITE_NAME = gettext_lazy("Daily Briefing")
# Section headings, in every language of the edition (both: Japanese · English).
HEADINGS = {
    "theme": gettext_lazy("Today's theme"),
    "tldr": gettext_lazy("TL;DR"),
    "deep_dive": gettext_lazy("Deep Dive"),
    "what_happened": gettext_lazy("What Happened"),
    "why_it_matters": gettext_lazy("Why It Matters"),
    "takeaways": gettext_lazy("Key Takeaways"),
    "practical_points": gettext_lazy("Practical Points"),
    "read_more": gettext_lazy("Read More"),
}

_inliner = css_inline.CSSInliner(load_remote_stylesheets=False)

# SMTP lines are at most 998 bytes. Short lines let Django send the HTML as plain 8-bit
# UTF-8 instead of quoted-printable, which triples the size of Japanese text and costs most of
# the time of building each message.
# Lines are broken at the first safe place after this many bytes, so that with the longest
# piece that cannot be broken (a quoted attribute: a link of up to 500 characters) they stay
# under the limit; should one not, Django falls back to quoted-printable, which is still right.
BREAK_AFTER_BYTES = 400
# A line break inside a comment: no whitespace reaches the text, so Japanese (where a line
# break would show as a space) reads the same.
HIDDEN_LINE_BREAK = "<!--\n-->"


def short_lines(html: str) -> str:
    """`html` with its long lines broken where that changes nothing: between characters of text
    or after a tag (inside a comment), or between two attributes of a tag."""
    return "\n".join(
        _split_line(line) if len(line.encode()) > BREAK_AFTER_BYTES else line
        for line in html.split("\n")
    )


def _split_line(line: str) -> str:
    out = []
    size = 0
    in_tag = in_quotes = in_entity = False
    for char in line:
        if size > BREAK_AFTER_BYTES:
            if not in_tag and not in_entity:
                # Between characters of text, or between a tag and what follows it.
                out.append(HIDDEN_LINE_BREAK)
                size = 0
            elif in_tag and not in_quotes and char == " ":
                # Between two attributes, where a line break is as good as a space.
                out.append("\n")
                size = 0
                continue
        if in_tag and char == '"':  # the serializer quotes every attribute value so
            in_quotes = not in_quotes
        elif in_quotes:
            pass  # "<", ">" and "&" inside an attribute value are not markup
        elif char == "<":
            in_tag = True
        elif char == ">":
            in_tag = False
        elif char == "&" and not in_tag:
            in_entity = True
        elif char == ";":
            in_entity = False
        out.append(char)
        size += len(char.encode())
    return "".join(out)


def page_language(language: str) -> str:
    """The language of pages and links for a subscriber (both: the site's default)."""
    return settings.LANGUAGE_CODE if language == Subscriber.Language.BOTH else language


def absolute_url(path: str) -> str:
    return settings.SITE_URL + path


def manage_url(token: str, language: str) -> str:
    with translation.override(page_language(language)):
        return absolute_url(reverse("newsletter:manage", kwargs={"token": token}))


def unsubscribe_url(token: str) -> str:
    return absolute_url(reverse("newsletter_one_click", kwargs={"token": token}))


def list_id() -> str:
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"{SITE_NAME} <newsletter.{host}>"


def subject_for(briefing: Briefing, language: str) -> str:
    """`2026年5月19日（火）｜theme`; without a theme in that language, the site's name instead."""
    lang = page_language(language)
    with translation.override(lang):
        if lang == "ja":
            weekday = formats.date_format(briefing.date, "D")
            date = (
                f"{briefing.date.year}年{briefing.date.month}月{briefing.date.day}日（{weekday}）"
            )
            separator = "｜"
        else:
            date = formats.date_format(briefing.date, "DATE_FORMAT")
            separator = " | "
        themes = [
            (getattr(briefing, f"theme_{code}") or "").strip()
            for code in (["ja", "en"] if language == Subscriber.Language.BOTH else [language])
        ]
        theme = " / ".join(theme for theme in themes if theme)
        return f"{date}{separator}{theme or SITE_NAME}"


def _issue_urls(briefing: Briefing, lang: str) -> dict:
    kwargs = {"year": briefing.date.year, "month": briefing.date.month, "day": briefing.date.day}
    with translation.override(lang):
        return {
            "issue_url": absolute_url(reverse("briefing:issue", kwargs=kwargs)),
            "parallel_url": absolute_url(reverse("briefing:parallel", kwargs=kwargs)),
        }


def _headings(languages: list[str]) -> dict:
    labels = {}
    for key, label in HEADINGS.items():
        words = []
        for code in languages:
            with translation.override(code):
                words.append(str(label))
        labels[key] = " · ".join(dict.fromkeys(words))
    return labels


def encoded_header(value: str) -> str:
    """`value` as RFC 2047 encoded words (ASCII) when it is not ASCII: done once per edition
    rather than for every message."""
    if value.isascii():
        return value
    return Header(value, "utf-8").encode(linesep=" ")


@dataclass(frozen=True)
class RenderedEdition:
    """One language's edition, with TOKEN_PLACEHOLDER where the subscriber's token goes."""

    language: str
    subject: str
    text: str
    html: str

    @property
    def headers(self) -> dict[str, str]:
        return _shared_headers(self.subject, str(settings.DEFAULT_FROM_EMAIL), list_id())


@functools.lru_cache(maxsize=16)
def _shared_headers(subject: str, from_email: str, list_id: str) -> dict[str, str]:
    return {
        "Subject": encoded_header(subject),
        "From": encoded_header(from_email),
        "List-Id": encoded_header(list_id),
    }


def render_edition(briefing: Briefing, language: str) -> RenderedEdition:
    languages = ["ja", "en"] if language == Subscriber.Language.BOTH else [language]
    lang = page_language(language)
    with translation.override(lang):
        context = {
            "briefing": briefing,
            "languages": languages,
            "both": len(languages) > 1,
            "lang": lang,
            "headings": _headings(languages),
            "site_name": str(SITE_NAME),
            "subject": subject_for(briefing, language),
            "date": formats.date_format(briefing.date, "DATE_FORMAT"),
            "manage_url": manage_url(TOKEN_PLACEHOLDER, language),
            "unsubscribe_url": unsubscribe_url(TOKEN_PLACEHOLDER),
            **_issue_urls(briefing, lang),
        }
        html = render_to_string("newsletter/email/edition.html", context)
        text = render_to_string("newsletter/email/edition.txt", context)
    return RenderedEdition(language, context["subject"], text, short_lines(_inliner.inline(html)))


def render_editions(briefing: Briefing) -> dict[str, RenderedEdition]:
    briefing = Briefing.objects.with_contents().get(pk=briefing.pk)
    return {code: render_edition(briefing, code) for code in Subscriber.Language.values}


def sender_domain() -> str:
    return settings.DKIM_DOMAIN or settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(" >")


def edition_message(
    rendered: RenderedEdition, email: str, token: str, *, now: datetime.datetime | None = None
) -> EmailMultiAlternatives:
    """The message for one subscriber: the shared rendering with their own links."""
    shared = rendered.headers
    message = EmailMultiAlternatives(
        subject=shared["Subject"],
        body=rendered.text.replace(TOKEN_PLACEHOLDER, token),
        from_email=settings.NEWSLETTER_RETURN_PATH or settings.DEFAULT_FROM_EMAIL,
        to=[email],
        headers={
            "From": shared["From"],
            "Message-ID": make_msgid(domain=sender_domain()),
            "List-Id": shared["List-Id"],
            "List-Unsubscribe": f"<{unsubscribe_url(token)}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Precedence": "bulk",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(rendered.html.replace(TOKEN_PLACEHOLDER, token), "text/html")
    return message


# What differs between two subscribers' copies of the prepared message (see below).
RECIPIENT_PLACEHOLDER = "recipient@newsletter-placeholder.invalid"
MESSAGE_ID_PLACEHOLDER = "<message-id@newsletter-placeholder.invalid>"


def prepare_message(rendered: RenderedEdition) -> bytes | None:
    """The whole message of one language as bytes, built by Django once, with placeholders for
    the recipient, the Message-ID and the token; `personalise` makes each subscriber's copy.

    None when a part had to be quoted-printable (a line too long to break, see short_lines):
    there a placeholder may be cut by a soft line break, so each message is built in full.
    """
    message = edition_message(rendered, RECIPIENT_PLACEHOLDER, TOKEN_PLACEHOLDER)
    message.extra_headers["Message-ID"] = MESSAGE_ID_PLACEHOLDER
    raw = message.message().as_bytes(linesep="\r\n")
    if b"Content-Transfer-Encoding: quoted-printable" in raw or b"base64" in raw:
        return None
    return raw


def personalise(prepared: bytes, email: str, token: str) -> bytes | None:
    """One subscriber's copy of a prepared message (None when only a full build will do)."""
    if not (
        email.isascii() and token.isascii() and token.replace("-", "").replace("_", "").isalnum()
    ):
        return None
    return (
        prepared.replace(RECIPIENT_PLACEHOLDER.encode(), email.encode())
        .replace(MESSAGE_ID_PLACEHOLDER.encode(), make_msgid(domain=sender_domain()).encode())
        .replace(TOKEN_PLACEHOLDER.encode(), token.encode())
    )


def notice_message(subscriber: Subscriber, kind: str) -> EmailMultiAlternatives:
    """The confirmation email (kind "confirm") or the "already subscribed" one ("known")."""
    lang = page_language(subscriber.language)
    with translation.override(lang):
        if kind == "confirm":
            url = absolute_url(reverse("newsletter:confirm", kwargs={"token": subscriber.token}))
            subject = _("Confirm your subscription to the Daily Briefing")
        else:
            url = manage_url(subscriber.token, subscriber.language)
            subject = _("You are already subscribed to the Daily Briefing")
        context = {"url": url, "kind": kind, "site_name": str(SITE_NAME)}
        body = render_to_string("newsletter/email/notice.txt", context)
    return EmailMultiAlternatives(
        subject=subject,
        body=body,
        to=[subscriber.email],
        headers={
            "Message-ID": make_msgid(domain=sender_domain()),
            "Auto-Submitted": "auto-generated",
        },
    )

"""Properties checked on many generated inputs (Hypothesis), through the database and the site.

Deterministic (`derandomize=True`) and bounded, so CI runs the same examples every time.
`tests/test_textformat.py` fuzzes the pure parser; these go on to the database, the management
commands and the URL routes.
"""

import datetime
import functools
import io

import hypothesis
import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client
from django.utils.text import slugify
from hypothesis import Phase
from hypothesis import strategies as st

from briefing.models import Briefing, DeepDive, Keyword, ReadMore, Takeaway
from briefing.serialization import briefing_to_dict
from editorial.interchange.importing import ImportRefused, save_briefing_data
from editorial.interchange.textformat import BriefingTextError, parse_briefing_text
from editorial.roles import TRANSLATORS
from tests.factories import SEED, make_briefing, make_user

pytestmark = pytest.mark.django_db

# No "explain" phase: it traces coverage, which makes reporting a failure take minutes here.
SETTINGS = {
    "derandomize": True,
    "deadline": None,
    "database": None,
    "phases": [Phase.explicit, Phase.generate, Phase.shrink],
}


class Rollback(Exception):
    """Raised at the end of an example to undo everything it saved."""


def undone(check):
    """Run `check` in a transaction that is always rolled back: each example starts afresh."""

    @functools.wraps(check)  # Hypothesis reads the parameters of `check`
    def run(*args, **kwargs):
        try:
            with transaction.atomic():
                check(*args, **kwargs)
                raise Rollback
        except Rollback:
            pass

    return run


def table_counts() -> dict:
    """Rows in every table the content and its history live in."""
    return {
        model._meta.label: model.objects.count()
        for label in ("briefing", "editorial", "reversion")
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
    }


def saved(date) -> dict:
    return briefing_to_dict(Briefing.objects.with_contents().get(date=date))


def by_slug(data: dict) -> dict:
    """The shape as stored: keywords come back in slug order (Keyword.Meta.ordering)."""
    return {**data, "keywords": sorted(data["keywords"], key=lambda keyword: keyword["slug"])}


# The importer on arbitrary text.

# Pieces of the format, and values that break model limits (a theme longer than 300 characters,
# a keyword name longer than 100, a link that is no URL or longer than 500), a NUL character
# (which PostgreSQL cannot store in text), dates that do not exist and an issue date already
# taken (2026-05-20 exists in these tests).
FRAGMENTS = [
    "2026-05-19",
    "2026-05-20",
    "2026-02-30",
    "0001-01-01",
    "9999-12-31",
    "今日のテーマ: ",
    "Today's theme: ",
    "TL;DR",
    "01 Deep Dive",
    "02 Deep Dive",
    "What Happened",
    "Why It Matters",
    "Key Takeaways",
    "Practical Points",
    "Read More",
    "Keywords",
    "  • 01 ",
    "- ",
    "    ",
    "02.",
    "03. ",
    "https://example.com/x",
    "https://example.com/" + "x" * 500,
    "https://exa mple.com",
    "http://",
    "javascript:alert(1)",
    "安全",
    "量子化。",
    "Hello.",
    "GPT-4.5",
    "（AI）",
    "、",
    ", ",
    "T" * 301,
    "語" * 301,
    "k" * 101,
    "\x00",
    "\t",
    "\u200b",
    "\ufeff",
]


def test_any_text_is_imported_whole_or_refused_with_nothing_saved():
    make_briefing(datetime.date(2026, 5, 20))
    line = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=5), max_size=4).map("".join)
    text = st.lists(line, max_size=25).map("\n".join)

    @hypothesis.settings(max_examples=200, **SETTINGS)
    @hypothesis.given(st.sampled_from(["", "2026-05-19\n", "2026-05-20\n"]), text)
    @undone
    def check(prefix, body):
        before = table_counts()
        try:
            data = parse_briefing_text(prefix + body)
        except BriefingTextError as error:
            hypothesis.event("parse error")
            assert error.line_number is None or error.line_number >= 1
            return
        try:
            save_briefing_data(data)
        except ImportRefused as refusal:
            hypothesis.event("refused")
            assert str(refusal)
            assert table_counts() == before
            return
        hypothesis.event("imported")
        assert saved(data["date"]) == by_slug(data)

    check()
    assert Briefing.objects.get().date == datetime.date(2026, 5, 20)


def test_import_command_on_arbitrary_bytes_imports_or_says_nothing_was_saved(tmp_path):
    path = tmp_path / "briefing.txt"
    seed = SEED.read_bytes()
    # Seed text with a few bytes replaced, cut short, or followed by more: near-valid input
    # reaches every part of the import, not just the date check.
    edited = st.tuples(st.integers(0, len(seed)), st.integers(0, 40), st.binary(max_size=12)).map(
        lambda edit: seed[: edit[0]] + edit[2] + seed[edit[0] + edit[1] :]
    )

    @hypothesis.settings(max_examples=40, **SETTINGS)
    @hypothesis.given(edited | st.binary(max_size=200))
    @undone
    def check(raw):
        path.write_bytes(raw)
        before = table_counts()
        out = io.StringIO()
        try:
            call_command("import_briefing", str(path), stdout=out)
        except CommandError as error:
            hypothesis.event("refused")
            assert str(error).startswith(f"{path}: ")
            assert str(error).endswith(". Nothing was saved.")
            assert table_counts() == before
            return
        hypothesis.event("imported")
        assert out.getvalue().startswith("Imported ")

    check()


# Export → import round trip through the commands.
#
# Generated text keeps to what the bilingual text format can carry (see the docstring of
# editorial/interchange/textformat.py): the parser sorts each paragraph into a language by whether it has
# kana or kanji, so every Japanese value has some in each paragraph and no English value has
# any; a theme has no sentence end (the theme line ends at the first one); a read-more summary
# comes with a title in its language (the first paragraph in a language is the title); a deep
# dive has some text (an empty one is refused); and no line reads as a heading, date, bullet,
# numbered item, link or theme label (the words below cannot form one).

JA_WORDS = [
    "安全",
    "評価",
    "モデル",
    "言語",
    "ベンチマーク",
    "量子化",
    "再現性",
    "チーム",
    "コスト",
]
JA_PARTICLES = ["は", "が", "を", "の", "、", "と"]
EN_WORDS = ["safety", "models", "benchmark", "access", "GPT-4.5", "costs", "agents", "data", "FP8"]
EN_GLUE = ["the", "of", "and", "for", "vs", "(new)"]


def _line(words, glue, joiner, *, first):
    rest = st.lists(st.sampled_from(words + glue), max_size=5)
    return st.tuples(st.sampled_from(first), rest).map(lambda t: joiner.join([t[0], *t[1]]))


def _text(lang, *, paragraphs=2, lines=2, sentence_ends=True):
    if lang == "ja":
        line = _line(JA_WORDS, JA_PARTICLES, "", first=JA_WORDS)
        end = "。"
    else:
        line = _line(EN_WORDS, EN_GLUE, " ", first=EN_WORDS)
        end = "."
    if sentence_ends:
        line = st.tuples(line, st.booleans()).map(lambda t: t[0] + (end if t[1] else ""))
    paragraph = st.lists(line, min_size=1, max_size=lines).map("\n".join)
    return st.lists(paragraph, min_size=1, max_size=paragraphs).map("\n\n".join)


def _bilingual(required=False, **kwargs):
    """{"ja": ..., "en": ...}, either language possibly missing (not both when required)."""
    value = st.fixed_dictionaries(
        {lang: st.just("") | _text(lang, **kwargs) for lang in ("ja", "en")}
    )
    return value.filter(lambda v: v["ja"] or v["en"]) if required else value


def _single_line(required=False, sentence_ends=True):
    return _bilingual(required, paragraphs=1, lines=1, sentence_ends=sentence_ends)


@st.composite
def _read_more_item(draw):
    title = draw(_single_line(required=True))
    summary = {
        lang: draw(st.just("") | _text(lang)) if title[lang] else "" for lang in ("ja", "en")
    }
    url = draw(st.sampled_from(["", "https://example.com/a", "https://example.org/x?y=1&z=2"]))
    return {"title": title, "summary": summary, "url": url}


_keyword = st.fixed_dictionaries(
    {
        "ja": st.just("") | st.sampled_from(JA_WORDS),
        "en": st.just("") | st.sampled_from(EN_WORDS).map(str.lower),
    }
).filter(lambda names: names["ja"] or names["en"])

_deep_dive = st.fixed_dictionaries(
    {
        "title": _single_line(required=True),
        "what_happened": _bilingual(),
        "why_it_matters": _bilingual(),
        "practical_points": _bilingual(),
        "takeaways": st.lists(_single_line(required=True), max_size=3),
    }
)

briefings = st.fixed_dictionaries(
    {
        "theme": _single_line(sentence_ends=False),
        "lead": _bilingual(),
        "tldr": _bilingual(),
        "deep_dives": st.lists(_deep_dive, max_size=3),
        "read_more": st.lists(_read_more_item(), max_size=3),
        "keywords": st.lists(
            _keyword, max_size=4, unique_by=lambda names: slugify(names["en"] or names["ja"])
        ),
    }
)


def _fields(prefix, values):
    return {f"{prefix}_{lang}": text for lang, text in values.items()}


def create_briefing(data, date) -> Briefing:
    """The generated issue, written with the ORM (not the importer under test)."""
    briefing = Briefing.objects.create(
        date=date,
        **_fields("theme", data["theme"]),
        **_fields("lead", data["lead"]),
        **_fields("tldr", data["tldr"]),
    )
    for position, dive in enumerate(data["deep_dives"], 1):
        deep_dive = DeepDive.objects.create(
            briefing=briefing,
            position=position,
            **{
                f"{name}_{lang}": dive[name][lang]
                for name in ("title", "what_happened", "why_it_matters", "practical_points")
                for lang in ("ja", "en")
            },
        )
        for number, text in enumerate(dive["takeaways"], 1):
            Takeaway.objects.create(deep_dive=deep_dive, position=number, **_fields("text", text))
    for position, item in enumerate(data["read_more"], len(data["deep_dives"]) + 1):
        ReadMore.objects.create(
            briefing=briefing,
            position=position,
            url=item["url"],
            **_fields("title", item["title"]),
            **_fields("summary", item["summary"]),
        )
    for names in data["keywords"]:
        slug = slugify(names["en"] or names["ja"], allow_unicode=True)
        briefing.keywords.add(Keyword.objects.create(slug=slug, **_fields("name", names)))
    return briefing


def test_exported_text_imports_back_to_the_same_briefing(tmp_path):
    path = tmp_path / "export.txt"

    @hypothesis.settings(max_examples=35, **SETTINGS)
    @hypothesis.given(briefings, st.dates(min_value=datetime.date(1900, 1, 1)))
    @undone
    def check(data, date):
        create_briefing(data, date)
        before = saved(date)
        out = io.StringIO()
        call_command(
            "export_briefing", date.isoformat(), "--format", "text", "--lang", "both", stdout=out
        )
        path.write_text(out.getvalue(), encoding="utf-8")
        Briefing.objects.all().delete()
        Keyword.objects.all().delete()

        call_command("import_briefing", str(path), stdout=io.StringIO())

        assert saved(date) == before

    check()


# Arbitrary paths under /ja/ and /en/.

# Each route's pattern filled with odd values (so the view behind it runs), and free-form paths.
ROUTES = [
    "",
    "{year}/{month}/{day}/",
    "{year}/{month}/{day}/both/",
    "archive/",
    "archive/{year}/",
    "archive/{year}/{month}/",
    "keywords/{word}/",
    "search/",
    "feed/",
    "feed/atom/",
    "admin/translations/",
    "admin/translations/{year}-{month}-{day}/{lang}/",
    "admin/translations/{year}-{month}-{day}/{lang}/po/",
    "archive/date/",
    "keywords/",
    "subscribe/",
    "subscribe/check-your-inbox/",
]
# Outside the language prefixes: the API, the sitemap, robots.txt.
UNPREFIXED_ROUTES = [
    "api/v1/briefings/",
    "api/v1/briefings/{year}-{month}-{day}/",
    "sitemap.xml",
    "robots.txt",
]
YEARS = ["2026", "0000", "0001", "9999", "1970", "2024"]
MONTHS = ["05", "02", "00", "12", "13", "99"]
DAYS = ["19", "20", "29", "30", "31", "00", "99"]
WORDS = ["安全", "%E5%AE%89%E5%85%A8", "%00", "%FF%FE", "%2F", "%", "%zz", "..", "\u202e", "🙂"]
# Every query parameter a public page reads (q, page, date; p on the sitemap), some that staff
# pages read, one that nothing reads (answered with a redirect to the canonical URL), and none.
QUERY_KEYS = ["q", "page", "date", "p", "to", "status", "next", "x", "", "%00"]
QUERY_VALUES = [
    "量子化",
    "%",
    "%00",
    "%FF",
    "1",
    "0",
    "-1",
    "1e3",
    "99999999999999999999",
    "9" * 400,
    "2026-05-19",
    "2026-02-30",
    "x" * 200,
    "a%00b",
]


def _quoted(text):
    """Kept inside its part of the URL (a generated "?" or "#" must not start a query)."""
    return text.replace("%", "%25").replace("?", "%3F").replace("#", "%23").replace("&", "%26")


def _digits(size):
    return st.integers(0, 10**size - 1).map(lambda n: f"{n:0{size}d}")


_odd_number = st.integers(0, 10**30).map(str)
_route = st.builds(
    lambda route, **parts: route.format(**parts),
    st.sampled_from(ROUTES),
    year=st.sampled_from(YEARS) | _digits(4),
    month=st.sampled_from(MONTHS) | _digits(2),
    day=st.sampled_from(DAYS) | _digits(2),
    word=st.sampled_from(WORDS) | st.text(min_size=1, max_size=8).map(_quoted) | _odd_number,
    lang=st.sampled_from(["ja", "en", "de", "JA"]),
)
_free = st.lists(
    st.sampled_from(ROUTES[1:] + WORDS) | _odd_number | st.text(max_size=8).map(_quoted),
    max_size=5,
).map("/".join)
_query = st.lists(
    st.tuples(
        st.sampled_from(QUERY_KEYS),
        st.sampled_from(QUERY_VALUES) | st.text(max_size=30).map(_quoted) | _odd_number,
    ),
    max_size=3,
).map(lambda pairs: "?" + "&".join(f"{key}={value}" for key, value in pairs) if pairs else "")

_unprefixed_route = st.builds(
    lambda route, **parts: route.format(**parts),
    st.sampled_from(UNPREFIXED_ROUTES),
    year=st.sampled_from(YEARS) | _digits(4),
    month=st.sampled_from(MONTHS) | _digits(2),
    day=st.sampled_from(DAYS) | _digits(2),
)

paths = st.builds(
    lambda prefix, path, query: prefix + path + query,
    st.sampled_from(["/ja/", "/en/"]),
    _route | _free,
    _query,
) | st.builds(lambda path, query: "/" + path + query, _unprefixed_route, _query)


def test_no_public_path_or_query_parameter_is_a_server_error(
    client, django_capture_on_commit_callbacks
):
    # Committed, so search has documents to look in and builds its snippets.
    with django_capture_on_commit_callbacks(execute=True):
        save_briefing_data(parse_briefing_text(SEED.read_bytes()), publish=True)
        make_briefing(datetime.date(2026, 5, 20), status=Briefing.Status.DRAFT)
    translator = Client()  # the translators' pages, beyond the login redirect
    translator.force_login(make_user("translator", role=TRANSLATORS))

    @hypothesis.settings(max_examples=350, **SETTINGS)
    @hypothesis.example("/ja/2026/05/19/", False)
    @hypothesis.example("/en/search/?q=%E9%87%8F%E5%AD%90%E5%8C%96", False)
    @hypothesis.example("/en/admin/translations/2026-05-20/en/", True)
    # Once 500s: an OFFSET beyond 64 bits, and NUL characters.
    @hypothesis.example("/en/search/?q=Theme&page=99999999999999999999", False)
    @hypothesis.example("/en/search/?q=%00", False)
    @hypothesis.example("/api/v1/briefings/?page=%00", False)
    @hypothesis.given(paths, st.booleans())
    def check(path, as_translator):
        # The test client raises what a view raises, so a server error fails with its traceback.
        response = (translator if as_translator else client).get(path)
        hypothesis.event(f"status {response.status_code}")
        assert response.status_code < 500, path

    check()
    assert client.get("/ja/2026/05/20/").status_code == 404

"""The plain-text briefing format (editorial.interchange.textformat): pure functions, no database.

Error messages are in the active language; these tests read them in English, except where a
test says otherwise (the suite's default language is Japanese).
"""

import hypothesis
import pytest
from django.utils import translation
from django.utils.text import slugify
from hypothesis import strategies as st

from editorial.interchange.textformat import (
    BriefingTextError,
    detect_language,
    format_briefing_text,
    parse_briefing_text,
)
from tests.factories import SEED


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


EMPTY = {"ja": "", "en": ""}
SECTIONS = ("title", "what_happened", "why_it_matters", "practical_points")


def ja(text):
    return {"ja": text, "en": ""}


def en(text):
    return {"ja": "", "en": text}


def parse(*lines):
    return parse_briefing_text("\n".join(lines))


def parse_error(*lines):
    with pytest.raises(BriefingTextError) as caught:
        parse(*lines)
    return caught.value


def briefing(**fields):
    """A parsed briefing with everything empty but `fields`."""
    return {
        "date": "2026-05-19",
        "status": "draft",
        "theme": EMPTY,
        "lead": EMPTY,
        "tldr": EMPTY,
        "keywords": [],
        "deep_dives": [],
        "read_more": [],
        **fields,
    }


def deep_dive(position=1, takeaways=(), **fields):
    return {
        "position": position,
        **{name: fields.get(name, EMPTY) for name in SECTIONS},
        "takeaways": [{"position": i, "text": text} for i, text in enumerate(takeaways, 1)],
        "sources": fields.get("sources", []),
    }


def read_more(position, title=EMPTY, summary=EMPTY, url=""):
    return {"position": position, "title": title, "summary": summary, "url": url}


def keyword(ja_name, en_name):
    slug = slugify(en_name or ja_name, allow_unicode=True)
    return {"slug": slug, "name": {"ja": ja_name, "en": en_name}}


def translated_values(data):
    values = [data["theme"], data["lead"], data["tldr"]]
    for dive in data["deep_dives"]:
        values += [dive[name] for name in SECTIONS]
        values += [takeaway["text"] for takeaway in dive["takeaways"]]
    for item in data["read_more"]:
        values += [item["title"], item["summary"]]
    return values


def missing(data, lang):
    other = "en" if lang == "ja" else "ja"
    return sum(1 for value in translated_values(data) if not value[lang] and value[other])


def restricted(data, lang):
    """What a single-language export of `data` reads back as (see the module docstring)."""

    def only(value):
        return {code: value[code] if code == lang else "" for code in value}

    keywords = {}
    for kw in data["keywords"]:
        if kw["name"][lang]:
            slug = slugify(kw["name"][lang], allow_unicode=True)
            keywords.setdefault(slug, {"slug": slug, "name": only(kw["name"])})
    return {
        **data,
        "status": "draft",
        **{name: only(data[name]) for name in ("theme", "lead", "tldr")},
        "keywords": list(keywords.values()),
        "deep_dives": [
            deep_dive(
                dive["position"],
                [only(t["text"]) for t in dive["takeaways"] if t["text"][lang]],
                **{name: only(dive[name]) for name in SECTIONS},
            )
            for dive in data["deep_dives"]
        ],
        "read_more": [
            {**item, "title": only(item["title"]), "summary": only(item["summary"])}
            for item in data["read_more"]
        ],
    }


RICH = {
    "date": "2026-05-19",
    "status": "draft",
    "theme": {"ja": "安全とアクセス", "en": "Safety meets access"},
    "lead": {
        "ja": "一段落目です。\n二行目です。\n\n二段落目です。",
        "en": "First paragraph.\nSecond line.\n\nSecond paragraph.",
    },
    "tldr": {"ja": "要約です。\n\n続きです。", "en": "In short.\n\nMore."},
    "keywords": [
        keyword("AI安全", "AI safety"),
        keyword("ベンチマーク", ""),
        keyword("", "GPTQ"),
        keyword("量子化（PTQ以外）", ""),
    ],
    "deep_dives": [
        deep_dive(
            1,
            [
                {"ja": "要点一", "en": "Point one"},
                {"ja": "", "en": "Only English,\nwrapped on two lines"},
                {"ja": "日本語だけ", "en": ""},
            ],
            title={"ja": "見出し一", "en": "Heading one"},
            what_happened={"ja": "起きたこと。\n\n続き。", "en": "What happened.\n\nMore of it."},
            why_it_matters={"ja": "重要です。", "en": "It matters.\n04. is not an item here"},
            practical_points={"ja": "実践。", "en": "Practice:\n1) pin versions\n2) rerun"},
        ),
        deep_dive(
            2,
            [{"ja": "二つ目の要点", "en": "- starts with a dash"}],
            title={"ja": "見出し二", "en": "Heading two"},
            what_happened={"ja": "二つ目。", "en": "Second."},
        ),
    ],
    "read_more": [
        read_more(
            3,
            {"ja": "記事の題", "en": "Article title"},
            {"ja": "要約一。\n\n要約二。", "en": "Summary one.\n\nSummary two."},
            "https://example.com/article?id=3",
        ),
        read_more(4, en("English only"), en("Its summary.")),
        read_more(5),
    ],
}


# The seed: a real issue, Japanese and English mixed field by field.


@pytest.fixture(scope="module")
def seed():
    return parse_briefing_text(SEED.read_bytes())


def test_seed_opening(seed):
    assert seed["date"] == "2026-05-19"
    assert seed["status"] == "draft"
    assert seed["theme"]["ja"] == "安全とアクセスコライド"
    assert seed["theme"]["en"] == ""
    assert seed["lead"]["ja"].startswith("新しいベンチマークの作業は")
    assert seed["lead"]["ja"].endswith("セットアップされます。")
    assert seed["lead"]["en"] == ""
    assert seed["tldr"]["ja"].startswith("2つのスレッドが今日の問題: (1)安全評価は")
    assert seed["tldr"]["en"] == ""
    assert seed["keywords"] == []


def test_seed_deep_dives(seed):
    dives = seed["deep_dives"]
    assert [dive["position"] for dive in dives] == [1, 2, 3]
    assert dives[1]["title"] == ja("多言語安全評価が拡大し、12の指標言語のベンチマークが集中")
    for dive in dives:
        for name in ("title", "what_happened", "why_it_matters"):
            assert dive[name]["ja"] != ""
            assert dive[name]["en"] == ""
        assert dive["practical_points"]["ja"] == ""
        assert dive["practical_points"]["en"].startswith(("If you", "For multilingual"))
        assert [t["position"] for t in dive["takeaways"]] == [1, 2, 3]
        assert all(t["text"]["ja"] == "" and t["text"]["en"] for t in dive["takeaways"])
    assert sum(len(dive["takeaways"]) for dive in dives) == 9
    assert dives[0]["takeaways"][0]["text"] == en(
        "Benchmark influence is partly social and operational: easy-to-run, well-documented "
        "code tends to shape the conversation more than a theoretically superior but brittle "
        "benchmark."
    )


def test_seed_read_more(seed):
    items = seed["read_more"]
    assert [item["position"] for item in items] == [4, 5]
    assert items[0]["title"] == ja(
        "実用的な量子化ワークフロー: FP8 対 GPTQ 対 SmoothQuant (開発トレードオフ)"
    )
    assert items[1]["title"] == ja(
        "対価な設定における化合物LMエージェントのコストパフォーマンス設計の選択肢"
    )
    assert items[0]["summary"]["ja"].startswith("チュートリアルスタイルのウォークスルーは")
    assert items[1]["summary"]["ja"].startswith("管理された研究では")
    assert [item["summary"]["en"] for item in items] == ["", ""]
    assert [item["url"] for item in items] == ["", ""]


def test_seed_missing_translations(seed):
    assert missing(seed, "en") == 16
    assert missing(seed, "ja") == 12


def test_seed_with_bom_and_crlf_reads_the_same(seed):
    raw = SEED.read_bytes()
    assert parse_briefing_text(b"\xef\xbb\xbf" + raw.replace(b"\n", b"\r\n")) == seed
    assert parse_briefing_text("\ufeff" + raw.decode()) == seed


# Dates.


@pytest.mark.parametrize(
    "line",
    [
        "2026年5月19日 (火)",
        "2026年5月19日（火）",
        "2026年5月19日",
        "2026年05月19日(火曜日)",
        "Tuesday, May 19, 2026",
        "tuesday, may 19, 2026",
        "May 19, 2026",
        "2026-05-19",
    ],
)
def test_each_date_format(line):
    assert parse("Daily Briefing", line)["date"] == "2026-05-19"


def test_title_is_optional_and_blank_lines_before_it_are_skipped():
    assert parse("", "  ", "デイリーブリーフィング", "", "2026-05-19") == briefing()
    assert parse("2026-05-19") == briefing()


# The opening: theme, lead, TL;DR.


def test_theme_line_gives_theme_and_lead_in_its_language():
    data = parse(
        "2026-05-19",
        "今日のテーマ：安全とアクセス。リードの一文目。",
        "リードの二行目。",
        "",
        "リードの二段落目。",
        "Today’s Theme: GPT-4.5 and access. The lead.",
    )
    assert data["theme"] == {"ja": "安全とアクセス", "en": "GPT-4.5 and access"}
    assert data["lead"] == {
        "ja": "リードの一文目。\nリードの二行目。\n\nリードの二段落目。",
        "en": "The lead.",
    }


def test_theme_drops_only_the_final_mark_of_its_sentence():
    data = parse("2026-05-19", "Today's theme: What next?! Everything.", "今日のテーマ: 安全")
    assert data["theme"] == {"ja": "安全", "en": "What next?"}
    assert data["lead"] == en("Everything.")


def test_paragraphs_after_the_date_without_a_theme_line_are_the_lead():
    data = parse("2026-05-19", "リード。", "", "TL;DR", "要約。", "", "Summary.")
    assert data["theme"] == EMPTY
    assert data["lead"] == ja("リード。")
    assert data["tldr"] == {"ja": "要約。", "en": "Summary."}


# Headings.


def test_headings_need_no_blank_lines_and_english_ones_ignore_case():
    data = parse(
        "2026-05-19",
        "tl;dr：",
        "Summary.",
        "01 DEEP DIVE",
        "Title.",
        "what happened:",
        "It happened.",
        "KEY TAKEAWAYS",
        "- 01 A point.",
        "Practical points",
        "Do it.",
        "read more",
        "02. More",
        "keywords",
        "AI",
    )
    assert data == briefing(
        tldr=en("Summary."),
        keywords=[keyword("", "AI")],
        deep_dives=[
            deep_dive(
                1,
                [en("A point.")],
                title=en("Title."),
                what_happened=en("It happened."),
                practical_points=en("Do it."),
            )
        ],
        read_more=[read_more(2, en("More"))],
    )


def test_japanese_headings():
    data = parse(
        "2026-05-19",
        "01 ディープダイブ",
        "題",
        "何が起きたか",
        "起きた。",
        "なぜ重要か",
        "重要。",
        "重要なポイント",
        "・要点",
        "実践ポイント",
        "実践。",
        "もっと読む",
        "02.",
        "記事",
        "キーワード",
    )
    assert data["deep_dives"] == [
        deep_dive(
            1,
            [ja("要点")],
            title=ja("題"),
            what_happened=ja("起きた。"),
            why_it_matters=ja("重要。"),
            practical_points=ja("実践。"),
        )
    ]
    assert data["read_more"] == [read_more(2, ja("記事"))]


# Takeaways.


@pytest.mark.parametrize("bullet", ["• 01 ", "  • 01 ", "・", "・01 ", "- ", "* 01 ", "\t-   "])
def test_each_bullet_form(bullet):
    data = parse("2026-05-19", "01 Deep Dive", "Key Takeaways", f"{bullet}The point.")
    assert data["deep_dives"][0]["takeaways"] == [{"position": 1, "text": en("The point.")}]


def test_bullet_followed_by_an_indented_line_in_the_other_language():
    data = parse(
        "2026-05-19",
        "01 Deep Dive",
        "Key Takeaways",
        "  • 01 再現性が重要",
        "    Reproducibility matters",
        "  • 02 Adoption is social",
        "    採用は社会的",
        "  • 03 English only",
    )
    assert data["deep_dives"][0]["takeaways"] == [
        {"position": 1, "text": {"ja": "再現性が重要", "en": "Reproducibility matters"}},
        {"position": 2, "text": {"ja": "採用は社会的", "en": "Adoption is social"}},
        {"position": 3, "text": en("English only")},
    ]


# Read more.


def test_read_more_item_number_and_text_on_one_line_with_a_link_and_bilingual_summary():
    data = parse(
        "2026-05-19",
        "Read More",
        "01. 記事の題",
        "",
        "Article title",
        "https://example.com/a",
        "要約一。",
        "",
        "要約二。",
        "",
        "Summary.",
        "02.",
        "",
        "HTTP://EXAMPLE.COM/B",
    )
    assert data["read_more"] == [
        read_more(
            1,
            {"ja": "記事の題", "en": "Article title"},
            {"ja": "要約一。\n\n要約二。", "en": "Summary."},
            "https://example.com/a",
        ),
        read_more(2, url="HTTP://EXAMPLE.COM/B"),
    ]


def test_read_more_numbering_continues_after_the_deep_dives():
    data = parse("2026-05-19", "01 Deep Dive", "Title", "Read More", "02.", "Two", "03.", "Three")
    assert [item["position"] for item in data["read_more"]] == [2, 3]


# Keywords.


@pytest.mark.parametrize("separator", [",", "、", "，", ";", " / "])
def test_keywords_split_at_each_separator(separator):
    data = parse("2026-05-19", "Keywords", f"AI safety{separator}ベンチマーク")
    assert data["keywords"] == [keyword("", "AI safety"), keyword("ベンチマーク", "")]


def test_keywords_on_several_lines_bilingual_and_duplicates_collapse():
    data = parse(
        "2026-05-19",
        "キーワード",
        "安全 (Safety)、 Quantization（量子化）, ",
        "safety; GPT (OpenAI)",
        "",
        "AI/ML / 日本（東京）",
    )
    assert data["keywords"] == [
        {"slug": "safety", "name": {"ja": "安全", "en": "Safety"}},
        {"slug": "quantization", "name": {"ja": "量子化", "en": "Quantization"}},
        {"slug": "gpt-openai", "name": en("GPT (OpenAI)")},
        {"slug": "aiml", "name": en("AI/ML")},
        {"slug": "日本東京", "name": ja("日本（東京）")},
    ]


def test_a_keyword_named_like_a_heading_or_a_date_round_trips():
    data = briefing(keywords=[keyword("", "Read More")])
    assert format_briefing_text(data, "en").endswith("Keywords\nRead More,\n")
    assert parse_briefing_text(format_briefing_text(data)) == data
    data = briefing(keywords=[keyword("", "May 19"), keyword("", "2026")])
    assert parse_briefing_text(format_briefing_text(data)) == data


# Languages.


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("arXiv ペーパーは…", "ja"),
        ("ひらがな", "ja"),
        ("カタカナ", "ja"),
        ("漢字", "ja"),
        ("GPT-4.5 (2026)", "en"),
        ("・ — “quotes”。", "en"),
        ("", "en"),
    ],
)
def test_detect_language(text, language):
    assert detect_language(text) == language


# Errors: each names the line number and quotes the line.


def test_error_message_names_the_line_and_quotes_it():
    error = parse_error("2026-05-19", "", "TL;DR", "  • 01 Foo")
    assert (error.line_number, error.line) == (4, "  • 01 Foo")
    assert error.message == "a takeaway outside a deep dive"
    assert str(error) == "line 4: a takeaway outside a deep dive: '  • 01 Foo'"


@pytest.mark.parametrize(
    ("lines", "line_number", "message"),
    [
        (["Hello", "2026-05-19"], 1, "text before the date"),
        (["Daily Briefing", "デイリーブリーフィング", "2026-05-19"], 2, "text before the date"),
        (["2026年2月30日 (月)"], 1, "a date that does not exist"),
        (["2026-13-01"], 1, "a date that does not exist"),
        (["2026年5月19日 (水)"], 1, "the weekday does not match: 2026-05-19 is a Tuesday"),
        (["Monday, May 19, 2026"], 1, "the weekday does not match: 2026-05-19 is a Tuesday"),
        (["2026-05-19", "", "May 20, 2026"], 3, "a second date"),
        (["2026-05-19", "Daily Briefing"], 2, "the title must be the first line"),
        (
            ["2026-05-19", "01 Deep Dive", "Title", "What Happened", "・要点"],
            5,
            "a takeaway outside Key Takeaways",
        ),
        (
            ["2026-05-19", "01 Deep Dive", "Key Takeaways", "• 01 A", "Not a takeaway"],
            5,
            "text under Key Takeaways that is not a takeaway",
        ),
        (
            ["2026-05-19", "01 Deep Dive", "Key Takeaways", "• 01 A", "• 03 C"],
            5,
            "takeaway 03 where 02 was expected",
        ),
        (["2026-05-19", "01 Deep Dive", "Key Takeaways", "• 01"], 4, "an empty takeaway"),
        (
            [
                "2026-05-19",
                "01 Deep Dive",
                "Key Takeaways",
                "• 01 要点",
                "  要点の続き",
                "  More",
                "  さらに",
            ],
            7,
            "a takeaway given twice in Japanese",
        ),
        (["2026-05-19", "02 Deep Dive"], 2, "deep dive 02 where 01 was expected"),
        (
            ["2026-05-19", "01 Deep Dive", "A", "01 Deep Dive"],
            4,
            "deep dive 01 where 02 was expected",
        ),
        (
            ["2026-05-19", "01 Deep Dive", "A", "Read More", "03.", "B"],
            5,
            "read-more item 03 where 02 was expected",
        ),
        (
            ["2026-05-19", "Read More", "01.", "A", "01.", "B"],
            5,
            "read-more item 01 where 02 was expected",
        ),
        (
            ["2026-05-19", "Read More", "01. A", "02 Deep Dive"],
            4,
            "02 Deep Dive out of order (theme, TL;DR, deep dives, Read More, Keywords)",
        ),
        (
            ["2026-05-19", "01 Deep Dive", "", "02 Deep Dive", "B"],
            2,
            "an empty deep dive (no title and no text)",
        ),
        (
            ["2026-05-19", "01 Deep Dive", "What Happened", "Read More"],
            2,
            "an empty deep dive (no title and no text)",
        ),
        (
            ["2026-05-19", "01 Deep Dive", "What Happened", "A", "What Happened", "B"],
            5,
            "What Happened given twice in deep dive 01",
        ),
        (["2026-05-19", "What Happened", "A"], 2, "What Happened outside a deep dive"),
        (
            [
                "2026-05-19",
                "01 Deep Dive",
                "What Happened",
                "起きた。",
                "",
                "Happened.",
                "",
                "続き。",
            ],
            8,
            "What Happened of deep dive 01 given twice in Japanese",
        ),
        (
            ["2026-05-19", "01 Deep Dive", "題", "", "もう一つの題"],
            5,
            "the title of deep dive 01 given twice in Japanese",
        ),
        (
            ["2026-05-19", "リード。", "", "Lead.", "", "続き。"],
            6,
            "the lead given twice in Japanese",
        ),
        (
            ["2026-05-19", "今日のテーマ: 安全。", "今日のテーマ: 安心。"],
            3,
            "a second Japanese theme line, or one after the Japanese lead",
        ),
        (
            ["2026-05-19", "リード。", "今日のテーマ: 安全。"],
            3,
            "a second Japanese theme line, or one after the Japanese lead",
        ),
        (["2026-05-19", "Today's theme:", ""], 2, "a theme line without text"),
        (
            ["2026-05-19", "TL;DR", "Today's theme: Safety."],
            3,
            "a theme line after the opening part",
        ),
        (["2026-05-19", "TL;DR", "A", "TL;DR", "B"], 4, "TL;DR given twice"),
        (
            ["2026-05-19", "01 Deep Dive", "A", "TL;DR"],
            4,
            "TL;DR out of order (theme, TL;DR, deep dives, Read More, Keywords)",
        ),
        (["2026-05-19", "Read More", "Read More"], 3, "Read More given twice"),
        (
            ["2026-05-19", "Read More", "An orphan line"],
            3,
            "text under Read More before the first item (01., 02., …)",
        ),
        (
            ["2026-05-19", "Read More", "01.", "https://a.example", "https://b.example"],
            5,
            "a second link in read-more item 01",
        ),
        (["2026-05-19", "Keywords", "AI, --"], 3, "a keyword without letters or digits: '--'"),
        (
            ["2026-05-19", "Keywords", "AI", "Read More", "01. A"],
            4,
            "Read More out of order (theme, TL;DR, deep dives, Read More, Keywords)",
        ),
    ],
)
def test_errors(lines, line_number, message):
    error = parse_error(*lines)
    assert (error.message, error.line_number) == (message, line_number)
    assert error.line == lines[line_number - 1]
    assert str(error) == f"line {line_number}: {message}: {lines[line_number - 1]!r}"


@pytest.mark.parametrize("text", ["", " \n\t\n", "\ufeff", b""])
def test_empty_input_is_an_error(text):
    with pytest.raises(BriefingTextError) as caught:
        parse_briefing_text(text)
    assert (caught.value.message, caught.value.line_number) == ("the text is empty", None)


def test_missing_date_is_an_error():
    error = parse_error("デイリーブリーフィング", "", "")
    assert error.line_number is None
    assert str(error) == "no date line (it must come first, after the optional title)"


def test_non_utf8_bytes_are_an_error_naming_the_line():
    with pytest.raises(BriefingTextError) as caught:
        parse_briefing_text(b"2026-05-19\n\nTL;DR\n" + "要約".encode("shift_jis"))
    assert (caught.value.message, caught.value.line_number) == ("the file is not UTF-8 text", 4)


# Errors in Japanese: the message is written in the language active when the error is raised.


@pytest.mark.parametrize(
    ("lines", "line_number", "message"),
    [
        (["Hello", "2026-05-19"], 1, "日付より前に文章があります"),
        (["2026年2月30日 (月)"], 1, "存在しない日付です"),
        (["2026年5月19日 (水)"], 1, "曜日が合っていません: 2026-05-19 は火曜日です"),
        (["2026-05-19", "", "May 20, 2026"], 3, "2つ目の日付があります"),
        (["2026-05-19", "Daily Briefing"], 2, "題名は最初の行に書いてください"),
        (["2026-05-19", "", "TL;DR", "  • 01 Foo"], 4, "ディープダイブの外にポイントがあります"),
        (
            ["2026-05-19", "01 Deep Dive", "Title", "What Happened", "・要点"],
            5,
            "「重要なポイント」の外にポイントがあります",
        ),
        (
            ["2026-05-19", "01 Deep Dive", "Key Takeaways", "• 01 A", "Not a takeaway"],
            5,
            "「重要なポイント」の下に、ポイントではない文章があります",
        ),
        (
            ["2026-05-19", "01 Deep Dive", "Key Takeaways", "• 01 A", "• 03 C"],
            5,
            "ポイント 03 があります（ここは 02 のはずです）",
        ),
        (["2026-05-19", "01 Deep Dive", "Key Takeaways", "• 01"], 4, "空のポイントです"),
        (
            ["2026-05-19", "01 Deep Dive", "Key Takeaways", "• 01 要点", "  More", "  さらに"],
            6,
            "ポイントが日本語で2回書かれています",
        ),
        (
            ["2026-05-19", "02 Deep Dive"],
            2,
            "ディープダイブ 02 があります（ここは 01 のはずです）",
        ),
        (
            ["2026-05-19", "01 Deep Dive", "A", "Read More", "03.", "B"],
            5,
            "もっと読む 03 があります（ここは 02 のはずです）",
        ),
        (
            ["2026-05-19", "Read More", "01. A", "02 Deep Dive"],
            4,
            "「02 ディープダイブ」の位置が違います"
            "（テーマ、TL;DR、ディープダイブ、もっと読む、キーワードの順に書いてください）",
        ),
        (
            ["2026-05-19", "01 Deep Dive", "", "02 Deep Dive", "B"],
            2,
            "空のディープダイブです（見出しも本文もありません）",
        ),
        (
            ["2026-05-19", "01 Deep Dive", "What Happened", "A", "What Happened", "B"],
            5,
            "ディープダイブ 01 に「何が起きたか」が2回あります",
        ),
        (
            ["2026-05-19", "Practical Points", "A"],
            2,
            "ディープダイブの外に「実践ポイント」があります",
        ),
        (
            ["2026-05-19", "01 Deep Dive", "What Happened", "A.", "", "起きた。", "", "B."],
            8,
            "ディープダイブ 01 の「何が起きたか」が英語で2回書かれています",
        ),
        (
            ["2026-05-19", "01 Deep Dive", "題", "", "もう一つの題"],
            5,
            "ディープダイブ 01 の見出しが日本語で2回書かれています",
        ),
        (
            ["2026-05-19", "リード。", "", "Lead.", "", "続き。"],
            6,
            "リードが日本語で2回書かれています",
        ),
        (
            ["2026-05-19", "TL;DR", "要約。", "", "Short.", "", "続き。"],
            7,
            "TL;DRが日本語で2回書かれています",
        ),
        (
            [
                "2026-05-19",
                "Read More",
                "01.",
                "題",
                "",
                "要約。",
                "",
                "Title",
                "",
                "Summary.",
                "",
                "続き。",
            ],
            12,
            "概要が日本語で2回書かれています",
        ),
        (
            ["2026-05-19", "Today's theme: Safety.", "Today's theme: Access."],
            3,
            "英語のテーマ行が2つ目か、英語のリードより後にあります",
        ),
        (["2026-05-19", "今日のテーマ:", ""], 2, "本文のないテーマ行です"),
        (
            ["2026-05-19", "TL;DR", "今日のテーマ: 安全。"],
            3,
            "冒頭部分より後にテーマ行があります",
        ),
        (["2026-05-19", "キーワード", "AI", "キーワード"], 4, "「キーワード」が2回あります"),
        (
            ["2026-05-19", "Read More", "An orphan line"],
            3,
            "「もっと読む」の最初の項目（01.、02.、…）より前に文章があります",
        ),
        (
            ["2026-05-19", "Read More", "01.", "https://a.example", "https://b.example"],
            5,
            "もっと読む 01 に2つ目のリンクがあります",
        ),
        (["2026-05-19", "Keywords", "AI, --"], 3, "文字も数字もないキーワードです: '--'"),
    ],
)
def test_errors_in_japanese(lines, line_number, message):
    with translation.override("ja"):
        error = parse_error(*lines)
    assert (error.message, error.line_number) == (message, line_number)
    assert str(error) == f"{line_number} 行目: {message}: {lines[line_number - 1]!r}"


def test_errors_without_a_line_in_japanese():
    with translation.override("ja"):
        empty = parse_error("")
        no_date = parse_error("デイリーブリーフィング")
        with pytest.raises(BriefingTextError) as not_utf8:
            parse_briefing_text(b"2026-05-19\n\nTL;DR\n" + "要約".encode("shift_jis"))
    assert (str(empty), empty.line_number) == ("テキストが空です", None)
    assert str(no_date) == "日付の行がありません（最初の行、または題名の次の行に書いてください）"
    assert (not_utf8.value.message, not_utf8.value.line_number) == (
        "ファイルがUTF-8のテキストではありません",
        4,
    )


def test_an_error_raised_in_english_stays_english_when_the_language_changes():
    error = parse_error("Hello", "2026-05-19")
    with translation.override("ja"):
        assert str(error) == "line 1: text before the date: 'Hello'"


# Export.

SMALL = briefing(
    status="published",
    theme={"ja": "安全", "en": "Safety"},
    lead={"ja": "リード。", "en": "Lead."},
    tldr=en("Short."),
    keywords=[keyword("安全", "Safety")],
    deep_dives=[
        deep_dive(
            1,
            [{"ja": "要点", "en": "Point"}],
            title={"ja": "題", "en": "Title"},
            what_happened=en("It happened."),
        )
    ],
    read_more=[read_more(2, en("More"), url="https://example.com")],
)


def test_export_both_languages():
    assert format_briefing_text(SMALL) == (
        "デイリーブリーフィング\n\n2026年5月19日 (火)\n\n"
        "今日のテーマ: 安全。 リード。\n\nToday's theme: Safety. Lead.\n\n"
        "TL;DR\n\nShort.\n\n"
        "01 Deep Dive\n\n題\n\nTitle\n\nWhat Happened\n\nIt happened.\n\n"
        "Key Takeaways\n  • 01 要点\n    Point\n\n"
        "Read More\n\n02.\n\nMore\n\nhttps://example.com\n\n"
        "Keywords\n安全 (Safety)\n"
    )


def test_export_english():
    assert format_briefing_text(SMALL, "en") == (
        "Daily Briefing\n\nTuesday, May 19, 2026\n\n"
        "Today's theme: Safety. Lead.\n\n"
        "TL;DR\n\nShort.\n\n"
        "01 Deep Dive\n\nTitle\n\nWhat Happened\n\nIt happened.\n\n"
        "Key Takeaways\n  • 01 Point\n\n"
        "Read More\n\n02.\n\nMore\n\nhttps://example.com\n\n"
        "Keywords\nSafety\n"
    )


def test_export_japanese():
    assert format_briefing_text(SMALL, "ja") == (
        "デイリーブリーフィング\n\n2026年5月19日 (火)\n\n"
        "今日のテーマ: 安全。 リード。\n\n"
        "01 ディープダイブ\n\n題\n\n"
        "重要なポイント\n  • 01 要点\n\n"
        "もっと読む\n\n02.\n\nhttps://example.com\n\n"
        "キーワード\n安全\n"
    )


def test_export_rejects_an_unknown_language():
    with pytest.raises(ValueError):
        format_briefing_text(SMALL, "fr")


def test_export_writes_a_lead_without_theme_on_an_empty_theme_line():
    data = briefing(theme=en("Safety"), lead={"ja": "リードだけ。", "en": ""})
    text = format_briefing_text(data)
    assert "今日のテーマ: 。 リードだけ。\n\nToday's theme: Safety.\n" in text
    assert parse_briefing_text(text) == data


# Round trips.


def test_seed_round_trips_through_a_bilingual_export(seed):
    assert parse_briefing_text(format_briefing_text(seed, "both")) == seed


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_seed_single_language_export_reads_back_restricted(seed, lang):
    assert parse_briefing_text(format_briefing_text(seed, lang)) == restricted(seed, lang)


def test_rich_bilingual_briefing_round_trips_exactly():
    assert parse_briefing_text(format_briefing_text(RICH)) == RICH
    assert parse_briefing_text(format_briefing_text(RICH).encode()) == RICH


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_rich_single_language_export_reads_back_restricted(lang):
    assert parse_briefing_text(format_briefing_text(RICH, lang)) == restricted(RICH, lang)


def test_restricted_rich_briefing_has_renumbered_takeaways():
    takeaways = restricted(RICH, "ja")["deep_dives"][0]["takeaways"]
    assert takeaways == [
        {"position": 1, "text": ja("要点一")},
        {"position": 2, "text": ja("日本語だけ")},
    ]


def test_status_is_ignored_on_export_and_draft_on_import():
    assert parse_briefing_text(format_briefing_text(SMALL)) == {**SMALL, "status": "draft"}


FRAGMENTS = [
    "デイリーブリーフィング",
    "2026-05-19",
    "今日のテーマ: ",
    "Today's theme: ",
    "TL;DR",
    "01 Deep Dive",
    "02 Deep Dive",
    "What Happened",
    "Key Takeaways",
    "Practical Points",
    "Read More",
    "Keywords",
    "  • 01 ",
    "- ",
    "・",
    "    ",
    "02.",
    "03. ",
    "https://e.com/x",
    "安全",
    "テスト。",
    "Hello.",
    "world!",
    "GPT-4.5",
    "。",
    "?",
    "（AI）",
    "、",
    ", ",
    " / ",
    "\t",
]


def test_any_text_is_read_or_refused_and_what_is_read_round_trips():
    line = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=4), max_size=4).map("".join)
    text = st.lists(line, max_size=30).map("\n".join)

    @hypothesis.settings(max_examples=400, derandomize=True, deadline=None)
    @hypothesis.given(st.sampled_from(["", "2026-05-19\n"]), text)
    def check(prefix, body):
        try:
            data = parse_briefing_text(prefix + body)
        except BriefingTextError as error:
            assert error.line_number is None or error.line_number >= 1
            return
        assert parse_briefing_text(format_briefing_text(data)) == data

    check()

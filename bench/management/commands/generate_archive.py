"""A realistic, deterministic archive of daily issues for benchmarks and load tests.

The text is built from phrase pools in both languages so that pages have the size and shape
of real issues (and search has real words to find: 量子化, 安全評価, quantization, ...),
while the same --seed and --end-date always give byte-identical content.

Rows are written with bulk_create, which skips model save() and signals: anything the
project derives from content on save is rebuilt in bulk at the end (see _rebuild_derived_data).
"""

import datetime
import random
import time
import zoneinfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from bench.models import GeneratedIssue
from briefing import search
from briefing.models import Briefing, DeepDive, Keyword, ReadMore, SearchDocument, Takeaway
from editorial.models import TranslationState
from editorial.resync import resync

BATCH_SIZE = 2000

# (English, Japanese). The first entries are the words the benchmark searches for.
TERMS = [
    ("quantization", "量子化"),
    ("safety evaluation", "安全評価"),
    ("benchmark", "ベンチマーク"),
    ("reproducibility", "再現性"),
    ("inference cost", "推論コスト"),
    ("fine-tuning", "ファインチューニング"),
    ("distillation", "蒸留"),
    ("alignment", "アライメント"),
    ("red teaming", "レッドチーミング"),
    ("interpretability", "解釈可能性"),
    ("multilingual models", "多言語モデル"),
    ("speech recognition", "音声認識"),
    ("machine translation", "機械翻訳"),
    ("retrieval-augmented generation", "検索拡張生成"),
    ("vector database", "ベクトルデータベース"),
    ("context window", "コンテキスト長"),
    ("agent framework", "エージェント基盤"),
    ("tool use", "ツール利用"),
    ("code generation", "コード生成"),
    ("data governance", "データガバナンス"),
    ("privacy", "プライバシー"),
    ("copyright", "著作権"),
    ("regulation", "規制"),
    ("AI act", "AI法"),
    ("export controls", "輸出規制"),
    ("semiconductors", "半導体"),
    ("GPU supply", "GPU供給"),
    ("data centers", "データセンター"),
    ("energy use", "電力消費"),
    ("edge devices", "エッジデバイス"),
    ("on-device inference", "端末内推論"),
    ("sparse models", "スパースモデル"),
    ("mixture of experts", "専門家混合"),
    ("long-context reasoning", "長文脈推論"),
    ("chain of thought", "思考の連鎖"),
    ("hallucination", "幻覚"),
    ("fact checking", "ファクトチェック"),
    ("watermarking", "電子透かし"),
    ("synthetic data", "合成データ"),
    ("evaluation harness", "評価基盤"),
    ("open weights", "オープンウェイト"),
    ("licensing", "ライセンス"),
    ("medical imaging", "医用画像"),
    ("drug discovery", "創薬"),
    ("robotics", "ロボティクス"),
    ("autonomous driving", "自動運転"),
    ("weather forecasting", "気象予測"),
    ("climate modelling", "気候モデル"),
    ("education", "教育"),
    ("accessibility", "アクセシビリティ"),
    ("search engines", "検索エンジン"),
    ("advertising", "広告"),
    ("cybersecurity", "サイバーセキュリティ"),
    ("prompt injection", "プロンプトインジェクション"),
    ("supply chain security", "サプライチェーンセキュリティ"),
    ("model cards", "モデルカード"),
    ("audit trails", "監査証跡"),
    ("procurement", "調達"),
    ("labour market", "労働市場"),
    ("productivity", "生産性"),
    ("venture funding", "ベンチャー投資"),
    ("cloud pricing", "クラウド料金"),
    ("open source", "オープンソース"),
    ("standards bodies", "標準化団体"),
    ("public sector", "公共部門"),
    ("financial services", "金融サービス"),
    ("customer support", "カスタマーサポート"),
    ("document understanding", "文書理解"),
    ("image generation", "画像生成"),
    ("video generation", "動画生成"),
]
QUALIFIERS = [
    ("policy", "政策"),
    ("research", "研究"),
    ("industry", "産業"),
    ("Japan", "日本"),
]
ORGS = [
    "OpenAI",
    "Anthropic",
    "Google DeepMind",
    "Meta",
    "Microsoft",
    "NVIDIA",
    "Sakana AI",
    "Preferred Networks",
    "理化学研究所 (RIKEN)",
    "Mistral AI",
    "Hugging Face",
    "AIST",
    "the EU Commission",
    "METI",
    "Stanford HAI",
    "a university consortium",
]
THINGS = [
    ("benchmark", "ベンチマーク"),
    ("paper", "論文"),
    ("report", "報告書"),
    ("open-source toolkit", "オープンソースのツールキット"),
    ("guideline", "ガイドライン"),
    ("model release", "モデル"),
    ("dataset", "データセット"),
    ("pilot programme", "実証実験"),
]
SENTENCES = [
    (
        "{org} published a new {thing} on {term}, covering {n} cases drawn from production systems.",
        "{org}は{term_ja}に関する新しい{thing_ja}を公開し、本番システムから集めた{n}件の事例を扱った。",
    ),
    (
        "The work compares {term} with {term2} and finds that the gap narrows as workloads grow.",
        "この研究は{term_ja}と{term2_ja}を比較し、負荷が大きくなるほど差が縮まることを示した。",
    ),
    (
        "Teams that adopted {term} early report lower costs but more operational work.",
        "{term_ja}を早期に導入したチームは、コスト削減と引き換えに運用負荷が増えたと報告している。",
    ),
    (
        "Critics note that results on {term} are hard to reproduce without the original code.",
        "批判的な立場からは、{term_ja}の結果は元のコードなしでは再現が難しいと指摘されている。",
    ),
    (
        "Regulators are watching {term} closely, and {org} has asked for public comment within {n} days.",
        "規制当局は{term_ja}を注視しており、{org}は{n}日以内の意見募集を始めた。",
    ),
    (
        "For practitioners, the lesson is to measure {term} on their own data before trusting a headline number.",
        "実務者にとっての教訓は、見出しの数字を信じる前に自社データで{term_ja}を測ることだ。",
    ),
    (
        "The announcement ties {term} to {term2}, a link few expected a year ago.",
        "今回の発表は{term_ja}と{term2_ja}を結びつけるもので、一年前には予想されていなかった。",
    ),
    (
        "Early numbers suggest a {n} percent improvement, though the sample is small.",
        "初期の数値では{n}パーセントの改善が見られるが、サンプルはまだ小さい。",
    ),
    (
        "Procurement teams should ask vendors how {term} is tested and who signs off on the results.",
        "調達担当者は、{term_ja}がどのように検証され、誰が結果を承認するのかをベンダーに確認すべきだ。",
    ),
    (
        "The open question is whether {term} holds up outside English-language settings.",
        "残る疑問は、{term_ja}が英語以外の環境でも通用するかどうかである。",
    ),
]
TITLES = [
    ("{org} moves first on {term}", "{org}、{term_ja}で先行"),
    ("What the new {thing} on {term} measures", "{term_ja}の新しい{thing_ja}は何を測るのか"),
    ("{term} meets {term2}", "{term_ja}と{term2_ja}が交わる"),
    ("The hidden cost of {term}", "{term_ja}の見えないコスト"),
    ("Why {term} is hard to reproduce", "{term_ja}の再現が難しい理由"),
    ("{term}: {n} lessons from production", "{term_ja}: 本番環境から得た{n}の教訓"),
    ("Regulators turn to {term}", "規制当局が{term_ja}に注目"),
    ("{org} opens its {term} {thing}", "{org}が{term_ja}の{thing_ja}を公開"),
]
TAKEAWAYS = [
    (
        "Treat {term} as an operational dependency: pin versions and record every change.",
        "{term_ja}は運用上の依存関係として扱い、バージョンを固定し変更をすべて記録する。",
    ),
    (
        "Measure {term} on your own workload before changing anything in production.",
        "本番環境を変える前に、自社のワークロードで{term_ja}を測定する。",
    ),
    (
        "Expect {term} and {term2} to be discussed together in the next procurement cycle.",
        "次の調達サイクルでは{term_ja}と{term2_ja}が一緒に議論されると考えておく。",
    ),
    (
        "A headline score on {term} is not a decision input until it is reproduced.",
        "{term_ja}の見出しスコアは、再現されるまで判断材料にはならない。",
    ),
    (
        "Budget time for {term}: the cost is in maintenance, not in the first launch.",
        "{term_ja}には時間を確保しておく。コストは初回の導入ではなく保守にかかる。",
    ),
]
# The share of issues in which one language is partly missing, as in a real newsroom where
# translators catch up over a few days.
PARTLY_UNTRANSLATED = 0.15
MISSING_FIELD_SHARE = 0.4


def keyword_vocabulary():
    """(slug, English name, Japanese name) for every keyword: the terms and some qualified ones."""
    vocabulary = []
    for en, ja in TERMS:
        base = en.lower().replace(" ", "-")
        vocabulary.append((base, en, ja))
        for q_en, q_ja in QUALIFIERS:
            vocabulary.append((f"{base}-{q_en.lower()}", f"{en} ({q_en})", f"{ja}（{q_ja}）"))
    return vocabulary


class TextMaker:
    def __init__(self, rng: random.Random):
        self.rng = rng

    def fill(self, pair, topic):
        rng = self.rng
        term, term2 = topic, rng.choice(TERMS)
        thing = rng.choice(THINGS)
        values = {
            "org": rng.choice(ORGS),
            "term": term[0],
            "term_ja": term[1],
            "term2": term2[0],
            "term2_ja": term2[1],
            "thing": thing[0],
            "thing_ja": thing[1],
            "n": rng.randint(3, 90),
        }
        return pair[0].format(**values), pair[1].format(**values)

    def paragraph(self, topic, sentences):
        parts = [self.fill(self.rng.choice(SENTENCES), topic) for _ in range(sentences)]
        return " ".join(en for en, _ja in parts), "".join(ja for _en, ja in parts)

    def title(self, topic):
        return self.fill(self.rng.choice(TITLES), topic)

    def takeaway(self, topic):
        return self.fill(self.rng.choice(TAKEAWAYS), topic)


class Command(BaseCommand):
    help = (
        "Benchmarks and load tests: fill the database with a realistic, deterministic archive "
        "of published daily issues (default 3,650 = 10 years)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=3650, help="Number of daily issues.")
        parser.add_argument(
            "--end-date",
            default=None,
            help="Date of the newest issue, YYYY-MM-DD (default: yesterday).",
        )
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same archive.")
        parser.add_argument(
            "--clear", action="store_true", help="Delete all briefings and keywords first."
        )

    def handle(self, *args, days, end_date, seed, clear, **options):
        if days < 1:
            raise CommandError("--days must be at least 1.")
        if end_date:
            try:
                end = datetime.date.fromisoformat(end_date)
            except ValueError:
                raise CommandError(
                    f"--end-date: “{end_date}” is not a date (YYYY-MM-DD)."
                ) from None
        else:
            end = datetime.date.today() - datetime.timedelta(days=1)
        dates = [end - datetime.timedelta(days=offset) for offset in range(days - 1, -1, -1)]

        started = time.monotonic()
        with transaction.atomic():
            if clear:
                _refuse_unless_generated()
                # Deep dives, takeaways, read-more items and keyword links go by cascade.
                Briefing.objects.all().delete()
                Keyword.objects.all().delete()
            elif Briefing.objects.filter(date__range=(dates[0], dates[-1])).exists():
                raise CommandError(
                    "Briefings already exist in that date range; use --clear to replace all content."
                )
            created = self._generate(dates, random.Random(seed))
            GeneratedIssue.objects.bulk_create(
                GeneratedIssue(briefing=briefing) for briefing in created["briefings"]
            )
            derived = _rebuild_derived_data(created)
        # Fresh planner statistics, as after any bulk load: without them PostgreSQL plans the
        # first queries for nearly empty tables.
        with connection.cursor() as cursor:
            for model in (
                Briefing,
                Briefing.keywords.through,
                DeepDive,
                Takeaway,
                ReadMore,
                Keyword,
                SearchDocument,
                TranslationState,
            ):
                table = connection.ops.quote_name(model._meta.db_table)
                if connection.vendor == "postgresql" and not connection.in_atomic_block:
                    # VACUUM too (not allowed inside a transaction): it marks the new rows
                    # visible to all, so that index-only scans need not visit the table.
                    cursor.execute(f"VACUUM ANALYZE {table}")
                else:
                    cursor.execute(f"ANALYZE {table}")
            if connection.vendor == "postgresql":
                # A bulk load leaves the new search documents in the trigram index's pending
                # list (normally merged by autovacuum). Until it is merged, every search scans
                # that list and the planner, costing it, prefers reading every document instead.
                cursor.execute(
                    "SELECT gin_clean_pending_list(%s::regclass)", [search.TRIGRAM_INDEX]
                )
        counts = {name: len(objects) for name, objects in created.items()}
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"Generated {counts['briefings']} issues ({dates[0]} to {dates[-1]}): "
            f"{counts['deep_dives']} deep dives, {counts['takeaways']} takeaways, "
            f"{counts['read_more']} read-more items, {counts['keywords']} new keywords "
            f"in {elapsed:.1f} s."
        )
        for line in derived:
            self.stdout.write(line)

    def _generate(self, dates, rng):
        text = TextMaker(rng)
        vocabulary = keyword_vocabulary()
        existing = set(Keyword.objects.values_list("slug", flat=True))
        keywords = Keyword.objects.bulk_create(
            [
                Keyword(slug=slug, name_en=en, name_ja=ja)
                for slug, en, ja in vocabulary
                if slug not in existing
            ],
            batch_size=BATCH_SIZE,
        )
        keyword_ids = dict(Keyword.objects.values_list("slug", "pk"))
        tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)

        # Content is drawn first, in date order, so that the random stream (and so the archive)
        # does not depend on batch sizes or on primary keys.
        plans = [self._plan(day, text, vocabulary) for day in dates]

        briefings = [
            Briefing(
                date=plan["date"],
                status=Briefing.Status.PUBLISHED,
                publish_at=datetime.datetime.combine(plan["date"], datetime.time(6, 0), tz),
                **plan["fields"],
            )
            for plan in plans
        ]
        Briefing.objects.bulk_create(briefings, batch_size=BATCH_SIZE)

        deep_dives, read_more, links = [], [], []
        for briefing, plan in zip(briefings, plans, strict=True):
            for item in plan["deep_dives"]:
                deep_dives.append(
                    DeepDive(briefing_id=briefing.pk, position=item["position"], **item["fields"])
                )
            read_more.extend(
                ReadMore(briefing_id=briefing.pk, **item) for item in plan["read_more"]
            )
            links.extend(
                Briefing.keywords.through(briefing_id=briefing.pk, keyword_id=keyword_ids[slug])
                for slug in plan["keywords"]
            )
        DeepDive.objects.bulk_create(deep_dives, batch_size=BATCH_SIZE)
        ReadMore.objects.bulk_create(read_more, batch_size=BATCH_SIZE)
        Briefing.keywords.through.objects.bulk_create(links, batch_size=BATCH_SIZE)

        takeaways = []
        dive_plans = (item for plan in plans for item in plan["deep_dives"])
        for deep_dive, item in zip(deep_dives, dive_plans, strict=True):
            takeaways.extend(
                Takeaway(deep_dive_id=deep_dive.pk, position=position, **fields)
                for position, fields in enumerate(item["takeaways"], start=1)
            )
        Takeaway.objects.bulk_create(takeaways, batch_size=BATCH_SIZE)
        return {
            "briefings": briefings,
            "deep_dives": deep_dives,
            "takeaways": takeaways,
            "read_more": read_more,
            "keywords": keywords,
        }

    def _plan(self, day, text, vocabulary):
        rng = text.rng
        topics = rng.sample(TERMS, 5)
        # Which language lags behind in this issue, if any: mostly English, as the desk writes
        # in Japanese first.
        lagging = None
        if rng.random() < PARTLY_UNTRANSLATED:
            lagging = "en" if rng.random() < 0.7 else "ja"

        def pair(field, values):
            en, ja = values
            if lagging and rng.random() < MISSING_FIELD_SHARE:
                en, ja = ("", ja) if lagging == "en" else (en, "")
            return {f"{field}_en": en, f"{field}_ja": ja}

        theme = text.title(topics[0])
        fields = (
            pair("theme", theme)
            | pair("lead", text.paragraph(topics[0], 2))
            | pair("tldr", text.paragraph(topics[1], 3))
        )
        deep_dive_count = rng.randint(3, 5)
        deep_dives = []
        for position in range(1, deep_dive_count + 1):
            topic = topics[(position - 1) % len(topics)]
            deep_dives.append(
                {
                    "position": position,
                    "fields": pair("title", text.title(topic))
                    | pair("what_happened", text.paragraph(topic, rng.randint(2, 3)))
                    | pair("why_it_matters", text.paragraph(topic, rng.randint(3, 4)))
                    | pair("practical_points", text.paragraph(topic, 2)),
                    "takeaways": [pair("text", text.takeaway(topic)) for _ in range(3)],
                }
            )
        read_more = []
        for offset in range(1, rng.randint(2, 4) + 1):
            topic = rng.choice(TERMS)
            read_more.append(
                {
                    "position": deep_dive_count + offset,
                    "url": f"https://example.com/{day:%Y/%m/%d}/{offset}",
                    **pair("title", text.title(topic)),
                    **pair("summary", text.paragraph(topic, 1)),
                }
            )
        keywords = sorted({slug for slug, _en, _ja in rng.sample(vocabulary, rng.randint(3, 6))})
        return {
            "date": day,
            "fields": fields,
            "deep_dives": deep_dives,
            "read_more": read_more,
            "keywords": keywords,
        }


def _refuse_unless_generated() -> None:
    """--clear deletes every issue: only in a database holding nothing but generated ones."""
    others = Briefing.objects.exclude(pk__in=GeneratedIssue.objects.values("briefing")).count()
    if others:
        raise CommandError(
            f"--clear refused: this database holds {others} issues that generate_archive did "
            "not write (DATABASE_URL names a real database?). Nothing was deleted."
        )


def _rebuild_derived_data(created: dict[str, list]) -> list[str]:
    """bulk_create sends no signals: rebuild what the project derives on save (translation
    state, completeness, search documents, a new page-cache generation) with `resync`, the
    same code the `resync` command runs. Returns lines to print."""
    counts = resync([briefing.pk for briefing in created["briefings"]])
    return [
        f"Resynchronised {counts['issues']} issues: translation state "
        f"({counts['translation_states']} records), completeness and search documents; "
        "started a new page-cache generation."
    ]

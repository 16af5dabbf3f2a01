from modeltranslation.translator import TranslationOptions, register

from .models import Briefing, DeepDive, Keyword, ReadMore, Takeaway


@register(Keyword)
class KeywordTranslationOptions(TranslationOptions):
    fields = ("name",)


@register(Briefing)
class BriefingTranslationOptions(TranslationOptions):
    fields = ("theme", "lead", "tldr")


@register(DeepDive)
class DeepDiveTranslationOptions(TranslationOptions):
    fields = ("title", "what_happened", "why_it_matters", "practical_points")


@register(Takeaway)
class TakeawayTranslationOptions(TranslationOptions):
    fields = ("text",)


@register(ReadMore)
class ReadMoreTranslationOptions(TranslationOptions):
    fields = ("title", "summary")

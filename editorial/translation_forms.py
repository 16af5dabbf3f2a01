from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from .translation_status import MISSING, OUTDATED

DIRECTION_CHOICES = [
    ("", _("Any direction")),
    ("en", _("Japanese → English")),
    ("ja", _("English → Japanese")),
]
STATUS_CHOICES = [
    ("", _("Missing or outdated")),
    (MISSING, _("Missing")),
    (OUTDATED, _("Outdated")),
]


class QueueFilterForm(forms.Form):
    to = forms.ChoiceField(label=_("Direction"), choices=DIRECTION_CHOICES, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)


class TranslationForm(forms.Form):
    """One input per translatable field, in the target language only.

    The form declares exactly the fields a translator may write, so anything else in a POST
    (dates, numbers, links, status, other objects, the source language) is never read.
    """

    def __init__(self, items, target, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for item in items:
            model_field = type(item.obj)._meta.get_field(item.field)
            multiline = isinstance(model_field, models.TextField)
            widget = (
                forms.Textarea(attrs={"rows": 4, "lang": target, "class": "translation-input"})
                if multiline
                else forms.TextInput(attrs={"lang": target, "class": "translation-input"})
            )
            self.fields[item.path] = forms.CharField(
                label=item.label,
                required=False,
                max_length=model_field.max_length,
                initial=item.texts[target],
                widget=widget,
            )


class POUploadForm(forms.Form):
    file = forms.FileField(label=_("Translated PO file"))

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from .state import fingerprint, normalize, other_language
from .status import MISSING, OUTDATED

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

    def __init__(self, items, target, *args, shown=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.items, self.target = items, target
        # The target texts as the editor shows them (editor.shown_texts): a keyword name
        # waiting for this publication is the translator's, not the one readers see.
        self.shown = shown or {item.path: item.texts[target] for item in items}
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
                initial=self.shown[item.path],
                widget=widget,
            )
            # The source the translator saw, to catch an editor changing it meanwhile.
            self.fields[source_field(item.path)] = forms.CharField(
                required=False,
                initial=fingerprint(item.texts[other_language(target)]),
                widget=forms.HiddenInput,
            )
            # The translation the page opened with: a field the translator left alone is not
            # written back over someone else's later save of it.
            self.fields[base_field(item.path)] = forms.CharField(
                required=False,
                initial=fingerprint(self.shown[item.path]),
                widget=forms.HiddenInput,
            )

    def clean(self):
        cleaned = super().clean()
        source = other_language(self.target)
        for item in self.items:
            new = cleaned.get(item.path)
            if new is None or normalize(new) == self.shown[item.path]:
                continue
            opened_with = cleaned.get(base_field(item.path))
            if opened_with and fingerprint(normalize(new)) == opened_with:
                del cleaned[item.path]  # untouched here, changed elsewhere since: theirs stays
                continue
            if opened_with and opened_with != fingerprint(self.shown[item.path]):
                self.add_error(
                    item.path,
                    _(
                        "Someone else saved this translation while you were writing it: "
                        "“%(theirs)s”. Keep yours by saving again, or copy theirs."
                    )
                    % {"theirs": self.shown[item.path]},
                )
                continue
            if cleaned.get(source_field(item.path)) != fingerprint(item.texts[source]):
                self.add_error(
                    item.path,
                    _(
                        "The source changed while you were translating. Check your "
                        "translation against the new source and save again."
                    ),
                )
        return cleaned

    def rebind_sources(self):
        """After a refused save: the hidden fingerprints now name the source on the page."""
        self.data = self.data.copy()
        source = other_language(self.target)
        for item in self.items:
            self.data[source_field(item.path)] = fingerprint(item.texts[source])
            self.data[base_field(item.path)] = fingerprint(self.shown[item.path])


def source_field(path: str) -> str:
    return f"{path}@source"


def base_field(path: str) -> str:
    return f"{path}@base"


class POUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Translated PO file"),
        error_messages={"required": _("Choose a PO file to upload.")},
    )

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Subscriber


class SubscribeForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=254)
    language = forms.ChoiceField(
        label=_("Language of the email"),
        choices=Subscriber.Language.choices,
        widget=forms.RadioSelect,
        initial=Subscriber.Language.JA,
    )


class LanguageForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language of the email"),
        choices=Subscriber.Language.choices,
        widget=forms.RadioSelect,
    )

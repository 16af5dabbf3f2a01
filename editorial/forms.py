from django import forms
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from briefing.content import DEEP_DIVE, ISSUE
from briefing.models import Briefing, DeepDive
from editorial import history
from editorial.interchange.textformat import BriefingTextError, parse_briefing_text


class EditTokenForm(forms.ModelForm):
    """Optimistic locking: refuse a save when someone else saved the issue after this form opened.

    The refused form keeps everything its user typed; the token is moved on to the newest save
    so that, having looked at the other version, they can save again on purpose.
    """

    edit_token = forms.CharField(widget=forms.HiddenInput, required=False)

    def issue_id(self):
        raise NotImplementedError

    def opened_issue(self):
        return Briefing.objects.filter(pk=self.issue_id()).only("updated_at").first()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.issue_id() is not None and not self.is_bound:
            issue = self.opened_issue()
            if issue is not None:
                self.initial["edit_token"] = history.edit_token(issue)

    def clean(self):
        cleaned_data = super().clean()
        if self.issue_id() is None:
            return cleaned_data
        # Locked until the admin's transaction ends, so two saves cannot both pass this check.
        current = Briefing.objects.select_for_update().filter(pk=self.issue_id()).first()
        if current is None:
            return cleaned_data
        token = history.edit_token(current)
        if cleaned_data.get("edit_token") != token:
            self.data = self.data.copy()
            self.data[self.add_prefix("edit_token")] = token
            since = history.opened_at(cleaned_data.get("edit_token") or "")
            raise ValidationError(conflict_message(current, since), code="conflict")
        return cleaned_data


def conflict_message(briefing: Briefing, since=None) -> str:
    version = history.last_version(briefing, since)
    user = version.revision.user if version else None
    when = version.revision.date_created if version else briefing.updated_at
    who = (user.get_full_name() or user.get_username()) if user else gettext("someone else")
    return gettext(
        "%(user)s saved this briefing at %(time)s, after you opened it. Your changes were NOT "
        "saved and are still in the form below. Compare with their version (History), then "
        "save again to replace it with yours."
    ) % {"user": who, "time": date_format(timezone.localtime(when), "DATETIME_FORMAT")}


class BriefingAdminForm(EditTokenForm):
    class Meta:
        model = Briefing
        # The admin narrows these to what the user may change (see editorial.permissions).
        # Status and publication time change only through editorial.workflow.
        fields = ("date", *ISSUE.translated, "keywords")

    def issue_id(self):
        return self.instance.pk

    def opened_issue(self):
        return self.instance


class DeepDiveAdminForm(EditTokenForm):
    class Meta:
        model = DeepDive
        fields = ("briefing", "position", *DEEP_DIVE.translated, *DEEP_DIVE.untranslated)

    def issue_id(self):
        return self.instance.briefing_id

    def opened_issue(self):
        return self.instance.briefing


def time_zone_label() -> str:
    """The admin's time zone as editors know it: "Asia/Tokyo (JST)"."""
    now = timezone.localtime()
    return f"{timezone.get_current_timezone_name()} ({now.tzname()})"


class ScheduleForm(forms.Form):
    publish_at = forms.SplitDateTimeField(label=_("publish at"), widget=AdminSplitDateTime)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["publish_at"].help_text = gettext("Time zone: %(zone)s") % {
            "zone": time_zone_label()
        }

    def clean_publish_at(self):
        value = self.cleaned_data["publish_at"]
        if value <= timezone.now():
            raise ValidationError(_("Choose a time in the future."))
        return value


class PublishForm(ScheduleForm):
    """Publish now, or schedule: the last step before an issue goes out."""

    NOW, LATER = "now", "later"
    when = forms.ChoiceField(
        label=_("When"),
        choices=[(NOW, _("Publish now")), (LATER, _("Schedule for the time below"))],
        widget=forms.RadioSelect,
        initial=NOW,
    )
    field_order = ["when", "publish_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["publish_at"].required = False

    def clean_publish_at(self):
        value = self.cleaned_data.get("publish_at")
        if self.data.get(self.add_prefix("when")) != self.LATER:
            return None
        if value is None:
            raise ValidationError(_("Choose the time to publish at."))
        return super().clean_publish_at()


class ReviewForm(forms.Form):
    note = forms.CharField(
        label=_("Note to the reviewer"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )


class ReturnForm(forms.Form):
    reply = forms.CharField(
        label=_("Comment for the author"),
        help_text=_("Say what to change; the author receives it by email."),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
    )


class ImportTextForm(forms.Form):
    error_line_number = None

    text = forms.CharField(
        label=_("Text"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 24, "cols": 100, "class": "vLargeTextField"}),
        help_text=_("Paste the issue in the plain-text format, or choose a file below."),
    )
    file = forms.FileField(label=_("or a text file"), required=False)
    replace = forms.BooleanField(
        label=_("Replace the existing briefing for that date"),
        required=False,
        help_text=_("Its earlier version stays in the history and can be restored."),
    )

    def clean(self):
        cleaned_data = super().clean()
        upload = cleaned_data.get("file")
        text = cleaned_data.get("text") or ""
        if upload:
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise ValidationError(
                    _("The file is not UTF-8 text; save it as UTF-8 and try again.")
                ) from None
        if not text.strip():
            raise ValidationError(_("Paste the text or choose a file."))
        cleaned_data["text"] = text
        try:
            cleaned_data["data"] = parse_briefing_text(text)
        except BriefingTextError as exc:
            self.error_line_number = getattr(exc, "line_number", None)
            raise ValidationError(parse_error_message(exc), code="parse") from None
        return cleaned_data

    def error_context(self, around: int = 2) -> list[tuple[int, str, bool]]:
        """The numbered lines around the line the parser stopped at, to show with the error."""
        number = getattr(self, "error_line_number", None)
        if not number:
            return []
        lines = self.cleaned_data.get("text", "").splitlines()
        first = max(1, number - around)
        return [
            (n, lines[n - 1], n == number)
            for n in range(first, min(len(lines), number + around) + 1)
        ]


def parse_error_message(exc: BriefingTextError) -> str:
    number = getattr(exc, "line_number", None)
    if number is None:
        return str(exc)
    message = gettext("Line %(number)d: %(problem)s") % {
        "number": number,
        "problem": getattr(exc, "message", str(exc)),
    }
    line = getattr(exc, "line", "")
    return f"{message} — “{line}”" if line else message

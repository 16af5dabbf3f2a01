import secrets

from django import forms
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from briefing.content import DEEP_DIVE, ISSUE, KEYWORD, MAX_TEXT_BYTES, too_large, too_many
from briefing.models import Briefing, DeepDive, Takeaway
from editorial import history, merging
from editorial.interchange.textformat import BriefingTextError, parse_briefing_text


class IssueForm(forms.ModelForm):
    """An admin form of an issue or one of its parts that merges with saves made since it opened.

    The page's edit token (one hidden field of the main form, read by every form of the page)
    names the revision the page opened; editorial.merging settles each field against it. A
    field both sides changed is an error on that field, with the choice shown on the page.
    """

    def issue_id(self):
        raise NotImplementedError

    def clean(self):
        cleaned_data = super().clean()
        self.conflicts = []
        issue_pk = self.issue_id()
        if issue_pk is None or self.instance.pk is None:
            return cleaned_data
        token = merging.Token.parse(self.data.get("edit_token", ""))
        current = Briefing.objects.filter(pk=issue_pk).only("updated_at").first()
        if current is None or history.edit_token(current) == token.updated_at:
            return cleaned_data  # nobody saved since the page opened
        base = merging.base_object(token, issue_pk, type(self.instance), self.instance.pk)
        base_m2m = {}
        if isinstance(self.instance, Briefing) and token.revision_id is not None:
            snapshot = merging.snapshot(token.revision_id, issue_pk)
            base_m2m = dict(snapshot.links) if snapshot else {}
        self.conflicts = merging.merge(self, base, self.instance, base_m2m)
        for conflict in self.conflicts:
            self.add_error(
                conflict.name.removeprefix(self.prefix + "-") if self.prefix else conflict.name,
                ValidationError(
                    _("Changed by both of you: choose a version above."), code="conflict"
                ),
            )
        return cleaned_data


class PartForm(IssueForm):
    """The form of a deep dive, takeaway or read-more row on an issue's page."""

    def issue_id(self):
        if self.instance.pk is None:
            return None
        if isinstance(self.instance, Takeaway):
            return self.instance.deep_dive.briefing_id
        return self.instance.briefing_id


class EditTokenForm(IssueForm):
    """The main form of a page: carries the edit token and locks the issue while saving."""

    # Hidden, and without a label: the admin still writes one into the hidden row.
    edit_token = forms.CharField(widget=forms.HiddenInput, required=False, label="")

    def opened_issue(self):
        return Briefing.objects.filter(pk=self.issue_id()).only("updated_at").first()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.issue_id() is not None and not self.is_bound:
            issue = self.opened_issue()
            if issue is not None:
                self.initial["edit_token"] = str(merging.Token.of(issue))

    def clean(self):
        if self.issue_id() is not None:
            # Locked until the admin's transaction ends: two saves are merged one after the other.
            Briefing.objects.select_for_update().filter(pk=self.issue_id()).first()
        cleaned_data = super().clean()
        token = merging.Token.parse(self.data.get("edit_token", ""))
        current = Briefing.objects.filter(pk=self.issue_id()).first() if self.issue_id() else None
        if current is not None and history.edit_token(current) != token.updated_at:
            self.saved_meanwhile = saved_meanwhile(current, history.opened_at(token.updated_at))
        return cleaned_data


def saved_meanwhile(briefing: Briefing, since=None) -> str:
    """Who saved the issue after the page opened, and when, in words."""
    version = history.last_version(briefing, since)
    user = version.revision.user if version else None
    when = version.revision.date_created if version else briefing.updated_at
    who = (user.get_full_name() or user.get_username()) if user else gettext("someone else")
    return gettext("%(user)s saved this briefing at %(time)s, after you opened it.") % {
        "user": who,
        "time": history.format_moment(when),
    }


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

    def clean_keywords(self):
        keywords = self.cleaned_data["keywords"]
        if len(keywords) > KEYWORD.max_items:
            raise ValidationError(str(too_many(KEYWORD, len(keywords))), code="max_keywords")
        return keywords


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
    publish_at = forms.SplitDateTimeField(
        label=capfirst(_("publish at")), widget=AdminSplitDateTime
    )

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


class PreviewStore:
    """Texts shown in an import preview, kept in the editor's session until saved, so that
    "Save" posts a token instead of the text again (a re-posted text could be refused by the
    form size limit, DATA_UPLOAD_MAX_MEMORY_SIZE, once encoded). A few at a time: one per
    preview still open in another tab."""

    SESSION_KEY = "editorial_import_previews"
    KEPT = 3

    def __init__(self, session):
        self.session = session

    def put(self, text: str) -> str:
        previews = self.session.get(self.SESSION_KEY, {})
        token = secrets.token_urlsafe(16)
        previews[token] = text
        self.session[self.SESSION_KEY] = dict(list(previews.items())[-self.KEPT :])
        return token

    def get(self, token: str) -> str | None:
        return self.session.get(self.SESSION_KEY, {}).get(token)

    def drop(self, token: str) -> None:
        previews = self.session.get(self.SESSION_KEY, {})
        if previews.pop(token, None) is not None:
            self.session[self.SESSION_KEY] = previews


class ImportTextForm(forms.Form):
    """The import page's form: a pasted text, an uploaded file, or (on "Save") the token of a
    preview kept in the session."""

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

    preview_token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, previews: PreviewStore | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.previews = previews

    def clean(self):
        cleaned_data = super().clean()
        upload = cleaned_data.get("file")
        text = cleaned_data.get("text") or ""
        if token := cleaned_data.get("preview_token"):
            text = self.previews.get(token) if self.previews is not None else None
            if text is None:
                raise ValidationError(
                    _("This preview is no longer kept; show the text again, then save it."),
                    code="preview_gone",
                )
        elif upload:
            if upload.size > MAX_TEXT_BYTES:  # refused unread
                raise ValidationError(str(too_large(upload.size)), code="too_large")
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

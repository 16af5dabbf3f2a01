"""The editors' and translators' admin: one page per issue, workflow actions, history.

What a user may change is decided by editorial.permissions and enforced by making the other
fields read-only: Django leaves read-only fields out of the form, so a forged POST cannot write
them, and inline rows cannot be added or deleted without the model's add/delete permission.
"""

import nested_admin
from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import quote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.timezone import localtime
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline
from reversion.models import Version
from reversion_compare.admin import CompareVersionAdmin

from briefing.content import DEEP_DIVE, ISSUE, LANGUAGE_CODES, READ_MORE, TAKEAWAY
from briefing.models import Briefing, DeepDive, Keyword, ReadMore, Takeaway
from editorial import (  # noqa: F401 (accounts)
    accounts,
    compare,
    history,
    merging,
    workflow,
    workflow_views,
)
from editorial.forms import (
    BriefingAdminForm,
    DeepDiveAdminForm,
    PartForm,
    ScheduleForm,
    time_zone_label,
)
from editorial.inlines import (
    IssueAdminBase,
    LanguageLabelsMixin,
    LimitedInlineFormSet,
    LimitedPartsMixin,
    PartInline,
    SideBySideMixin,
    mark_languages,
    page_forms,
)
from editorial.permissions import can_edit_structure, can_publish, locked_fields
from editorial.translation import completeness as stored_completeness

# Admin autodiscovery runs before EditorialConfig.ready(); registering here first keeps
# VersionAdmin from registering the models with follow rules guessed from the inlines.
history.register_models()

admin.site.site_header = _("Daily Briefing editorial")
admin.site.site_title = _("Daily Briefing editorial")
admin.site.index_title = _("Newsroom")


class LockedFieldsMixin:
    def get_readonly_fields(self, request, obj=None):
        readonly = tuple(super().get_readonly_fields(request, obj))
        return readonly + locked_fields(request.user, self.model._meta.model_name)


class RenumberingMixin:
    def save_formset(self, request, form, formset, change):
        # Two-phase renumbering: the rows first move out of the way, so any permutation of
        # numbers saves (see history.make_room).
        moved = [
            f.instance.pk
            for f in formset.forms
            if f.instance.pk is not None and "position" in f.changed_data
        ]
        if moved:
            above = max(
                (f.cleaned_data.get("position") or 0 for f in formset.forms if f.cleaned_data),
                default=0,
            )
            history.make_room(formset.model.objects.filter(pk__in=moved), above)
        super().save_formset(request, form, formset, change)


class IssueHistoryMixin:
    """History pages that work on the whole issue (see editorial.history).

    Restoring and recovering bring back content only; they never change whether an issue is
    public. Translators may read the history; restoring a version is an editor's decision.
    """

    def issue_pk(self, obj):
        raise NotImplementedError

    def revision_view(self, request, object_id, version_id, extra_context=None):
        if not (can_edit_structure(request.user) and self.has_change_permission(request)):
            raise PermissionDenied
        obj = self.get_object(request, object_id)
        if obj is None:
            raise Http404
        version = get_object_or_404(
            Version.objects.select_related("revision"), pk=version_id, object_id=str(obj.pk)
        )
        briefing = Briefing.objects.get(pk=self.issue_pk(obj))
        issue_version = history.issue_versions(briefing.pk).filter(revision=version.revision_id)
        issue_version = issue_version.first()
        if issue_version is None:
            raise Http404(gettext("This version does not hold the whole issue."))
        if request.method == "POST":
            history.restore(briefing, issue_version, request.user)
            messages.success(request, restored_message(briefing, issue_version))
            return HttpResponseRedirect(
                reverse("admin:briefing_briefing_change", args=[briefing.pk])
            )
        snapshot = history.Snapshot(issue_version.revision, briefing.pk)
        return self.confirm_history_step(
            request,
            briefing,
            gettext("Restore the version of %(time)s")
            % {"time": history.format_moment(issue_version.revision.date_created)},
            snapshot,
            issue_version,
            gettext("Restore this version"),
        )

    def recover_view(self, request, version_id, extra_context=None):
        if not (can_edit_structure(request.user) and self.has_add_permission(request)):
            raise PermissionDenied
        version = get_object_or_404(history.deleted_versions(), pk=version_id)
        snapshot = history.Snapshot(version.revision, version.object_id)
        if snapshot.briefing is None:
            raise Http404
        if request.method == "POST":
            if Briefing.objects.filter(date=snapshot.briefing.date).exists():
                messages.error(
                    request,
                    gettext("There is already a briefing for %(date)s; nothing was recovered.")
                    % {"date": snapshot.briefing.date.isoformat()},
                )
                return HttpResponseRedirect(reverse("admin:briefing_briefing_recoverlist"))
            briefing = history.recover(version, request.user)
            messages.success(
                request,
                gettext("Recovered %(date)s as a draft.") % {"date": briefing.date.isoformat()},
            )
            return HttpResponseRedirect(
                reverse("admin:briefing_briefing_change", args=[briefing.pk])
            )
        return self.confirm_history_step(
            request,
            None,
            gettext("Recover %(date)s") % {"date": snapshot.briefing.date.isoformat()},
            snapshot,
            version,
            gettext("Recover as a draft"),
        )

    def confirm_history_step(self, request, briefing, title, snapshot, version, button):
        from editorial.views import parsed_rows

        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": Briefing._meta,
            "original": briefing,
            "version": version,
            "comment": history.describe(version.revision.comment),
            "rows": parsed_rows(snapshot.to_dict()),
            "button": button,
            "state": workflow.state_of(briefing) if briefing is not None else None,
        }
        return TemplateResponse(request, "admin/briefing/briefing/history_step.html", context)


def restored_message(briefing, version) -> str:
    return gettext(
        "Restored the version of %(time)s. The issue stays %(state)s; publishing is a separate "
        "step."
    ) % {
        "time": history.format_moment(version.revision.date_created),
        "state": workflow.state_of(briefing).label,
    }


def error_summary(form, inline_admin_formsets) -> list[str]:
    """Every error on the page in one list, naming the field, its language and its inline row.

    Language tabs and collapsed inlines can hide the field in error; this list cannot be hidden.
    """

    def describe(form, name):
        if name == "__all__":
            return ""
        field = form.fields.get(name)
        return str(field.label) if field is not None and field.label else name

    # The main form's own non-field errors (such as an edit conflict) are shown by the admin.
    summary = [
        f"{describe(form, name)}: {error}"
        for name, errors in form.errors.items()
        if name != "__all__"
        for error in errors
    ]
    for inline_admin_formset in inline_admin_formsets:
        formset = inline_admin_formset.formset
        verbose_name = capfirst(formset.model._meta.verbose_name)
        summary += [f"{verbose_name}: {error}" for error in formset.non_form_errors()]
        for index, inline_form in enumerate(formset.forms, start=1):
            # The number the row's heading shows: a sent number only orders the rows (the
            # admin's script sends each row's index from 0).
            position = inline_form.initial.get("position") or index
            for name, errors in inline_form.errors.items():
                label = describe(inline_form, name)
                where = f"{verbose_name} {position}" + (f" · {label}" if label else "")
                summary += [f"{where}: {error}" for error in errors]
    return summary


class ErrorSummaryMixin:
    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        adminform = context.get("adminform")
        if adminform is not None and adminform.form.is_bound:
            inline_admin_formsets = context.get("inline_admin_formsets", [])
            context["error_summary"] = error_summary(adminform.form, inline_admin_formsets)
            forms = [adminform.form] + [
                form for inline in inline_admin_formsets for form in inline.formset.forms
            ]
            context["conflicts"] = [
                conflict for form in forms for conflict in getattr(form, "conflicts", [])
            ]
            context["saved_meanwhile"] = getattr(adminform.form, "saved_meanwhile", "")
        if adminform is not None and isinstance(obj, Briefing):
            mark_languages(obj, page_forms(adminform, context.get("inline_admin_formsets", [])))
        return super().render_change_form(
            request, context, add=add, change=change, form_url=form_url, obj=obj
        )

    def save_model(self, request, obj, form, change):
        if getattr(form, "saved_meanwhile", ""):
            if any(name.startswith(merging.RESOLVE) for name in request.POST):
                merged = gettext(
                    "Your changes were merged with theirs; where you both changed a field, the "
                    "text you chose was saved, and the other one stays in the history."
                )
            else:
                merged = gettext("Your changes were merged with theirs; nobody's work was lost.")
            messages.info(request, f"{form.saved_meanwhile} {merged}")
        super().save_model(request, obj, form, change)


class TakeawayInline(LockedFieldsMixin, PartInline, nested_admin.NestedTabularInline):
    model = Takeaway
    form = PartForm
    fields = ("position", *TAKEAWAY.translated)
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 50})}
    }

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("deep_dive__briefing")


class DeepDiveInline(LockedFieldsMixin, PartInline, nested_admin.NestedStackedInline):
    """A deep dive with its key takeaways nested inside it."""

    model = DeepDive
    form = PartForm
    fields = ("position", *DEEP_DIVE.translated, *DEEP_DIVE.untranslated)
    inlines = (TakeawayInline,)

    def get_queryset(self, request):
        return (
            super().get_queryset(request).select_related("briefing").prefetch_related("takeaways")
        )


class ReadMoreInline(LockedFieldsMixin, PartInline, nested_admin.NestedStackedInline):
    model = ReadMore
    form = PartForm
    fields = ("position", *READ_MORE.translated, *READ_MORE.untranslated)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("briefing")


class StateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return workflow.State.choices

    def queryset(self, request, queryset):
        if self.value():
            return workflow.filter_by_state(queryset, self.value())
        return queryset


class IssueChangeList(ChangeList):
    """The issue list, its rows' links built from one reverse(): Django reverses every row's
    link, and with a filter on resolves each again to add the filter to it (two links a row:
    50 reverse() and 50 resolve() a page)."""

    _PK = "__pk__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        name = f"admin:{self.opts.app_label}_{self.opts.model_name}_change"
        url = reverse(name, args=[self._PK], current_app=self.model_admin.admin_site.name)
        context = {"preserved_filters": self.preserved_filters, "opts": self.opts}
        self._result_url = add_preserved_filters(context, url)
        # Already in every row's link; Django's own step would resolve each link to add them.
        self.preserved_filters = ""

    def url_for_result(self, result):
        return self._result_url.replace(self._PK, str(quote(getattr(result, self.pk_attname))))


# Django's own string, so translated by its catalog (a literal here would be extracted into ours).
SELECT_FOR_ACTION = "Select this object for an action - {}"
# The columns the issue list shows: the rest of an issue (its texts) is several KB a row.
LIST_COLUMNS = (
    "date",
    "status",
    "publish_at",
    "updated_at",
    *(f"theme_{code}" for code in LANGUAGE_CODES),
)


@admin.register(Briefing)
class BriefingAdmin(
    ErrorSummaryMixin,
    IssueHistoryMixin,
    LockedFieldsMixin,
    CompareVersionAdmin,
    IssueAdminBase,
):
    form = BriefingAdminForm
    change_list_template = "admin/briefing/briefing/change_list.html"
    list_display = ("date", "theme_any", "state", "completeness", "updated_at")
    # A page's cost is its rows: the same at 30 issues as at 3,650 (see docs/performance.md).
    list_per_page = 25
    # The total of all issues ("25 results (3,650 total)") costs a COUNT over the table on
    # every page; the filtered count that paging needs is still shown.
    show_full_result_count = False
    list_display_links = ("date", "theme_any")
    list_filter = (StateFilter,)
    date_hierarchy = "date"
    search_fields = (
        *(f"{field}_{code}" for field in ISSUE.translated for code in LANGUAGE_CODES),
        *(f"deep_dives__title_{code}" for code in LANGUAGE_CODES),
    )
    autocomplete_fields = ("keywords",)
    fieldsets = (
        (None, {"fields": ("date", "publication", "edit_token")}),
        (_("Content"), {"fields": (*ISSUE.translated, "keywords")}),
    )
    inlines = (DeepDiveInline, ReadMoreInline)
    actions = ("submit_for_review", "publish_now", "schedule", "unpublish", "start_next_issue")

    class Media:
        js = ("editorial/issue_page.js",)

    history_latest_first = True

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.resolver_match and request.resolver_match.url_name.endswith("changelist"):
            # The list shows the stored completeness: one query for the page.
            queryset = stored_completeness.with_completeness(queryset)
            if request.method == "GET":
                # Only what the list shows (actions, posted, get whole issues).
                queryset = queryset.only(*LIST_COLUMNS)
        return queryset

    def get_changelist(self, request, **kwargs):
        return IssueChangeList

    def action_checkbox(self, briefing):
        # Django's checkbox, written out: it renders a widget through the form renderer's
        # templates for every row.
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            str(briefing.pk),
            format_html(gettext(SELECT_FOR_ACTION), str(briefing)),
        )

    # Permissions named by the actions below.
    def has_publish_permission(self, request):
        return can_publish(request.user)

    def has_edit_structure_permission(self, request):
        return can_edit_structure(request.user)

    # The list.
    @admin.display(description=_("state"), ordering="status")
    def state(self, briefing):
        state = workflow.state_of(briefing)
        if state == workflow.State.SCHEDULED:
            return format_html(
                '<span class="editorial-state editorial-state-{}">{} · {}</span>',
                state.value,
                state.label,
                date_format(localtime(briefing.publish_at), "SHORT_DATETIME_FORMAT"),
            )
        return format_html(
            '<span class="editorial-state editorial-state-{}">{}</span>', state.value, state.label
        )

    @admin.display(description=_("theme"), ordering="theme")
    def theme_any(self, briefing):
        """The theme in the admin's language, else in the language it was written in."""
        if briefing.theme:
            return briefing.theme
        other = briefing.theme_ja or briefing.theme_en
        return (
            format_html('<span class="editorial-other-language">{}</span>', other) if other else "—"
        )

    @admin.display(description=_("written and up to date"))
    def completeness(self, briefing):
        return stored_completeness.describe(briefing)

    def view_on_site(self, briefing):
        # The public URL of a draft is a 404; the preview shows any issue to its staff.
        return _preview_url(briefing, None)

    @admin.display(description=_("publication"))
    def publication(self, briefing):
        """State and time, read-only: they change only through the workflow's steps."""
        if briefing is None or briefing.pk is None:
            return workflow.State.DRAFT.label
        state = workflow.state_of(briefing)
        if briefing.publish_at is None or state in (workflow.State.DRAFT, workflow.State.REVIEW):
            return state.label
        return f"{state.label} · {history.format_moment(briefing.publish_at)}"

    # Saving, optionally followed by a workflow step.
    def workflow_buttons(self, request, obj):
        if obj is None or obj.pk is None:
            return []
        state = workflow.state_of(obj)
        buttons = []
        if can_edit_structure(request.user) and state == workflow.State.DRAFT:
            buttons.append(("_submit_for_review", _("Save and send to review")))
        if can_publish(request.user) and state != workflow.State.LIVE:
            buttons.append(("_publish", _("Save and publish…")))
        return buttons

    def get_urls(self):
        from django.urls import path

        def step_view(request, object_id, step):
            return workflow_views.workflow_step(self, request, object_id, step)

        return [
            path(
                "<path:object_id>/workflow/<slug:step>/",
                self.admin_site.admin_view(step_view),
                name="briefing_briefing_workflow",
            ),
            *super().get_urls(),
        ]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST":
            allowed = {"_submit_for_review": can_edit_structure, "_publish": can_publish}
            if any(name in request.POST and not ok(request.user) for name, ok in allowed.items()):
                raise PermissionDenied
        return super().changeform_view(request, object_id, form_url, extra_context)

    def response_change(self, request, obj):
        if "_publish" in request.POST:
            # Saved; publishing is the confirmation page's decision.
            return HttpResponseRedirect(
                reverse("admin:briefing_briefing_workflow", args=[obj.pk, "publish"])
            )
        return super().response_change(request, obj)

    def issue_pk(self, briefing):
        return briefing.pk

    def compare_view(self, request, object_id, extra_context=None):
        """Two versions of the whole issue, with the text that changed inside every part."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        briefing = self.get_object(request, object_id)
        if briefing is None:
            raise Http404
        ids = [request.GET.get("version_id1", ""), request.GET.get("version_id2", "")]
        if not all(value.isdigit() for value in ids):
            raise Http404
        versions = sorted(
            (get_object_or_404(history.issue_versions(briefing.pk), pk=pk) for pk in ids),
            key=lambda v: (v.revision.date_created, v.pk),
        )
        older, newer = (history.Snapshot(v.revision, briefing.pk) for v in versions)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Compare versions of %(date)s") % {"date": briefing},
            "opts": self.model._meta,
            "original": briefing,
            "versions": [(v, history.describe(v.revision.comment)) for v in versions],
            "changes": compare.changes(older, newer),
        }
        return TemplateResponse(request, "admin/briefing/briefing/compare.html", context)

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), "publication")

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        briefing = form.instance
        request.issue_action = "edited" if change else "created"
        if "_submit_for_review" in request.POST:
            try:
                workflow.submit_for_review(briefing, request.user)
                request.issue_action = "submitted"
            except workflow.WorkflowError as exc:
                messages.warning(request, str(exc))

    # The revision's comment says what happened, in words (not the changed field names).
    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        history.record(obj, request.user, getattr(request, "issue_action", "created"))
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        history.record(obj, request.user, getattr(request, "issue_action", "edited"))
        return entry

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["export_links"] = [
                (label, reverse("editorial:export", args=[obj.date.isoformat(), fmt, lang]))
                for label, fmt, lang in (
                    (_("Text (ja)"), "text", "ja"),
                    (_("Text (en)"), "text", "en"),
                    (_("Text (ja + en)"), "text", "both"),
                    (_("JSON"), "json", "both"),
                )
            ]
            context["preview_links"] = [
                (_("Japanese"), _preview_url(obj, "ja")),
                (_("English"), _preview_url(obj, "en")),
                (_("side by side"), _preview_url(obj, None, parallel=True)),
            ]
            context["state"] = workflow.state_of(obj)
            context["workflow_buttons"] = self.workflow_buttons(request, obj)
            context["workflow_steps"] = [
                (label, reverse("admin:briefing_briefing_workflow", args=[obj.pk, step]))
                for step, label in workflow_views.offered_steps(request.user, obj)
            ]
            context["review"] = workflow.open_review(obj)
            context["time_zone"] = time_zone_label()
        return super().render_change_form(
            request, context, add=add, change=change, form_url=form_url, obj=obj
        )

    # Actions.
    def _transition(self, request, queryset, transition, done_message):
        done = []
        for briefing in queryset:
            try:
                done.append(transition(briefing, request.user))
            except workflow.WorkflowError as exc:
                messages.warning(request, f"{briefing}: {exc}")
        if done:
            messages.success(request, done_message % {"count": len(done)})
        return done

    @admin.action(description=_("Submit for review"), permissions=["edit_structure"])
    def submit_for_review(self, request, queryset):
        self._transition(
            request,
            queryset,
            workflow.submit_for_review,
            gettext("%(count)d issue(s) submitted for review."),
        )

    @admin.action(description=_("Publish now…"), permissions=["publish"])
    def publish_now(self, request, queryset):
        if "apply" in request.POST:
            self._transition(
                request, queryset, workflow.publish_now, gettext("%(count)d issue(s) published.")
            )
            return None
        return self._confirm_publication(request, queryset, "publish_now", None)

    @admin.action(description=_("Schedule…"), permissions=["publish"])
    def schedule(self, request, queryset):
        if "apply" in request.POST:
            form = ScheduleForm(request.POST)
            if form.is_valid():
                when = form.cleaned_data["publish_at"]
                done = self._transition(
                    request,
                    queryset,
                    lambda briefing, user: workflow.schedule(briefing, when, user),
                    gettext("%(count)d issue(s) scheduled."),
                )
                if done:
                    messages.info(
                        request,
                        gettext("Scheduled for %(time)s.") % {"time": history.format_moment(when)},
                    )
                return None
        else:
            form = ScheduleForm(initial={"publish_at": workflow.next_morning()})
        return self._confirm_publication(request, queryset, "schedule", form)

    def _confirm_publication(self, request, queryset, action, form):
        """The step before publishing: each issue with the translations it still lacks."""
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Schedule publication") if form else gettext("Publish now"),
            "opts": self.model._meta,
            "form": form,
            "action": action,
            "briefings": [
                (briefing, workflow_views.translation_gaps(briefing)) for briefing in queryset
            ],
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "media": self.media + form.media if form is not None else self.media,
        }
        return TemplateResponse(request, "admin/briefing/briefing/schedule.html", context)

    @admin.action(description=_("Unpublish (back to draft)"), permissions=["publish"])
    def unpublish(self, request, queryset):
        self._transition(
            request, queryset, workflow.unpublish, gettext("%(count)d issue(s) back to draft.")
        )

    @admin.action(description=_("Start the next issue"), permissions=["edit_structure"])
    def start_next_issue(self, request, queryset):
        if queryset.count() != 1:
            messages.error(request, gettext("Select exactly one issue to continue from."))
            return None
        try:
            following = workflow.start_next_issue(queryset.get(), request.user)
        except workflow.WorkflowError as exc:
            messages.error(request, str(exc))
            return None
        messages.success(
            request,
            ngettext(
                "Started %(date)s with %(count)d deep dive.",
                "Started %(date)s with %(count)d deep dives.",
                following.deep_dives.count(),
            )
            % {"date": following, "count": following.deep_dives.count()},
        )
        return HttpResponseRedirect(reverse("admin:briefing_briefing_change", args=[following.pk]))


def _preview_url(briefing, lang, parallel=False):
    from django.utils import translation

    name = "editorial:preview_parallel" if parallel else "editorial:preview"
    with translation.override(lang or translation.get_language()):
        return reverse(name, args=[briefing.date.isoformat()])


class DeepDivePageTakeawayInline(
    LockedFieldsMixin, LimitedPartsMixin, LanguageLabelsMixin, TranslationTabularInline
):
    model = Takeaway
    form = PartForm
    formset = LimitedInlineFormSet
    fields = ("position", *TAKEAWAY.translated)
    extra = 0
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 80})}
    }

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("deep_dive__briefing")


@admin.register(DeepDive)
class DeepDiveAdmin(
    ErrorSummaryMixin,
    RenumberingMixin,
    IssueHistoryMixin,
    LockedFieldsMixin,
    CompareVersionAdmin,
    SideBySideMixin,
    TranslationAdmin,
):
    """A deep dive with its key takeaways, reached from its briefing's page."""

    form = DeepDiveAdminForm
    fields = ("briefing", "position", "edit_token", *DEEP_DIVE.translated, *DEEP_DIVE.untranslated)
    inlines = (DeepDivePageTakeawayInline,)
    list_display = ("__str__", "title")
    list_select_related = ("briefing",)
    search_fields = ("title_ja", "title_en")
    history_latest_first = True

    def has_module_permission(self, request):
        # Deep dives are edited from their briefing's page; no separate list in the menu.
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("briefing")

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        # Moving a deep dive to another issue is not an edit anyone should make by accident.
        if obj is not None and "briefing" not in readonly:
            readonly += ("briefing",)
        return readonly

    def issue_pk(self, deep_dive):
        return deep_dive.briefing_id

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The issue changed: a newer edit token for its other open forms.
        form.instance.briefing.save(update_fields=["updated_at"])

    # One revision of the whole issue in its history, whatever part of it was edited.
    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        history.record(obj.briefing, request.user, "edited")
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        history.record(obj.briefing, request.user, "edited")
        return entry

    def response_change(self, request, obj):
        if "_continue" in request.POST or "_addanother" in request.POST:
            return super().response_change(request, obj)
        messages.success(request, gettext("The deep dive “%(name)s” was saved.") % {"name": obj})
        return HttpResponseRedirect(
            reverse("admin:briefing_briefing_change", args=[obj.briefing_id])
        )


@admin.register(Keyword)
class KeywordAdmin(LockedFieldsMixin, CompareVersionAdmin, SideBySideMixin, TranslationAdmin):
    list_display = ("slug", *(f"name_{code}" for code in LANGUAGE_CODES))
    search_fields = ("slug", *(f"name_{code}" for code in LANGUAGE_CODES))

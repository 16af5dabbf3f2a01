"""The workflow's steps on an issue's page: send to review, publish or schedule, return, unpublish.

Each step is a small page (GET) that says what will happen, and a POST that does it through
editorial.workflow. Publishing first lists the translations still missing or outdated, so the
editor decides knowing them. Wired into the admin by BriefingAdmin.get_urls.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import get_language_info, gettext, ngettext
from django.utils.translation import gettext_lazy as _

from briefing.content import LANGUAGE_CODES, describe
from briefing.models import Briefing
from editorial import history, notifications, workflow
from editorial.forms import PublishForm, ReturnForm, ReviewForm
from editorial.permissions import can_edit_structure, can_publish
from editorial.translation import completeness as stored_completeness
from editorial.translation.status import MISSING, OUTDATED, STATUS_LABELS, briefing_status


@dataclass(frozen=True)
class Step:
    allowed: object  # user -> bool
    form: type | None
    title: str
    button: str


STEPS = {
    "review": Step(can_edit_structure, ReviewForm, _("Send to review"), _("Send to review")),
    # One button for both choices of the form (now, or at a time).
    "publish": Step(can_publish, PublishForm, _("Publish or schedule"), _("Publish or schedule")),
    "return": Step(can_publish, ReturnForm, _("Return to draft"), _("Return to draft")),
    "unpublish": Step(can_publish, None, _("Unpublish"), _("Unpublish")),
}


def offered_steps(user, briefing) -> list[tuple[str, str]]:
    """(step, label) for the steps that fit the issue's state and the user's permissions."""
    state = workflow.state_of(briefing)
    names = []
    if state == workflow.State.DRAFT:
        names.append("review")
    if state != workflow.State.LIVE:
        names.append("publish")
    if state == workflow.State.REVIEW:
        names.append("return")
    if state in (workflow.State.SCHEDULED, workflow.State.LIVE):
        names.append("unpublish")
    return [(name, STEPS[name].title) for name in names if STEPS[name].allowed(user)]


def translation_gaps(briefing) -> list[dict]:
    """Per language, the fields still missing or outdated, labelled as editors read them."""
    items = briefing_status(briefing)
    gaps = []
    for code in LANGUAGE_CODES:
        for status in (MISSING, OUTDATED):
            # Named by their paths: a takeaway by its number too, not only its deep dive's.
            fields = [describe(item.path) for item in items if item.status[code] == status]
            if fields:
                gaps.append(
                    {
                        "language": get_language_info(code)["name_translated"],
                        "status": STATUS_LABELS[status],
                        "fields": fields,
                    }
                )
    return gaps


def workflow_step(model_admin, request, object_id, step):
    if step not in STEPS:
        raise Http404
    definition = STEPS[step]
    if not definition.allowed(request.user):
        raise PermissionDenied
    briefing = model_admin.get_object(request, object_id)
    if briefing is None:
        raise Http404
    change_url = reverse("admin:briefing_briefing_change", args=[briefing.pk])
    form_class = definition.form
    form = None
    if form_class is not None:
        initial = {"publish_at": workflow.next_morning()} if form_class is PublishForm else {}
        form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            message = _apply(step, briefing, request.user, form.cleaned_data if form else {})
        except workflow.WorkflowError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, message)
        return HttpResponseRedirect(change_url)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"{definition.title}: {briefing}",
        "opts": Briefing._meta,
        "original": briefing,
        "state": workflow.state_of(briefing),
        "form": form,
        "button": definition.button,
        "step": step,
        "review": workflow.open_review(briefing),
        "gaps": translation_gaps(briefing) if step == "publish" else None,
        "completeness": stored_completeness.describe(briefing) if step == "publish" else None,
        "publishers": notifications.review_recipients(request.user) if step == "review" else None,
        "change_url": change_url,
        "media": model_admin.media + form.media if form is not None else model_admin.media,
    }
    return TemplateResponse(request, "admin/briefing/briefing/workflow_step.html", context)


def _apply(step: str, briefing: Briefing, user, data: dict) -> str:
    date = briefing.date.isoformat()
    if step == "review":
        workflow.submit_for_review(briefing, user, data.get("note", ""))
        count = notifications.review_recipients(user).count()
        return ngettext(
            "Sent %(date)s to review; %(count)d editor who may publish was notified.",
            "Sent %(date)s to review; %(count)d editors who may publish were notified.",
            count,
        ) % {"date": date, "count": count}
    if step == "publish":
        when = data.get("publish_at")
        if when is not None:
            workflow.schedule(briefing, when, user)
            return gettext("Scheduled for %(time)s.") % {"time": history.format_moment(when)}
        workflow.publish_now(briefing, user)
        return gettext("Published %(date)s; it is live since %(time)s.") % {
            "date": date,
            "time": history.format_moment(briefing.publish_at),
        }
    if step == "return":
        review = workflow.open_review(briefing)
        workflow.return_to_draft(briefing, user, data["reply"])
        told = review and notifications.return_recipient(review, user)
        if told:
            return gettext("Returned %(date)s to draft; %(user)s was notified.") % {
                "date": date,
                "user": notifications.name(told),
            }
        return gettext("Returned %(date)s to draft.") % {"date": date}
    workflow.unpublish(briefing, user)
    return gettext("Unpublished %(date)s; it is a draft again.") % {"date": date}

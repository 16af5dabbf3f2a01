"""Editorial pages outside the model admin: draft preview, import from text, export downloads."""

import datetime

from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache

from briefing import content
from briefing.models import Briefing
from briefing.views import render_issue, render_parallel
from editorial import workflow
from editorial.forms import ImportTextForm, PreviewStore
from editorial.interchange.exporting import (
    FORMATS,
    TEXT_LANGUAGES,
    export_briefing,
    export_filename,
    load_for_export,
)
from editorial.interchange.importing import ImportRefused, save_briefing_data
from editorial.keywords import with_waiting_names
from editorial.permissions import CREATE_PERMISSION, can_preview


def get_briefing_for_staff(request, date: datetime.date, queryset=None) -> Briefing:
    """Any issue, whatever its status, for staff who may view briefings; 404 for everyone else,
    so that a draft's URL tells an outsider nothing."""
    if not can_preview(request.user):
        raise Http404
    return get_object_or_404(
        queryset if queryset is not None else Briefing.objects.with_contents(), date=date
    )


# render_issue/render_parallel with preview=True send "private, no-store" and noindex. A
# preview shows the issue as it will be published: keyword names kept for it included.
def preview(request, date):
    briefing = with_waiting_names(get_briefing_for_staff(request, date))
    return render_issue(request, briefing, preview=True)


def preview_parallel(request, date):
    briefing = with_waiting_names(get_briefing_for_staff(request, date))
    return render_parallel(request, briefing, preview=True)


@never_cache
def export(request, date, format, lang):
    if format not in FORMATS or lang not in TEXT_LANGUAGES:
        raise Http404
    briefing = get_briefing_for_staff(request, date)
    # Reloaded the way the export command loads it, so both write the same bytes.
    briefing = load_for_export(briefing.date)
    content_type = "application/json" if format == "json" else "text/plain"
    response = HttpResponse(
        export_briefing(briefing, format, lang), content_type=f"{content_type}; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{export_filename(briefing, format, lang)}"'
    )
    return response


def parsed_rows(data: dict) -> list[tuple[str, str, str]]:
    """The parsed issue as (field, Japanese, English) rows, for the editor to check."""
    rows = []
    for node in content.walk(data):
        for name in node.part.translated:
            values = content.translations(node.item, name)
            rows.append((content.describe(node.field_path(name)), values["ja"], values["en"]))
        for name in node.part.untranslated:
            if node.item.get(name):
                rows.append((content.describe(node.field_path(name)), node.item[name], ""))
    return rows


@staff_member_required
@permission_required(CREATE_PERMISSION, raise_exception=True)
def import_text(request):
    previews = PreviewStore(request.session)
    form = ImportTextForm(request.POST or None, request.FILES or None, previews=previews)
    context = {
        **admin.site.each_context(request),
        "title": gettext("Import from text"),
        "opts": Briefing._meta,
        "form": form,
    }
    if request.method == "POST" and not form.is_valid():
        context["error_lines"] = form.error_context()
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["data"]
        if "save" in request.POST:
            try:
                briefing = save_briefing_data(
                    data, replace=form.cleaned_data["replace"], user=request.user
                )
            except ImportRefused as exc:
                form.add_error(None, str(exc))
            else:
                previews.drop(form.cleaned_data["preview_token"])
                messages.success(
                    request,
                    gettext("Imported %(date)s as %(status)s.")
                    % {"date": briefing, "status": workflow.state_of(briefing).label},
                )
                return redirect("admin:briefing_briefing_change", briefing.pk)
        existing = Briefing.objects.filter(date=data["date"]).first()
        context.update(
            parsed=data,
            rows=parsed_rows(data),
            text=form.cleaned_data["text"],
            # "Save" posts this token, never the text again.
            preview_token=form.cleaned_data["preview_token"]
            or previews.put(form.cleaned_data["text"]),
            existing=existing,
            existing_state=existing and workflow.state_of(existing),
        )
    return render(request, "editorial/import.html", context)

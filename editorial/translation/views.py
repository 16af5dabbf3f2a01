from functools import wraps

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from briefing.models import Briefing
from briefing.serialization import LANGUAGE_CODES
from editorial import workflow
from editorial.permissions import can_translate

from .completeness import as_summary, translation_queue
from .editor import editor_rows, save_translations, shown_texts, translatable
from .forms import POUploadForm, QueueFilterForm, TranslationForm
from .po import POImportError, export_po, import_po, read_po_upload
from .state import other_language
from .status import OUTDATED, load_with_status


def translator_required(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        if not can_translate(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _context(request, **extra):
    return {**admin.site.each_context(request), **extra}


def _language_names():
    return {code: str(name) for code, name in settings.LANGUAGES}


# A page's cost is its rows: the same at 30 issues as at 3,650 (see docs/performance.md).
QUEUE_PAGE_SIZE = 25


@translator_required
def queue(request):
    form = QueueFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    briefings = translation_queue(
        target=filters.get("to") or None, status=filters.get("status") or None
    )
    page = Paginator(briefings, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    # What every row needs, worked out once for the page (a row's cost is most of a page's).
    links = _editor_links()
    for briefing in page.object_list:
        briefing.translation_summary = as_summary(briefing)
        # The state the admin shows (a published issue not yet due is "Scheduled").
        briefing.status_label = workflow.state_of(briefing).label
        briefing.queue_cells = _queue_cells(briefing, links)
    return render(
        request,
        "editorial/translation/queue.html",
        _context(
            request,
            title=_("Translation queue"),
            form=form,
            page=page,
            filters_query=urlencode({key: value for key, value in filters.items() if value}),
            languages=_language_names(),
        ),
    )


# Any date the isodate converter accepts: reversed once, replaced by each row's date.
_ANY_DATE = "0000-00-00"


def _editor_links() -> dict[str, str]:
    """The translator editor's URL for each target language, with `_ANY_DATE` for the date."""
    return {
        code: reverse("translation:editor", kwargs={"date": _ANY_DATE, "target": code})
        for code in LANGUAGE_CODES
    }


def _queue_cells(briefing, links: dict[str, str]) -> list[dict]:
    """A queue row's cell for each language, its words and link worked out here: as
    `{% blocktranslate %}` tags they cost more than the rest of the row (three a cell)."""
    cells = []
    for code, counts in briefing.translation_summary.items():
        missing, outdated = counts["missing"], counts["outdated"]
        cells.append(
            {
                "completeness": _("%(percent)s%% complete") % {"percent": counts["completeness"]},
                "missing": ngettext("%(n)s missing", "%(n)s missing", missing) % {"n": missing}
                if missing
                else "",
                "outdated": ngettext("%(n)s outdated", "%(n)s outdated", outdated) % {"n": outdated}
                if outdated
                else "",
                "editor_url": links[code].replace(_ANY_DATE, briefing.date.isoformat(), 1)
                if missing or outdated
                else "",
            }
        )
    return cells


def _load(date, target):
    briefing = get_object_or_404(Briefing, date=date)
    (loaded,) = load_with_status(Briefing.objects.filter(pk=briefing.pk))
    return loaded, translatable(loaded.translated_fields, target)


@translator_required
def editor(request, date, target):
    briefing, items = _load(date, target)
    shown = shown_texts(briefing, items, target)
    if request.method == "POST":
        form = TranslationForm(items, target, shown=shown, data=request.POST)
        if form.is_valid():
            outdated = {item.path for item in items if item.status[target] == OUTDATED}
            still_correct = set(request.POST.getlist("still_correct")) & outdated
            changed, confirmed, waiting = save_translations(
                briefing, items, target, form.cleaned_data, still_correct, request.user
            )
            messages.success(
                request,
                _("Saved: %(changed)d fields changed, %(confirmed)d marked still correct.")
                % {"changed": len(changed), "confirmed": len(confirmed)},
            )
            if waiting:
                messages.info(
                    request,
                    ngettext(
                        "%(n)d keyword name is kept for this issue and shown when it is "
                        "published: published issues share the keyword and keep its current "
                        "name until then.",
                        "%(n)d keyword names are kept for this issue and shown when it is "
                        "published: published issues share the keywords and keep their current "
                        "names until then.",
                        len(waiting),
                    )
                    % {"n": len(waiting)},
                )
            return redirect(request.path)
        form.rebind_sources()
    else:
        form = TranslationForm(items, target, shown=shown)
    return _render_editor(request, briefing, items, target, form, POUploadForm())


def _render_editor(request, briefing, items, target, form, upload_form, status=200):
    source = other_language(target)
    names = _language_names()
    return render(
        request,
        "editorial/translation/editor.html",
        _context(
            request,
            title=_("Translate %(date)s into %(language)s")
            % {"date": briefing.date.isoformat(), "language": names[target]},
            briefing=briefing,
            form=form,
            rows=[(row, form[row.item.path]) for row in editor_rows(items, target, form.shown)],
            summary=as_summary(briefing)[target],
            source=source,
            target=target,
            source_name=names[source],
            target_name=names[target],
            other_directions=[code for code in LANGUAGE_CODES if code != target],
            upload_form=upload_form,
        ),
        status=status,
    )


@translator_required
def download_po(request, date, target):
    briefing = get_object_or_404(Briefing, date=date)
    po = export_po(briefing, target)
    response = HttpResponse(str(po), content_type="text/x-gettext-translation; charset=utf-8")
    filename = f"briefing-{briefing.date.isoformat()}-{target}.po"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_POST
@translator_required
def upload_po(request, date, target):
    """Apply an uploaded PO file. A file that cannot be applied at all (not a PO file, a NUL,
    too large, for another issue or direction) is answered 400 with the editor's page and the
    reason beside the upload field; nothing is saved."""
    briefing = get_object_or_404(Briefing, date=date)
    form = POUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            po = read_po_upload(form.cleaned_data["file"], briefing, target)
            report = import_po(po, user=request.user)
        except POImportError as exc:
            form.add_error("file", _("%(error)s Nothing was saved.") % {"error": exc})
        else:
            *details, total = report.lines()
            messages.success(request, total)
            for line in details:
                messages.info(request, line)
            return redirect("translation:editor", date=briefing.date, target=target)
    briefing, items = _load(date, target)
    return _render_editor(
        request,
        briefing,
        items,
        target,
        TranslationForm(items, target, shown=shown_texts(briefing, items, target)),
        form,
        status=400,
    )

"""The parts of an issue on its one page: nested, numbered, both languages side by side.

- Deep dives hold their key takeaways inside them (django-nested-admin); deep dives,
  takeaways and read-more items reorder by dragging or with the up/down buttons
  (static/editorial/issue_page.js). The number fields stay: with JavaScript off, editing
  them reorders too. On save, rows are put in the order of their numbers (a row given a
  number another row has goes before it; a new row without one goes last) and numbered
  again from the group's first number, so any permutation saves (see history.make_room).
- Each translated field shows its languages side by side, each labelled with its language
  and marked missing, outdated or up to date (editorial.translation.status).
"""

import nested_admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import get_language_info
from modeltranslation.admin import TranslationAdmin, TranslationInlineModelAdmin

from briefing.content import LANGUAGE_CODES, PART_OF_MODEL, too_many
from editorial import history
from editorial.translation.status import EMPTY, STATUS_LABELS, briefing_status


class LimitedFormSetMixin:
    """Over its part's limit (LimitedPartsMixin), a formset says so as an import does ("21 deep
    dives; the limit is 20 per issue"), not with Django's "Please submit at most 20 forms"."""

    def full_clean(self):
        super().full_clean()
        if any(error.code == "too_many_forms" for error in self._non_form_errors.as_data()):
            found = sum(1 for form in self.forms if not self._should_delete_form(form))
            error = too_many(PART_OF_MODEL[self.model], found)
            self._non_form_errors = self.error_class(
                [ValidationError(str(error), code="too_many_forms")],
                error_class="nonform",
                renderer=self.renderer,
            )


class LimitedInlineFormSet(LimitedFormSetMixin, BaseInlineFormSet):
    pass


class NumberedFormSet(LimitedFormSetMixin, nested_admin.NestedInlineFormSet):
    def get_queryset(self):
        # A deep dive's takeaways come prefetched with it (DeepDiveInline.get_queryset): the
        # page reads them in one query, however many deep dives it has.
        cache = getattr(self.instance, "_prefetched_objects_cache", {})
        name = self.fk.remote_field.get_accessor_name()
        if name in cache and not self.is_bound:
            return list(cache[name])
        return super().get_queryset()

    def validate_unique(self):
        # Numbers are the only unique values of these parts, and they are renumbered on save.
        pass

    def save(self, commit=True):
        parent = self.instance
        if parent.pk is not None and not type(parent).objects.filter(pk=parent.pk).exists():
            # The parent was deleted by this save and its rows with it; nothing to write.
            self.changed_objects, self.deleted_objects, self.new_objects = [], [], []
            self.save_m2m = lambda: None
            return []
        return super().save(commit)

    def process_forms_pre_save(self, forms):
        def number(form):
            value = getattr(form, "cleaned_data", {}).get("position")
            changed = "position" in getattr(form, "changed_data", ())
            # Unnumbered last; of two rows with one number, the one just given it goes first.
            return (value is None, value or 0, not changed, form._list_position)

        next_number = self.first_number()
        forms = sorted(forms, key=number)
        moved = []
        for form in forms:
            if self._should_delete_form(form) or not hasattr(form, "cleaned_data"):
                continue
            if form.instance.pk is None and not form.has_changed():
                continue  # an empty extra row is not saved
            # The number sent only orders the rows: django-nested-admin's script sends each
            # row's index from 0 on submit, whatever the numbers on the page said.
            form.cleaned_data["position"] = next_number
            form.instance.position = next_number
            if form.initial.get("position") != next_number:
                if "position" not in form.changed_data:
                    form.changed_data.append("position")
                if form.instance.pk is not None:
                    moved.append(form.instance.pk)
            elif "position" in form.changed_data:
                form.changed_data.remove("position")  # sent differently, saved as it was
            next_number += 1
        if moved:
            # Two-phase renumbering: the moved rows first step out of the way, so any
            # permutation saves row by row (see history.make_room).
            history.make_room(self.model.objects.filter(pk__in=moved), next_number)
        return forms

    def shown_first_number(self) -> int | None:
        """Where the page's numbering of this group starts: at its stored rows' first number.
        A form shown again after a failed save holds the indexes the admin's script sent, and
        the page's script renumbers from this (static/editorial/issue_page.js)."""
        numbers = [form.initial.get("position") for form in self.initial_forms]
        return min((n for n in numbers if n is not None), default=None)

    def first_number(self) -> int:
        # Numbers follow from the order (docs/text-format.md): deep dives and takeaways from 1,
        # read-more items after the deep dives, which this request has just saved.
        if self.model._meta.model_name == "readmore" and self.instance.pk is not None:
            return self.instance.deep_dives.count() + 1
        return 1


def pair_languages(fields) -> list:
    """['theme_ja', 'theme_en', 'keywords'] → [('theme_ja', 'theme_en'), 'keywords']: one line
    per translated field, its languages side by side."""
    paired, i, width = [], 0, len(LANGUAGE_CODES)
    while i < len(fields):
        name = fields[i]
        base = name.rsplit("_", 1)[0] if isinstance(name, str) else None
        group = tuple(fields[i : i + width])
        if base and group == tuple(f"{base}_{code}" for code in LANGUAGE_CODES):
            paired.append(group)
            i += width
        else:
            paired.append(name)
            i += 1
    return paired


def language_label(part, name: str, code: str) -> str:
    """A translated field's input, named in the admin's language: "Title · Japanese"."""
    return f"{part.label(name)} · {get_language_info(code)['name_translated']}"


class LanguageLabelsMixin:
    """A translated field's inputs are labelled with the field and the language, in the admin's
    language ("Title · Japanese"), not modeltranslation's "Title [ja]"; on the issue's page
    mark_languages adds each one's state."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        language = getattr(db_field, "language", None)  # modeltranslation's language fields
        part = PART_OF_MODEL.get(db_field.model)
        if field is not None and language in LANGUAGE_CODES and part is not None:
            field.label = language_label(part, db_field.translated_field.name, language)
        return field


class SideBySideMixin(LanguageLabelsMixin):
    def get_fieldsets(self, request, obj=None):
        return [
            (name, {**options, "fields": pair_languages(list(options["fields"]))})
            for name, options in super().get_fieldsets(request, obj)
        ]


class IssueAdminBase(SideBySideMixin, nested_admin.NestedModelAdminMixin, TranslationAdmin):
    """The issue's own admin base: nested inlines, languages side by side, no tab strips."""


class LimitedPartsMixin:
    """An inline holds no more rows than the issue's limit for its part (briefing.content), so
    every issue the admin saves can be exported and imported again. Its formset is a
    LimitedFormSetMixin, which words the error."""

    def get_max_num(self, request, obj=None, **kwargs):
        return PART_OF_MODEL[self.model].max_items

    def get_formset(self, request, obj=None, **kwargs):
        return super().get_formset(request, obj, validate_max=True, **kwargs)


class PartInline(LimitedPartsMixin, SideBySideMixin, TranslationInlineModelAdmin):
    formset = NumberedFormSet
    sortable_field_name = "position"
    extra = 0

    def get_formset(self, request, obj=None, **kwargs):
        if "position" in self.get_readonly_fields(request, obj):
            # Who may not change numbers (translators) gets no dragging either. Inline
            # instances are made per request, so this changes nobody else's page.
            self.sortable_field_name = None
            self.sortable_options = {**self.sortable_options, "disabled": True}
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "position" and field is not None:
            field.required = False  # a new row without a number goes last
            field.widget.attrs.update({"class": "editorial-number", "min": 0})
        return field


def mark_languages(briefing, forms) -> None:
    """Label each language input of the page's forms with its language and its status."""
    statuses = {
        (type(item.obj), item.obj.pk, item.field): item.status for item in briefing_status(briefing)
    }
    for form in forms:
        part = PART_OF_MODEL.get(type(form.instance))
        if part is None:
            continue
        for name in part.translated:
            status = statuses.get((type(form.instance), form.instance.pk, name), {})
            for code in LANGUAGE_CODES:
                field = form.fields.get(f"{name}_{code}")
                if field is None:
                    continue
                state = status.get(code, EMPTY)
                field.label = language_label(part, name, code)
                if state != EMPTY:
                    field.label += f" · {STATUS_LABELS[state]}"
                # A form that was validated holds its bound fields with the labels of then.
                form[f"{name}_{code}"].label = field.label
                field.widget.attrs["lang"] = code
                classes = field.widget.attrs.get("class", "")
                field.widget.attrs["class"] = f"{classes} editorial-lang editorial-{state}".strip()


def page_forms(adminform, inline_admin_formsets) -> list:
    forms = [adminform.form]
    pending = [inline.formset for inline in inline_admin_formsets]
    while pending:
        formset = pending.pop(0)
        for form in formset.forms:
            forms.append(form)
            pending.extend(getattr(form, "nested_formsets", []))
    return forms

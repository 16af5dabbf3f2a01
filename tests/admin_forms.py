"""Turn a rendered admin change form back into the POST a browser would send."""

import datetime

from django import forms


def _form_values(form) -> dict:
    values = {}
    for name, field in form.fields.items():
        bound = form[name]
        value = bound.value()
        if isinstance(field.widget, forms.MultiWidget):
            if isinstance(value, list):  # a bound form gives the parts as sent
                parts = value
            elif value:
                parts = field.widget.decompress(value)
            else:
                parts = [None] * len(field.widget.widgets)
            for index, part in enumerate(parts):
                values[f"{bound.html_name}_{index}"] = _text(part)
        elif isinstance(value, bool):
            if value:
                values[bound.html_name] = "on"
        elif isinstance(value, (list, tuple)):
            values[bound.html_name] = [_text(item) for item in value]
        elif value is not None:
            values[bound.html_name] = _text(value)
    return values


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def change_form_data(response) -> dict:
    """Everything the change form of `response` would submit unchanged."""
    data = _form_values(response.context["adminform"].form)
    pending = [inline.formset for inline in response.context["inline_admin_formsets"]]
    seen = set()
    while pending:
        formset = pending.pop(0)
        if formset.prefix in seen:
            continue
        seen.add(formset.prefix)
        data.update(_form_values(formset.management_form))
        for form in formset.forms:
            data.update(_form_values(form))
            # Nested inlines (a deep dive's takeaways) inside each row.
            pending.extend(getattr(form, "nested_formsets", []))
    return data

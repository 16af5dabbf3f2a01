"""What changed between two versions of an issue, field by field, as text.

English is compared word by word, Japanese character by character (it has no spaces to split
words on); a part added or removed shows all its text as inserted or deleted. Parts are matched
by what they are, not by their numbers: a part that was moved is listed as moved, and its text
is compared with its own text before the move.
"""

from dataclasses import dataclass

from django.utils.translation import get_language_info, gettext

from briefing.content import describe, describe_item, walk
from editorial.history import Snapshot, node_values
from editorial.translation.editor import diff_segments


@dataclass
class Change:
    label: str
    language: str  # a language's name, or "" for a field in no language (a link)
    segments: list  # [(tag, text)]: equal, delete, insert


def _fields(version: Snapshot | dict) -> tuple[dict, dict]:
    """A version's fields, {(item, field): (path, {language: text})} in reading order, and its
    items' paths, {item: "deep_dives/2/"}. An item is (model, primary key) in a revision's
    Snapshot, its path in an issue of the JSON shape (which has no keys)."""
    if isinstance(version, Snapshot):
        nodes = walk(version.briefing, items=version.children)
    else:
        nodes = walk(version)
    fields, paths = {}, {}
    for node in nodes:
        item = node.path if isinstance(node.item, dict) else (type(node.item), node.item.pk)
        paths[item] = node.path
        for name, path, values in node_values(node):
            fields[(item, name)] = (path, values)
    return fields, paths


def changes(older: Snapshot | dict, newer: Snapshot | dict) -> list[Change]:
    before, before_paths = _fields(older)
    after, after_paths = _fields(newer)
    found = [
        Change(
            label=describe_item(path),
            language="",
            segments=[
                ("equal", gettext("Moved; it was %(before)s") % {"before": describe_item(was)})
            ],
        )
        for item, path in after_paths.items()
        if (was := before_paths.get(item)) is not None and _number(was) != _number(path)
    ]
    for key in [*after, *(key for key in before if key not in after)]:
        path = (after.get(key) or before[key])[0]
        old, new = before.get(key, ("", {}))[1], after.get(key, ("", {}))[1]
        label = describe(path)
        if key not in after:
            # Its number may now be another part's: say which one this is.
            label = gettext("%(field)s (removed)") % {"field": label}
        elif key not in before:
            label = gettext("%(field)s (added)") % {"field": label}
        for code in dict.fromkeys([*new, *old]):
            a, b = old.get(code, ""), new.get(code, "")
            if a == b:
                continue
            found.append(
                Change(
                    label=label,
                    language=str(get_language_info(code)["name_translated"]) if code else "",
                    segments=diff_segments(a, b, code or "en"),
                )
            )
    return found


def _number(path: str) -> str:
    """An item's own number in its path ("deep_dives/2/takeaways/1/" → "1")."""
    return path.rstrip("/").rsplit("/", 1)[-1]

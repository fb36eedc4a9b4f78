"""The library's filter form (query string). Values it does not understand are dropped, never a 500."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from posegen.pages.library.cards import DIFFICULTY_LABELS, GENDER_LABELS
from posegen.selectors.library import CategoryNode

SORT_LABELS = {"popular": _("Most popular"), "newest": _("Newest"), "name": _("Name (A–Z)")}
FILTER_FIELDS = ("q", "category", "difficulty", "gender", "featured", "favorites", "sort", "project")


def _walk(nodes: list[CategoryNode]):
    for node in nodes:
        yield node
        yield from _walk(node.children)


class LibraryFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label=_("Search poses"))
    category = forms.ChoiceField(required=False, label=_("Category"))
    difficulty = forms.ChoiceField(required=False, label=_("Difficulty"),
                                   choices=[("", _("Any difficulty")), *DIFFICULTY_LABELS.items()])
    gender = forms.ChoiceField(required=False, label=_("Suitable for"),
                               choices=[("", _("Anyone")), *GENDER_LABELS.items()])
    featured = forms.BooleanField(required=False, label=_("Featured"))
    favorites = forms.BooleanField(required=False, label=_("My favourites"))
    sort = forms.ChoiceField(required=False, label=_("Sort by"), choices=list(SORT_LABELS.items()))
    # The shop's project whose photo the poses are checked against: the ones the engine cannot make from
    # it are greyed with the reason, as in the wizard. Only the reader's own active projects are choices.
    project = forms.ChoiceField(required=False, label=_("Check poses for the photo of"))
    page = forms.IntegerField(required=False, min_value=1, max_value=10_000)

    def __init__(self, data, *, tree: list[CategoryNode], projects: list[tuple[str, str]] = ()):
        super().__init__(data)
        self.fields["category"].choices = [("", _("All poses"))] + [(n.slug, n.display_name) for n in _walk(tree)]
        self.fields["project"].choices = [("", _("No project (show every pose)")), *projects]
        self.is_valid()  # fills cleaned_data with the fields that are valid

    def value(self, name: str) -> Any:
        return self.cleaned_data.get(name) or None

    @property
    def page_number(self) -> int:
        return self.value("page") or 1

    def browse_filters(self) -> dict[str, Any]:
        """Keyword arguments for selectors_library.library_browse."""
        return {
            "category": self.value("category"), "difficulty": self.value("difficulty"),
            "gender_suitability": self.value("gender"), "featured": True if self.value("featured") else None,
            "search": (self.value("q") or "").strip() or None, "sort": self.value("sort"),
            "favorites": bool(self.value("favorites")),
        }

    def querystring(self, **overrides: Any) -> str:
        """The valid filters as a query string (page left out unless given), for links."""
        values = {name: self.value(name) for name in FILTER_FIELDS}
        values.update(overrides)
        pairs = {k: ("1" if v is True else v) for k, v in values.items() if v}
        return urlencode(pairs)

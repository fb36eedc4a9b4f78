"""The pose library in the reader's language.

Stored rows stay English: names, descriptions, tags and categories are written by the seed from the
catalogue's recipes, and slugs, ids and catalogue keys are stable API identifiers. For a reader of
Bahasa Indonesia (the account's language, the footer switch or Accept-Language: whatever the
middleware activated), pages and the API show the catalogue's Indonesian wording instead, composed
at read time from its vocabulary (``posekit.catalog.indonesian``). A phrase the vocabulary does not
know (a pose an operator wrote by hand) is shown as written.

Anything cached per reader (the list page cache) must carry :func:`reader_language` in its key.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from lumiku.core.languages import reader_language
from posegen.posekit.catalog.indonesian import category_text_id, pose_description_id, pose_name_id, pose_tag_id


def pose_name_for_reader(name: str, *, language: str | None = None) -> str:
    return pose_name_id(name) if reader_language(language) == "id" else name


def category_text_for_reader(*, slug: str, name: str, display_name: str, description: str,
                             language: str | None = None) -> tuple[str, str, str]:
    """(name, display name, description) of a category for the reader."""
    if reader_language(language) == "id":
        found = category_text_id(slug)
        if found is not None:
            return found[0], found[0], found[1]
    return name, display_name, description


def pose_row_for_reader(row: dict[str, Any], *, language: str | None = None) -> dict[str, Any]:
    """A ``posegen.selectors.library`` row (list or detail columns) with its texts in the reader's language;
    the same row object for an English reader."""
    if reader_language(language) != "id":
        return row
    out = dict(row)
    if "name" in row:
        out["name"] = pose_name_id(row["name"])
    if row.get("description"):
        out["description"] = pose_description_id(row["description"])
    if "tags" in row and isinstance(row["tags"], list):
        out["tags"] = [pose_tag_id(str(tag)) for tag in row["tags"]]
    if row.get("category__slug"):
        name, display, _ = category_text_for_reader(
            slug=row["category__slug"], name=row.get("category__name", ""),
            display_name=row.get("category__display_name", ""), description="", language="id")
        out["category__name"], out["category__display_name"] = name, display
    return out


def category_tree_for_reader(tree: list, *, language: str | None = None) -> list:
    """``posegen.selectors.library.CategoryNode`` trees with names and descriptions for the reader."""
    if reader_language(language) != "id":
        return tree
    return [_node(node) for node in tree]


def _node(node):
    name, display, description = category_text_for_reader(
        slug=node.slug, name=node.name, display_name=node.display_name, description=node.description, language="id")
    return replace(node, name=name, display_name=display, description=description,
                   children=[_node(child) for child in node.children])

"""Layered extraction: every layer proposes fields, a precedence table picks one per field.

Layers, most trusted first: ``structured`` (JSON-LD), ``meta`` (OpenGraph / ``article:*``),
``page`` (the outlet's selectors for the layout in force), ``fallback`` (a generic extractor
that knows nothing of the outlet). The source of every chosen value is recorded, so a record
says which layer gave its title or body, and a page whose layout stopped matching is visible.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crawler.items import Source

Fields = dict[str, Any]

DEFAULT_ORDER: tuple[Source, ...] = ("structured", "meta", "page", "fallback")

# Fields whose best source is not the default order, and why:
PRECEDENCE: dict[str, tuple[Source, ...]] = {
    # Only the page keeps paragraphs and in-paragraph line breaks; JSON-LD's articleBody (when a
    # site has one) is one block of text.
    "body": ("page", "structured", "fallback"),
    # 2024+ pages print summary bullets; they say more than the one-sentence description.
    "summary": ("page", "structured", "meta"),
    # The display date and the page furniture exist only on the page.
    "date_line": ("page", "fallback"),
    "byline": ("page",),
    "caption": ("page", "structured"),
    "credit": ("page", "structured"),
    "category": ("page", "structured", "meta"),
    # The contributors block names every author; JSON-LD often names only the first.
    "authors": ("page", "structured", "meta"),
}


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == ()


def combine(
    layers: Mapping[Source, Fields], precedence: Mapping[str, tuple[Source, ...]] = PRECEDENCE
) -> tuple[Fields, dict[str, Source]]:
    """One value per field, from the first layer (in the field's order) that has one, and the
    layer each value came from."""
    names = {name for fields in layers.values() for name in fields}
    values: Fields = {}
    sources: dict[str, Source] = {}
    for name in sorted(names):
        for layer in precedence.get(name, DEFAULT_ORDER):
            value = layers.get(layer, {}).get(name)
            if not _empty(value):
                values[name] = value
                sources[name] = layer
                break
    return values, sources

"""Which column of an export holds which field: one way for invoice books, customers files and
bank statements alike.

A header is compared in a squashed form (lowercase, letters and digits only), so punctuation,
spacing and case never matter ("Invoice #", "invoice_no", "Invoice No." are one). Each side lists
its own fields' synonyms in order of preference (`sources.columns`, `reconcile.readers.columns`);
`synonym_index` turns such a list into the lookup every reader uses, a name listed for two fields
belonging to the first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

Index = dict[str, tuple[str, int]]  # squashed synonym -> (field, rank: 0 = most preferred)


def squash(header: object) -> str:
    """'Invoice #' -> 'invoice', "Party's Name" -> 'partysname': the form headers are compared in."""
    return re.sub(r"[^0-9a-z]+", "", str(header).lower())


def synonym_index(synonyms: dict[str, tuple[str, ...]]) -> Index:
    index: Index = {}
    for field, names in synonyms.items():
        for rank, name in enumerate(names):
            index.setdefault(squash(name), (field, rank))
    return index


def recognised(headers: Iterable[str], index: Index) -> set[str]:
    """The fields these headers would give (for finding the header row and the sheet)."""
    return {index[squash(h)][0] for h in headers if squash(h) in index}


def columns_of(headers: list[str], index: Index) -> dict[str, list[int]]:
    """field -> the positions of every column that names it, the preferred synonym first (then
    left to right). Each column belongs to one field."""
    hits: dict[str, list[tuple[int, int]]] = {}
    for i, h in enumerate(headers):
        hit = index.get(squash(h))
        if hit is not None:
            hits.setdefault(hit[0], []).append((hit[1], i))
    return {field: [i for _, i in sorted(found)] for field, found in hits.items()}


def resolve(headers: list[str], explicit: dict[str, str], index: Index,
            fields: tuple[str, ...]) -> tuple[dict[str, str], list[str]]:
    """field -> the header that holds it: `explicit` (a `columns:` block, field -> header, matched
    squashed too) first, then each field's most preferred synonym among the other headers.
    Returns the mapping and the problems (explicit headers that are missing)."""
    by_squash: dict[str, str] = {}
    for h in headers:
        by_squash.setdefault(squash(h), h)
    mapping: dict[str, str] = {}
    problems: list[str] = []
    for field, header in explicit.items():
        found = by_squash.get(squash(header))
        if found is None:
            problems.append(f"columns: {field}: no column {header!r} in the file (columns: {', '.join(headers)})")
        else:
            mapping[field] = found
    taken = set(mapping.values())
    free = [h for h in headers if h not in taken]
    for field, positions in columns_of(free, index).items():
        if field in fields and field not in mapping:
            mapping[field] = free[positions[0]]
    return mapping, problems

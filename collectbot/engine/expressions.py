"""What a `match`/`if` expression or an inline text reads, so the planner can work less often.

A 100k-invoice book evaluates the same few expressions over and over on values that repeat
(`customer.tier == 'vip'` sees two or three distinct tiers), and renders a task's `assign`
(`{{ customer.owner or 'owner' }}`) for thousands of tasks that share a handful of owners.
`reads(expr)` / `text_reads(source)` list the names and attributes the code touches; when every
use of a name is a plain `name.attr` (or `name|length`), the result depends only on those
values, and the planner memoises it by them (`memo_key`).

Anything that could make two renders of the same values differ, or that reads the context in
a way the syntax tree does not show, makes the code "unkeyable" (None) and it is simply run
every time: a name used whole (`customer|tojson`, `invoices[0]`, a `for` loop over it), a call
of a global function (`lipsum()`, `range()`), the `random` filter.
"""

from __future__ import annotations

from functools import lru_cache
from collections.abc import Callable, Mapping
from typing import Any

from jinja2 import Environment, TemplateSyntaxError, nodes

_PARSER = Environment()
_ANYTHING = frozenset({"invoice", "customer", "previous", "history", "today", "invoices", "business"})
LENGTH = "|length"  # pseudo-attribute: the name is used only as `name|length` (or `|count`)
_LENGTH_FILTERS = frozenset({"length", "count"})
_MISSING = ("<missing>",)  # an attribute absent from a view: not the same as one that is None
_NO_VALUE = ("<none>",)  # the name itself is None: not the same as an attribute that is None

Spec = tuple[tuple[str, tuple[str, ...] | None], ...]


def _parse(expr: str) -> Any:
    return _PARSER.parse("{{ (" + expr + ") }}")


@lru_cache(maxsize=1024)
def names_in(expr: str) -> frozenset[str]:
    """Top-level names in `expr` (plus `invoice` when it formats money, whose currency may come
    from the invoice); an expression that cannot be parsed reads "everything"."""
    try:
        tree = _parse(expr)
    except TemplateSyntaxError:
        return _ANYTHING
    names = {n.name for n in tree.find_all(nodes.Name) if n.ctx == "load"}
    if any(f.name == "money" for f in tree.find_all(nodes.Filter)):
        names.add("invoice")
    return frozenset(names)


@lru_cache(maxsize=1024)
def reads(expr: str) -> Spec | None:
    """((name, attrs or None), ...) sorted; attrs None means the name's value is used whole.

    None when the expression cannot be keyed (unparsable, or a name that is a mapping used
    whole, e.g. `customer|tojson`): then it is simply evaluated."""
    try:
        return _spec(_parse(expr))
    except TemplateSyntaxError:
        return None


@lru_cache(maxsize=1024)
def text_reads(source: str) -> Spec | None:
    """`reads` for an inline template (`{{ customer.name }}: {{ invoices|length }} invoice(s)`)."""
    try:
        return _spec(_PARSER.parse(source))
    except TemplateSyntaxError:
        return None


def _spec(tree: Any) -> Spec | None:
    if any(isinstance(c.node, nodes.Name) for c in tree.find_all(nodes.Call)):
        return None  # a global function: lipsum() and friends need not give the same answer twice
    attrs: dict[str, set[str]] = {}
    via_attr: set[int] = set()
    for f in tree.find_all(nodes.Filter):
        if f.name == "random":
            return None
        if f.name == "money":  # without a currency of its own, an amount is shown in the invoice's
            attrs.setdefault("invoice", set()).add("currency")
        if f.name in _LENGTH_FILTERS and isinstance(f.node, nodes.Name) and not f.args and not f.kwargs:
            attrs.setdefault(f.node.name, set()).add(LENGTH)
            via_attr.add(id(f.node))
    for g in tree.find_all(nodes.Getattr):
        if isinstance(g.node, nodes.Name):
            attrs.setdefault(g.node.name, set()).add(g.attr)
            via_attr.add(id(g.node))
    whole = {n.name for n in tree.find_all(nodes.Name) if n.ctx == "load" and id(n) not in via_attr}
    if whole & attrs.keys():
        return None
    out = [(name, tuple(sorted(a))) for name, a in attrs.items()] + [(name, None) for name in whole]
    return tuple(sorted(out, key=lambda x: x[0]))


def memo_key(expr: str, context: Mapping[str, Any], *, text: bool = False) -> tuple | None:
    """A key of exactly the values `expr` (or, with `text`, an inline template) reads from
    `context`, or None (do not memoise). The key may still be unhashable (a list in a column):
    callers treat TypeError as "no memo".

    `context` may be lazy (a dict whose missing entries are built when read, see
    `engine.lazy.LazyContext`); a `lengths` attribute on it gives `name|length` without building
    the list."""
    keyer = _text_keyer(expr) if text else _keyer(expr)
    return None if keyer is None else keyer(context)


@lru_cache(maxsize=1024)
def _keyer(expr: str) -> Callable[[Mapping[str, Any]], tuple | None] | None:
    return _make_keyer(expr, reads(expr))


@lru_cache(maxsize=1024)
def _text_keyer(source: str) -> Callable[[Mapping[str, Any]], tuple | None] | None:
    return _make_keyer(source, text_reads(source))


def _lookup(context: Mapping[str, Any], name: str) -> Any:
    try:
        return context[name]
    except KeyError:
        return None  # not in the context: the template sees an undefined (or a global) either way


def _make_keyer(expr: str, spec: Spec | None) -> Callable[[Mapping[str, Any]], tuple | None] | None:
    if spec is None:
        return None
    if len(spec) == 1 and spec[0][1] is not None and len(spec[0][1]) == 1 and spec[0][1][0] != LENGTH:
        name, (attr,) = spec[0]  # the usual `customer.tier == ...`

        def one(context: Mapping[str, Any]) -> tuple | None:
            value = _lookup(context, name)
            if isinstance(value, dict):
                return (expr, value.get(attr, _MISSING))
            # a name that is None (no previous touch) must not share the key of an attribute that
            # is None (a touch with no delivery status yet): `previous.x is none` differs
            return (expr, _NO_VALUE) if value is None else None

        return one

    def many(context: Mapping[str, Any]) -> tuple | None:
        parts: list[Any] = [expr]
        lengths = getattr(context, "lengths", None) or {}
        for name, attrs in spec:
            if attrs == (LENGTH,) and name in lengths:
                parts.append(lengths[name])
                continue
            value = _lookup(context, name)
            if attrs is None:
                if isinstance(value, (dict, list, tuple)):
                    return None
                parts.append(value)
            elif isinstance(value, dict):
                parts.append(tuple(len(value) if a == LENGTH else value.get(a, _MISSING) for a in attrs))
            elif isinstance(value, (list, tuple)) and attrs == (LENGTH,):
                parts.append(len(value))
            elif value is None:
                parts.append(None)
            else:
                return None
        return tuple(parts)

    return many

"""What a `match`/`if` expression reads, so the planner can evaluate it less often.

A 100k-invoice book evaluates the same few expressions over and over on values that repeat
(`customer.tier == 'vip'` sees two or three distinct tiers). `reads(expr)` lists the names and
attributes an expression touches; when every use of a name is a plain `name.attr`, the result
depends only on those values, and the planner memoises it by them.
"""

from __future__ import annotations

from functools import lru_cache
from collections.abc import Callable
from typing import Any

from jinja2 import Environment, TemplateSyntaxError, nodes

_PARSER = Environment()
_ANYTHING = frozenset({"invoice", "customer", "previous", "history", "today", "invoices", "business"})


def _parse(expr: str) -> Any:
    return _PARSER.parse("{{ (" + expr + ") }}")


@lru_cache(maxsize=1024)
def names_in(expr: str) -> frozenset[str]:
    """Top-level names in `expr`; an expression that cannot be parsed reads "everything"."""
    try:
        return frozenset(n.name for n in _parse(expr).find_all(nodes.Name) if n.ctx == "load")
    except TemplateSyntaxError:
        return _ANYTHING


@lru_cache(maxsize=1024)
def reads(expr: str) -> tuple[tuple[str, tuple[str, ...] | None], ...] | None:
    """((name, attrs or None), ...) sorted; attrs None means the name's value is used whole.

    None when the expression cannot be keyed (unparsable, or a name that is a mapping used
    whole, e.g. `invoices|length` or `customer|tojson`): then it is simply evaluated."""
    try:
        tree = _parse(expr)
    except TemplateSyntaxError:
        return None
    attrs: dict[str, set[str]] = {}
    via_attr: set[int] = set()
    for g in tree.find_all(nodes.Getattr):
        if isinstance(g.node, nodes.Name):
            attrs.setdefault(g.node.name, set()).add(g.attr)
            via_attr.add(id(g.node))
    whole = {n.name for n in tree.find_all(nodes.Name) if n.ctx == "load" and id(n) not in via_attr}
    if whole & attrs.keys():
        return None
    out = [(name, tuple(sorted(a))) for name, a in attrs.items()] + [(name, None) for name in whole]
    return tuple(sorted(out, key=lambda x: x[0]))


def memo_key(expr: str, context: dict[str, Any]) -> tuple | None:
    """A key of exactly the values `expr` reads from `context`, or None (do not memoise).
    The key may still be unhashable (a list in a column): callers treat TypeError as "no memo"."""
    keyer = _keyer(expr)
    return None if keyer is None else keyer(context)


@lru_cache(maxsize=1024)
def _keyer(expr: str) -> Callable[[dict[str, Any]], tuple | None] | None:
    spec = reads(expr)
    if spec is None:
        return None
    if len(spec) == 1 and spec[0][1] is not None and len(spec[0][1]) == 1:  # the usual `customer.tier == ...`
        name, (attr,) = spec[0]

        def one(context: dict[str, Any]) -> tuple | None:
            value = context.get(name)
            if isinstance(value, dict):
                return (expr, value.get(attr))
            return (expr, None) if value is None else None

        return one

    def many(context: dict[str, Any]) -> tuple | None:
        parts: list[Any] = [expr]
        for name, attrs in spec:
            value = context.get(name)
            if attrs is None:
                if isinstance(value, (dict, list)):
                    return None
                parts.append(value)
            elif isinstance(value, dict):
                parts.append(tuple(value.get(a) for a in attrs))
            elif value is None:
                parts.append(None)
            else:
                return None
        return tuple(parts)

    return many

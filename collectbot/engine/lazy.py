"""A template context built only as far as something reads it.

The planner keys its memo of task texts on exactly the values a text reads
(`expressions.memo_key`), and on a miss renders the text with just those names. Building a
task's full context means an invoice view per invoice it covers; a note such as
`{{ customer.name }}: {{ invoices|length }} invoice(s)` needs none of them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .expressions import LENGTH, Spec


class LazyContext(dict):
    """A template context whose entries are built the first time something reads them.

    A memo key (`expressions.memo_key`) reads only the names and attributes a text uses, and
    on a memo miss the text is rendered with just those names (`for_render`): a task's note
    `{{ customer.name }}: {{ invoices|length }} invoice(s)` never needs the views of the
    invoices it counts. `lengths` answers `name|length` without building the list.

    A maker is called with the context itself, so a subclass can keep one shared table of
    makers and the state they read as attributes (the planner's `TaskScope`), rather than new
    closures for every context."""

    def __init__(self, cheap: dict[str, Any], makers: dict[str, Callable[[LazyContext], Any]],
                 lengths: dict[str, int] | None = None):
        super().__init__(cheap)
        self._makers = makers
        self.lengths = lengths or {}

    def __missing__(self, name: str) -> Any:
        make = self._makers.get(name)
        if make is None:
            raise KeyError(name)
        value = self[name] = make(self)
        return value

    def full(self) -> dict[str, Any]:
        """Every entry, built."""
        return {name: self[name] for name in (*self.keys(), *self._makers)}

    def for_render(self, spec: Spec | None) -> dict[str, Any]:
        """The entries a template with reads `spec` uses (all of them when `spec` is None).
        A name it only counts gets a sequence of the right length whose items are built if read."""
        if spec is None:
            return self.full()
        out: dict[str, Any] = {}
        for name, attrs in spec:
            if attrs == (LENGTH,) and name in self.lengths and name not in self:
                out[name] = Counted(self.lengths[name], lambda name=name: self[name])
            elif name in self or name in self._makers:
                out[name] = self[name]
        return out


class Counted(Sequence):
    """A list known by its length; the items are built (all at once) only if something reads one."""

    def __init__(self, length: int, make: Callable[[], list[Any]]):
        self._length, self._make = length, make
        self._items: list[Any] | None = None

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, index: Any) -> Any:
        if self._items is None:
            self._items = self._make()
        return self._items[index]

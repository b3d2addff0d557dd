"""One error path: every problem collectbot reports in words is a `CollectbotError`.

Each carries its exit code and is raised where the problem is found, by any layer, and caught
once, in `env.execute`, which prints it (or puts it in the JSON document) and exits with its
code — as pre-commit's `FatalError` and httpie's `ExitStatus` do. A command does not re-wrap a
library error in another class or print its own: it lets it rise. This is how "no input ends in
a traceback" stays true as the code grows.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from .masking import mask


class ExitCode(IntEnum):
    OK = 0  # all done
    PARTIAL = 1  # finished, but some items failed (a message, a source row)
    BAD_INPUT = 2  # bad usage, config, input or state; nothing sent
    LOCKED = 3  # another run holds the workspace lock


class CollectbotError(Exception):
    """A problem said in one sentence a shop owner understands, and the exit code it ends in."""

    exit_code: ExitCode = ExitCode.BAD_INPUT
    title: str | None = None  # a heading printed above `lines()`, for errors that carry several problems

    def __init__(self, *args: Any) -> None:
        super().__init__(*(mask(a) if isinstance(a, str) else a for a in args))

    def details(self) -> list[dict[str, Any]]:
        """The `errors` entries of a --json document."""
        return [{"message": str(self)}]

    def lines(self) -> list[str]:
        """The human text, one line per problem."""
        return [str(self)]


class UsageError(CollectbotError):
    """Bad input to a command that is not a config problem: a bad --now, a missing file, a wrong id."""

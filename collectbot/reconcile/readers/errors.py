"""The one exception a reader raises when a whole file cannot be read.

`read_statement` turns it into a `RowError` naming the file and, when known, the line,
so a bad statement is reported in one sentence and the rest of the batch goes on.
"""

from __future__ import annotations
from ...errors import CollectbotError


class StatementError(CollectbotError):
    def __init__(self, message: str, line: int | None = None, column: str | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column

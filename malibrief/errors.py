"""One error type for bad input, so every failure names the file, row, column and value."""
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None  # line number in the file (the header is line 1), or None for the whole file
    column: str | None
    value: object
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", line {self.row}"
        if self.column:
            where += f", column {self.column!r}"
        value = "" if self.value is None else f": value {self.value!r}"
        return f"{where}{value}: {self.message}"


SHOWN = 50  # problems a message lists; a 200 MB file with a bad column would otherwise give megabytes of text


class DataError(ValueError):
    """Raised with every problem found, so a user fixes them all in one pass; the message lists the first
    SHOWN and counts the rest (`problems` keeps them all)."""

    def __init__(self, problems):
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems[:SHOWN])
        rest = len(self.problems) - SHOWN
        more = f"\n  ... and {rest} more problem(s) not listed: fix these first, then run again" if rest > 0 else ""
        super().__init__(f"{len(self.problems)} problem(s) in the input:\n{lines}{more}")


def raise_if(problems) -> None:
    problems = list(problems)
    if problems:
        raise DataError(problems)

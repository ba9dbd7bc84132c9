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


class DataError(ValueError):
    """Raised with every problem found, so a user fixes them all in one pass."""

    def __init__(self, problems):
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in the input:\n{lines}")


def raise_if(problems) -> None:
    problems = list(problems)
    if problems:
        raise DataError(problems)

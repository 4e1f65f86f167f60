"""Problems found in the inputs, collected rather than raised."""

from __future__ import annotations

import re

from .named_tuple import NamedTuple

# C0 and C1 controls (tab aside), the line and paragraph separators and the bidirectional overrides: a value
# quoted in a message must not break its line, move the terminal's cursor, recolour it, or reorder what the
# reader sees.
_UNPRINTABLE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """Text safe to print on a terminal or in a CI log: control characters shown as U+XXXX."""
    return _UNPRINTABLE.sub(lambda match: f"U+{ord(match.group()):04X}", text)


class Diagnostic(NamedTuple):
    """One problem at a place in an input file (line and column count from 1)."""

    path: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return printable(f"{self.path}:{self.line}:{self.column}: {self.message}")

    def github_annotation(self) -> str:
        """The same problem as a GitHub Actions workflow command."""
        return (
            f"::error file={_escape_property(printable(self.path))},line={self.line},"
            f"col={self.column}::{_escape_data(printable(self.message))}"
        )


class BuildError(Exception):
    """Raised to stop a command; carries every diagnostic found so far."""

    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__(f"{len(diagnostics)} problem(s)")
        self.diagnostics = diagnostics


def problem(path: str, message: str, line: int = 1, column: int = 1) -> BuildError:
    """A BuildError with one diagnostic (for problems that are not in a file's content)."""
    return BuildError([Diagnostic(path, line, column, message)])


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")

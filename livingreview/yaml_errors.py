"""YAML mistakes in a contributor's words, at the line to change, with the right form.

PyYAML reports where its parser gave up, which is often lines after the mistake (an unclosed quote on line 3
is reported where the next quote closes it), in its own terms ("could not find expected ':'"). The common
mistakes are recognised here from the text around the error: an unclosed quote, curly quotes, a missing
space after a colon, a line indented unlike its neighbours. Anything else keeps PyYAML's words, as one
sentence that says where the unfinished part began.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # PyYAML is imported where a text needs it, not with this module (see yaml_exact)
    import yaml

_CURLY = "“”„"  # double curly quotes (a ’ is also an apostrophe, and « » are quotes in some languages' titles)
_OPENING = "“‘„"
_CLOSING = "”’“"  # „...“ in German
_KEY_LINE = re.compile(r"^(\s*)(?:-\s+)?[\w-]+:(?:\s|$)")
_ITEM_LINE = re.compile(r"^(\s*)(?:-\s|[\w-]+:(?:\s|$))")  # a key or a list item
_NO_SPACE = re.compile(r"^(\s*(?:-\s+)?[\w-]+):(?=[^\s/])")


def explain(error: yaml.MarkedYAMLError, text: str) -> tuple[int, int, str]:
    """(line, column, message) of a YAML syntax error."""
    mark = error.problem_mark or error.context_mark
    line, column = position(text, mark) if mark else (1, 1)
    lines = text.split("\n")
    for finder in (_unclosed_quote, _curly_quotes, _missing_space, _indentation):
        found = finder(error, text, lines, min(line, len(lines)) - 1)
        if found:
            return found
    return line, column, f"YAML syntax error: {_pyyaml_sentence(error, text)}"


def position(text: str, mark: yaml.Mark) -> tuple[int, int]:
    """Line and column (from 1) of a parser mark, as an editor counts them.

    YAML also breaks lines at a lone carriage return, U+0085, U+2028 and U+2029; editors and
    GitHub count only line feeds, so in a text holding one of those the position is recounted
    from the mark's index. So is the end of a text with no final line feed, which the parser
    puts on a line of its own past the end.
    """
    if mark.index < len(text) and not any(c in text for c in _OTHER_LINE_BREAKS):
        return mark.line + 1, mark.column + 1
    index = min(mark.index, len(text))
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


_OTHER_LINE_BREAKS = ("\r", "\x85", "\u2028", "\u2029")


def _unclosed_quote(error: yaml.MarkedYAMLError, text: str, lines: list[str], line: int) -> tuple[int, int, str] | None:
    """A quoted value that runs on past its line: YAML reads on to the next quote of the same kind."""
    import yaml
    if "quoted scalar" in (error.context or "") and error.context_mark:  # the file ends inside the quotes
        start = error.context_mark
        line, column = position(text, start)
        return line, column, _quote_message(lines, line - 1, column - 1, None)
    tokens = []
    try:
        for token in yaml.scan(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
            tokens.append(token)
    except yaml.YAMLError:
        pass
    for token in reversed(tokens):
        if isinstance(token, yaml.ScalarToken) and token.style in ('"', "'") \
                and token.end_mark.line > token.start_mark.line and token.start_mark.line <= line:
            inside = text[token.start_mark.index:token.end_mark.index].split("\n")[1:]
            if any(_KEY_LINE.match(part) for part in inside):
                line, column = position(text, token.start_mark)
                return line, column, _quote_message(lines, line - 1, column - 1, position(text, token.end_mark)[0])
    return None


def _quote_message(lines: list[str], line: int, column: int, closed_at: int | None) -> str:
    quote = lines[line][column] if column < len(lines[line]) else '"'
    curly = next((c for c in lines[line][column + 1:] if c in _CURLY), "")
    reads = f"YAML reads on to line {closed_at}, where the next {quote} is" if closed_at else \
        "YAML reads on to the end of the file"
    why = f" (a curly quote {curly} does not close it)" if curly else ""
    key = lines[line][:column].strip()
    return (f"the quote {quote} that starts this value is not closed on this line{why}, so {reads}; end the value "
            f"with {quote} on this line, e.g. {key} {quote}Peer workers in community teams{quote}".replace("  ", " "))


def _curly_quotes(error: yaml.MarkedYAMLError, text: str, lines: list[str], line: int) -> tuple[int, int, str] | None:
    for number in (line, line - 1):
        if 0 <= number < len(lines) and any(c in lines[number] for c in _CURLY):
            column = next(i for i, c in enumerate(lines[number]) if c in _CURLY)
            return number + 1, column + 1, curly_message(lines[number], column)
    return None


def curly_message(line: str, column: int) -> str:
    key = line[:column].strip()
    return (f"curly quotes ({line[column]}), as word processors write them, are not quotes to YAML; write straight "
            f"quotes instead, e.g. {key} \"Peer workers in community teams\"".replace("  ", " "))


def _missing_space(error: yaml.MarkedYAMLError, text: str, lines: list[str], line: int) -> tuple[int, int, str] | None:
    first = position(text, error.context_mark)[0] - 1 if error.context_mark else line
    for number in range(max(first, line - 2), line + 1):
        match = _NO_SPACE.match(lines[number]) if 0 <= number < len(lines) else None
        if match:
            key, value = match.group(1), lines[number][match.end():]
            return number + 1, match.end() + 1, (f"a colon between a key and its value needs a space after it: "
                                                 f"write {key.strip()}: {value.strip()}")
    return None


def _indentation(error: yaml.MarkedYAMLError, text: str, lines: list[str], line: int) -> tuple[int, int, str] | None:
    """A key or list item indented unlike the lines before and after it, which line up with each other."""
    filled = [n for n in range(min(line + 2, len(lines))) if lines[n].strip() and not lines[n].lstrip().startswith("#")]
    for position in range(len(filled) - 2, 0, -1):
        number = filled[position]
        if number < line - 6:
            break
        before, after = filled[position - 1], filled[position + 1]
        own, around = _indent(lines[number]), _indent(lines[before])
        if own != around and _indent(lines[after]) == around and _ITEM_LINE.match(lines[number]):
            return number + 1, own + 1, (
                f"this line is indented by {own} space{'s' * (own != 1)}, the lines around it by {around}: the keys "
                f"of one mapping, and the items of one list, start in the same column; write it as "
                f"'{' ' * around}{lines[number].strip()}'")
    return None


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _pyyaml_sentence(error: yaml.MarkedYAMLError, text: str) -> str:
    """PyYAML's context and problem as one sentence that says where the unfinished part began."""
    context, problem = error.context or "", error.problem or ""
    start, end = error.context_mark, error.problem_mark
    if context.startswith("while ") and start and end and (start.line, start.column) != (end.line, end.column):
        sentence = f"{problem} {context} that starts at line {start.line + 1}, column {start.column + 1}"
    else:
        sentence = " ".join(part for part in (context, problem) if part)
    if "mapping values are not allowed" in problem:
        sentence += "; a value that contains ': ' must be written in quotes"
    elif "cannot start any token" in problem and end and text[end.index:end.index + 1] in ("@", "`"):
        sentence += f"; a value that starts with {text[end.index]} must be written in quotes"
    return sentence


def curly_quoted(value: str) -> bool:
    """Whether a value opens and closes with curly quotes, as a word processor writes a quoted value."""
    return len(value) > 1 and value[0] in _OPENING and value[-1] in _CLOSING


def curly_quoted_values(text: str) -> list[tuple[int, int, str]]:
    """Values written between curly quotes without straight ones (`title: “...”`): YAML keeps the curly quotes
    as part of the text, and a colon inside breaks the file. A value that only begins with a quoted phrase
    (`title: “Here if you need me” and peer support`) is text as written."""
    # Most texts hold no opening curly quote at all, which `in` finds at once; the pattern takes 40 µs a study.
    if not any(quote in text for quote in _OPENING) or not _MAY_OPEN_VALUE.search(text):
        return []
    return curly_quoted_tokens(text)


# What precedes a value that opens with a curly quote: the ':' or '-' before it (a ValueToken or a
# BlockEntryToken), or the start of its line, then only white space. A text without it has no such value,
# and is not scanned (most texts with curly quotes have them inside a sentence).
_MAY_OPEN_VALUE = re.compile(rf"(?:\A|[\n\r\x85\u2028\u2029:-])\s*[{_OPENING}]")


def curly_quoted_tokens(text: str) -> list[tuple[int, int, str]]:
    """`curly_quoted_values`, found by scanning every token of the text."""
    import yaml
    found = []
    previous = None
    try:
        for token in yaml.scan(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
            if isinstance(token, yaml.ScalarToken) and token.plain and curly_quoted(token.value) \
                    and isinstance(previous, (yaml.ValueToken, yaml.BlockEntryToken)):
                line, column = position(text, token.start_mark)
                found.append((line, column, curly_message(text.split("\n")[line - 1], column - 1)))
            previous = token
    except yaml.YAMLError:
        return []
    return found

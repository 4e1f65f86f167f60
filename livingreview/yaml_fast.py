"""Reading YAML fast: a text that yaml-rs (a YAML 1.2 reader written in Rust) reads to the data PyYAML would.

PyYAML's C reader takes most of the time of reading study files (3,000 synthetic study files: 630 ms through
PyYAML, 183 ms through yaml-rs alone, 355 ms through `read` with its checks). YAML 1.2 reads some plain values
otherwise than PyYAML's 1.1 (yes, 010, 1:20, 1e3), yaml-rs takes a quoted date for a date, and each reader
refuses some texts the other takes: `read` leaves every text where that may happen to PyYAML (it returns
DECLINED), whose reading then reports each problem with its position, as before. What `read` does accept, it
reads as PyYAML does: tests/test_yaml_fast.py states it for any text.

The checks are searches for single characters and short patterns that begin with one: a pattern that may
begin anywhere costs more than the reading it saves.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import yaml_rs

DECLINED: Any = object()

# Where a plain value may end: before spaces and a line's end, a flow's , ] or }, a comment or a key's colon.
_VALUE_END = r"[ ]*(?:$|[,\]}#]|:(?:[\s,\[\]{}]|$))"
# A colon that begins a token (an empty key, which 1.2 allows), or ends one in a flow ([a:]), or stands between
# digits in what may be a whole value (1:20 and 1_:0, numbers in base 60 to YAML 1.1; not diva2:1296485 or 1:1:1
# allocation, which are text to both).
_COLON = re.compile(r":(?:(?<![^\s\[{,]:)|[\]},]|(?<=[0-9_]:)[0-9_:]*(?:\.[0-9_]*)?(?=" + _VALUE_END + "))",
                    re.MULTILINE)
# A number that begins with 0 (010 is octal to 1.1, 10 to 1.2; 0o17 and 0X1F are text to 1.1, numbers to 1.2),
# with _ (_1: text to 1.1, 1 to 1.2), or with a point after a sign (-.5: text to 1.1).
_NUMBER_START = r"(?:(?<=[\s\[{,:]X)|(?<=[\s\[{,:][-+]X)|(?<=\AX)|(?<=\A[-+]X))"
# Such a number is one only if it is a whole value, ending where a plain value ends ("until 04.01.2021." and
# "online 06 Feb" are not).
_ZERO = re.compile("0" + _NUMBER_START.replace("X", "0") + r"[0-9_oObBxX][-+0-9a-fA-F_oObBxX.]*(?=" + _VALUE_END
                   + ")", re.MULTILINE)
_UNDERSCORE = re.compile("_" + _NUMBER_START.replace("X", "_"))
_POINT = re.compile(r"\." + _NUMBER_START.replace("X", r"\.") + "[0-9_]")
# An exponent: 1e3, 1.5e3 and (yaml-rs passing over underscores in numbers) 0E_0 are numbers to yaml-rs and
# text to 1.1 (looked for only when yaml-rs read a float).
_EXPONENT = re.compile(r"[eE](?<=[0-9._][eE])[-+_]*[0-9]")
# A block scalar's indicator (see _survey), an explicit key, an anchor, alias or tag.
_BLOCK = re.compile(r"[|>](?<![^\s\[{,:-][|>])")
_QUESTION = re.compile(r"\?(?<![^\s]\?)(?=\s|\Z)")
_ANCHOR_OR_TAG = re.compile(r"[&*!](?<![0-9A-Za-z][&*!])(?:(?<=!)|(?! ))")
# Where a date could be written otherwise than plainly: opening a quoted value, made by an escape, or (in a text
# with block scalars) alone on a line. The first two are looked for apart, each from the character it must hold
# (a pattern for both, tried at every quote, took ten times as long).
_QUOTED_DATE = re.compile(r"-(?<=['\"][0-9]{4}-)")
_ESCAPE = re.compile(r"\\[xuU\n]")
_DATE_LINE = re.compile(r"^[ ]*[0-9]{4}-[0-9]{2}-[0-9]{2}", re.MULTILINE)
# PyYAML's own pattern for a plain date or time (its resolver's for tag:yaml.org,2002:timestamp), written out:
# taken from PyYAML, it cost every run PyYAML's import (tests/test_yaml_fast.py holds the two the same). Of these,
# only a date alone is read here.
_TIMESTAMP = re.compile(r"""^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
                    |[0-9][0-9][0-9][0-9] -[0-9][0-9]? -[0-9][0-9]?
                     (?:[Tt]|[ \t]+)[0-9][0-9]?
                     :[0-9][0-9] :[0-9][0-9] (?:\.[0-9]*)?
                     (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$""", re.VERBOSE)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MAY_DATE = re.compile(r"-(?<=[0-9]{4}-)[0-9]")  # how every date and time PyYAML reads begins
# Text that PyYAML, read plain, takes for true or false (yaml-rs only true and false), a merge key or the value
# tag; text that yaml-rs gives for a plain value with none of these was quoted (numbers and null alike).
_NOT_TEXT_TO_PYYAML = frozenset("yes Yes YES no No NO on On ON off Off OFF << =".split())
_KEYS = frozenset((str, int, bool, type(None)))  # a float key may be .nan, which never equals itself
_PRINTABLE_ASCII = bytes(range(0x20, 0x7F)) + b"\n"


class _Differs(Exception):
    """The data may not be PyYAML's."""


def read(text: str, max_depth: int) -> Any:
    """The data PyYAML reads from `text`, or DECLINED where yaml-rs might read it otherwise or not at all, or the
    data nests more than `max_depth` lists and mappings deep (PyYAML's reading then says where)."""
    if not _may_read(text):
        return DECLINED
    try:
        data = yaml_rs.loads(text, parse_datetime=False)
    except Exception:  # noqa: BLE001 - a duplicate key, a syntax error: PyYAML's reading reports it, where it is
        return DECLINED
    found: set[type] = set()
    blocks = ("|" in text or ">" in text) and _BLOCK.search(text) is not None
    if blocks and not text.endswith("\n"):
        return DECLINED  # yaml-rs ends a block scalar at the end of the text with a line break, PyYAML without
    try:
        _survey(data, found, max_depth, "-" in text and _MAY_DATE.search(text) is not None, blocks, text)
    except _Differs:
        return DECLINED
    if float in found and _EXPONENT.search(text):
        return DECLINED
    if datetime.date in found:
        if blocks and _DATE_LINE.search(text) or _QUOTED_DATE.search(text) \
                or "\\" in text and _ESCAPE.search(text):  # text to PyYAML
            return DECLINED
        try:
            return _dated(data)
        except ValueError:  # a day that does not exist: PyYAML's reading reports it
            return DECLINED
    return data


def _may_read(text: str) -> bool:
    """Whether `text` holds nothing the two readers are known to read differently, or PyYAML to refuse."""
    # Tabs, carriage returns, YAML 1.1's other line breaks, control characters (yaml-rs reads them, PyYAML
    # refuses them): what is left of the text without its printable ASCII and line feeds must be printable.
    rest = text.encode("utf-8", "surrogatepass").translate(None, _PRINTABLE_ASCII)
    if rest and not rest.decode("utf-8", "surrogatepass").isprintable():
        return False
    if text.startswith(("---", "...", "%", "_", "-_", "+_")) or "\n---" in text or "\n..." in text \
            or "\n%" in text or _COLON.search(text):
        return False
    if "0" in text and _ZERO.search(text) or "_" in text and _UNDERSCORE.search(text) \
            or "." in text and _POINT.search(text):
        return False
    if "?" in text and _QUESTION.search(text):
        return False
    return not (("&" in text or "*" in text or "!" in text) and _ANCHOR_OR_TAG.search(text))


def _survey(value: Any, found: set[type], levels: int, dates: bool, blocks: bool, text: str) -> None:
    """Raise _Differs where PyYAML would read `value` otherwise, or it nests more than `levels` deep; note in
    `found` a float, or text PyYAML reads as a date (looked for only if the text may hold `dates`). In a text
    with `blocks` (a block scalar's | or > where a value begins), so does text of line breaks alone, or that
    begins with | or >: an empty block scalar is a line break to yaml-rs and nothing to PyYAML, and one within
    a flow ({k: >}) is text to yaml-rs and refused by PyYAML."""
    kind = value.__class__
    if kind is str:
        if value in _NOT_TEXT_TO_PYYAML and _may_be_plain(value, text) or blocks and _odd_in_blocks(value):
            raise _Differs
        if dates and _is_date(value):
            found.add(datetime.date)
        return
    if kind is float:
        found.add(float)
    if kind is not dict and kind is not list:
        return
    if levels == 0:
        raise _Differs
    if kind is dict:
        for key in value:
            if key.__class__ is str:
                _survey(key, found, levels, dates, blocks, text)
            elif key.__class__ not in _KEYS:
                raise _Differs  # a list or mapping as a key (a tuple here; PyYAML refuses it), or a float
        value = value.values()
    for item in value:
        kind = item.__class__
        if kind is str:  # most values: surveyed here, as a call for each would cost a third of the survey
            if item in _NOT_TEXT_TO_PYYAML and _may_be_plain(item, text) or blocks and _odd_in_blocks(item):
                raise _Differs
            if dates and _is_date(item):
                found.add(datetime.date)
        elif kind is dict or kind is list or kind is float:
            _survey(item, found, levels - 1, dates, blocks, text)


def _may_be_plain(word: str, text: str) -> bool:
    """Whether `word` (yes, NO, ...: true or false to PyYAML, text to yaml-rs) may be written plainly in `text`:
    where a plain value begins (after a line's start, a space, a flow's [ { or , or a :) and ends (before a
    line's end, a : or a flow's , ] }, after spaces, or a comment). Text in quotes ("NO", Norway's code) is not
    plain; a word that stands so in quoted text is taken for one that may be."""
    return re.search(r"(?:^|(?<=[\s\[{,:]))" + re.escape(word) + r"(?=[ ]*(?:$|[:,\]}]| #))", text, re.M) is not None


def _odd_in_blocks(text: str) -> bool:
    return text != "" and (not text.strip("\n") or text[0] in "|>")


def _is_date(text: str) -> bool:
    """Whether PyYAML reads `text`, written plainly, as a date; _Differs if as a time."""
    if len(text) < 10 or not _TIMESTAMP.match(text):  # as PyYAML's resolver matches it
        return False
    if not _DATE.fullmatch(text):
        raise _Differs  # a time, which PyYAML reads by rules of its own
    return True


def _dated(value: Any) -> Any:
    """`value` with each text that PyYAML reads as a date made one."""
    kind = value.__class__
    if kind is str:
        return datetime.date.fromisoformat(value) if _DATE.fullmatch(value) else value
    if kind is dict:
        return {_dated(key): _dated(item) for key, item in value.items()}
    if kind is list:
        return [_dated(item) for item in value]
    return value

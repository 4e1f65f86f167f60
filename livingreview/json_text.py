"""Compact JSON text, as the standard library writes it with `ensure_ascii=False, separators=(",", ":")`, made by
orjson, a compiled encoder: the records of valid studies, the study table's rows and the cache's records are
the JSON a build makes most of (10,000 studies: 5 % of a cold build's time, with the standard library's).

orjson writes these texts as the standard library does, but for floats (`1e-05` is `0.00001`, and NaN is `null`)
and refuses what it cannot write as written (an integer beyond 64 bits, a key that is not text, a tuple
subclass, a lone surrogate): that is then written by the standard library. Floats are not given here: study
files' numbers are whole, and the engine's records hold none."""

from __future__ import annotations

import json
from typing import Any

import orjson


def compact_json(data: Any, sort_keys: bool = False) -> str:
    """`json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=sort_keys)`."""
    try:
        return orjson.dumps(data, option=orjson.OPT_SORT_KEYS if sort_keys else 0).decode("utf-8")
    except TypeError:  # what orjson refuses (its JSONEncodeError is a TypeError)
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=sort_keys)

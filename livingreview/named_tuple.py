"""`NamedTuple`, the base of the engine's immutable records: `typing.NamedTuple` to a type checker, and at run
time the class `collections.namedtuple` makes of the same fields, defaults, methods and docstring, as
typing.NamedTuple makes it.

typing.NamedTuple also checks each field's annotation, and an annotation postponed (`from __future__ import
annotations`, as in every module here) is a text it compiles as Python to check it: the engine's 86 records
of 455 fields, made as their modules are imported, before any command's work begins and before a check forks
(importing the pipeline, alternated, medians of eight: 137 -> 129 ms). The annotations are kept as written, in
`__annotations__`, as typing keeps them.
"""

from __future__ import annotations

import collections
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from typing import NamedTuple as NamedTuple
else:
    # as typing's: what the class body may not define, and what is not copied from it onto the class
    _PROHIBITED = frozenset({"__new__", "__init__", "__slots__", "__getnewargs__", "_fields", "_field_defaults",
                             "_make", "_replace", "_asdict", "_source"})
    _SPECIAL = frozenset({"__module__", "__name__", "__annotations__"})

    class _Record(type):
        def __new__(cls, name: str, bases: tuple[type, ...], namespace: dict[str, Any]) -> type:
            if not bases:  # NamedTuple itself
                return super().__new__(cls, name, bases, namespace)
            if bases != (NamedTuple,):
                raise TypeError(f"{name}: a NamedTuple derives from NamedTuple alone")
            annotations = namespace.get("__annotations__", {})
            fields = list(annotations)
            defaulted = [field for field in fields if field in namespace]
            if defaulted != fields[len(fields) - len(defaulted):]:
                raise TypeError(f"{name}: a field without a default follows one with a default")
            record = collections.namedtuple(name, fields, defaults=[namespace[field] for field in defaulted],
                                            module=namespace["__module__"])
            record.__annotations__ = record.__new__.__annotations__ = dict(annotations)
            for key, value in namespace.items():
                if key in _PROHIBITED:
                    raise AttributeError(f"{name}: cannot overwrite NamedTuple attribute {key}")
                if key not in _SPECIAL and key not in annotations:
                    setattr(record, key, value)
            return record

    class NamedTuple(metaclass=_Record):
        """Derive a record from this, as from typing.NamedTuple."""

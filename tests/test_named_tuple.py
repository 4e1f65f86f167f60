"""The engine's records (livingreview.named_tuple.NamedTuple) are the classes typing.NamedTuple makes of the
same class body: fields, defaults, methods, docstring and annotations, and its refusals."""

from __future__ import annotations

import ast
import keyword
import pickle
import types
import typing
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from livingreview.named_tuple import NamedTuple

ENGINE = Path(__file__).resolve().parent.parent / "livingreview"


class Place(NamedTuple):
    """Where a problem is."""

    path: str
    line: int = 1
    notes: tuple[str, ...] = ()

    def shown(self) -> str:
        return f"{self.path}:{self.line}"

    @property
    def first(self) -> bool:
        return self.line == 1

    @classmethod
    def top(cls, path: str) -> Place:
        return cls(path)

    LIMIT = 80


def test_a_record_has_its_fields_defaults_and_methods():
    place = Place("a.yaml", 3)
    assert place == ("a.yaml", 3, ()) and isinstance(place, tuple)
    assert Place._fields == ("path", "line", "notes")
    assert Place._field_defaults == {"line": 1, "notes": ()}
    assert place.shown() == "a.yaml:3" and not place.first and Place.top("b").first
    assert Place.LIMIT == 80
    assert place._replace(line=1) == ("a.yaml", 1, ()) and place._asdict()["path"] == "a.yaml"
    assert Place.__doc__ == "Where a problem is."
    assert Place.__annotations__ == {"path": "str", "line": "int", "notes": "tuple[str, ...]"}
    assert Place.__module__ == __name__ and Place.__qualname__ == "Place"
    with pytest.raises(AttributeError):
        place.line = 4  # type: ignore[misc]


def test_a_record_is_sent_between_processes_as_itself():
    place = Place("a.yaml", 2, ("n",))
    again = pickle.loads(pickle.dumps(place))
    assert again == place and type(again) is Place


def test_a_nested_record_keeps_its_qualified_name():
    class Outer:
        class Inner(NamedTuple):
            value: int

    assert Outer.Inner.__qualname__.endswith("Outer.Inner") and Outer.Inner(1).value == 1


def body(fields: list[str], defaults: int, method: bool):
    def fill(namespace: dict) -> None:
        namespace["__module__"] = __name__  # as a class statement sets it
        namespace["__annotations__"] = {name: "int" for name in fields}
        namespace["__doc__"] = "A record."
        for name in fields[len(fields) - defaults:] if defaults else ():
            namespace[name] = len(name)
        if method:
            namespace["total"] = lambda self: sum(self)
    return fill


names = st.lists(st.from_regex(r"[a-z][a-z0-9]{0,6}", fullmatch=True), max_size=6, unique=True)


@given(names | st.just(["if", "value"]), st.integers(0, 6), st.booleans())
def test_a_record_is_typing_s_class_of_the_same_body(fields, defaults, method):
    defaults = min(defaults, len(fields))
    if any(keyword.iskeyword(name) for name in fields):  # a field named `if` is refused by both, alike
        with pytest.raises(ValueError):
            types.new_class("R", (typing.NamedTuple,), exec_body=body(fields, defaults, method))
        with pytest.raises(ValueError):
            types.new_class("R", (NamedTuple,), exec_body=body(fields, defaults, method))
        return
    ours = types.new_class("R", (NamedTuple,), exec_body=body(fields, defaults, method))
    typings = types.new_class("R", (typing.NamedTuple,), exec_body=body(fields, defaults, method))
    assert ours._fields == typings._fields
    assert ours._field_defaults == typings._field_defaults
    assert ours.__doc__ == typings.__doc__
    values = list(range(len(fields) - defaults))
    assert ours(*values) == typings(*values)
    if method:
        assert ours(*values).total() == typings(*values).total()


def test_a_record_is_refused_what_typing_refuses():
    with pytest.raises(TypeError):
        types.new_class("R", (NamedTuple,), exec_body=lambda ns: ns.update(
            __module__=__name__, __annotations__={"a": "int", "b": "int"}, a=1))  # b, without a default, follows a
    with pytest.raises(AttributeError):
        types.new_class("R", (NamedTuple,), exec_body=lambda ns: ns.update(
            __module__=__name__, __annotations__={"a": "int"}, _replace=lambda self: self))
    with pytest.raises(TypeError):
        types.new_class("R", (NamedTuple, int),
                        exec_body=lambda ns: ns.update(__module__=__name__, __annotations__={"a": "int"}))


def test_no_engine_module_takes_typing_s_named_tuple():
    """typing.NamedTuple compiles each postponed annotation when a module is imported (see named_tuple.py):
    the engine's records derive from its own."""
    found = []
    for path in ENGINE.rglob("*.py"):
        if path.name == "named_tuple.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "typing" \
                    and any(alias.name == "NamedTuple" for alias in node.names):
                found.append(str(path.relative_to(ENGINE)))
            if isinstance(node, ast.Attribute) and node.attr == "NamedTuple":
                found.append(str(path.relative_to(ENGINE)))
    assert found == []

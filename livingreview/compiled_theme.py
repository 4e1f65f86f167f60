"""The default theme's templates, compiled ahead of time.

Compiling the theme's templates is a tenth of a second of every build in a fresh process (a contributor's
edit, a CI check). Jinja can write compiled templates as Python modules (`compile_templates`) and load them
back (`ModuleLoader`); the engine ships them in `theme/compiled/`, beside an index of the source and Jinja
version each was compiled from. A template whose source or Jinja version differs from the index (a theme
being edited, another Jinja) is compiled from its source as before, so the modules can only make a build
faster, never different. They are part of the engine, not of a review or its cache: nothing a review holds
is ever loaded as code.

After editing a template of the default theme, write the modules again:

    python -m livingreview.compiled_theme
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import tempfile
from collections.abc import Callable, MutableMapping
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import BaseLoader, Environment, FileSystemLoader, ModuleLoader, Template, TemplateNotFound

from .project import THEME

THEME_TEMPLATES = THEME / "templates"
COMPILED = THEME / "compiled"
INDEX = "index.json"


class ThemeLoader(BaseLoader):
    """The theme's templates: each from its compiled module while that is current, else from its source."""

    def __init__(self, source: Path = THEME_TEMPLATES, compiled: Path = COMPILED):
        self.source = FileSystemLoader(str(source))
        self.index = _index(compiled)
        self.modules = ModuleLoader(str(compiled)) if self.index else None

    def get_source(self, environment: Environment, template: str) -> tuple[str, str | None, Callable[[], bool]]:
        return self.source.get_source(environment, template)

    def list_templates(self) -> list[str]:
        return self.source.list_templates()

    def load(self, environment: Environment, name: str,
             globals: MutableMapping[str, Any] | None = None) -> Template:
        source, filename, uptodate = self.source.get_source(environment, name)
        if self.modules is None or self.index.get(name) != _digest(source):
            return self.source.load(environment, name, globals)
        try:
            template = self.modules.load(environment, name, globals)
        except TemplateNotFound:  # a module missing from an installed engine: compile the source, as before
            return self.source.load(environment, name, globals)
        # Errors name the source file (at its own line numbers, which the module records), and `serve`
        # watches it, as for a template compiled from it.
        template.filename, template._uptodate = filename, uptodate
        return template


def _index(compiled: Path) -> dict[str, str]:
    """The source digest of each compiled template, if they were compiled by this version of Jinja."""
    try:
        index = json.loads((compiled / INDEX).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(index, dict) or index.get("jinja") != jinja2.__version__:
        return {}
    templates = index.get("templates")
    return templates if isinstance(templates, dict) else {}


def _digest(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def compile_theme(environment: Environment, target: Path, source: Path = THEME_TEMPLATES) -> None:
    """Write the theme's templates, compiled in `environment`, and their index into `target` (replaced)."""
    names = sorted(path.relative_to(source).as_posix() for path in source.rglob("*") if path.is_file())
    with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
        staged = Path(scratch) / "compiled"
        staged.mkdir()
        environment.compile_templates(str(staged), zip=None, ignore_errors=False)
        index = {"jinja": jinja2.__version__,
                 "templates": {name: _digest((source / name).read_text(encoding="utf-8")) for name in names}}
        (staged / INDEX).write_text(json.dumps(index, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        staged.rename(target)


def main() -> int:
    from .render import configured

    compile_theme(configured(FileSystemLoader(str(THEME_TEMPLATES))), COMPILED)
    print(f"wrote the compiled templates of the default theme to {COMPILED}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The default theme's templates compiled ahead of time: current, used, and never in the way of an edit."""

import json
import os
from pathlib import Path

from jinja2 import FileSystemLoader, Template, UndefinedError

from livingreview.compiled_theme import COMPILED, THEME_TEMPLATES, ThemeLoader, compile_theme
from livingreview.render import configured, environment, template_problem


def test_the_shipped_modules_are_those_the_theme_compiles_to(tmp_path):
    compile_theme(configured(FileSystemLoader(str(THEME_TEMPLATES))), tmp_path / "compiled")
    written = {p.name: p.read_bytes() for p in (tmp_path / "compiled").iterdir()}
    shipped = {p.name: p.read_bytes() for p in COMPILED.iterdir() if p.is_file()}
    stale = sorted(set(written) ^ set(shipped) | {n for n in written if written[n] != shipped.get(n)})
    assert not stale, f"the compiled theme is not current ({stale}): run python -m livingreview.compiled_theme"


def _compiled_in(template: Template) -> Path:
    return Path(template.root_render_func.__code__.co_filename).parent


def test_a_build_loads_the_theme_from_its_compiled_modules():
    env = environment((THEME_TEMPLATES,))
    for name in ("base.html", "study.html", "feed.xml"):
        template = env.get_template(name)
        assert _compiled_in(template) == COMPILED
        assert template.filename == str(THEME_TEMPLATES / name)  # errors name the source


def _theme(tmp_path: Path) -> tuple[Path, Path]:
    source, compiled = tmp_path / "templates", tmp_path / "compiled"
    source.mkdir()
    (source / "base.html").write_text("<p>{{ name }}</p>{% block main %}{% endblock %}", encoding="utf-8")
    (source / "page.html").write_text('{% extends "base.html" %}{% block main %}<b>{{ name }}</b>{% endblock %}',
                                      encoding="utf-8")
    compile_theme(configured(FileSystemLoader(str(source))), compiled, source)
    return source, compiled


def test_a_compiled_template_renders_as_its_source_does(tmp_path):
    source, compiled = _theme(tmp_path)
    page = configured(ThemeLoader(source, compiled)).get_template("page.html")
    assert _compiled_in(page) == compiled
    assert page.render(name="<x>") == "<p>&lt;x&gt;</p><b>&lt;x&gt;</b>"


def test_an_edited_template_is_compiled_from_its_source(tmp_path):
    source, compiled = _theme(tmp_path)
    (source / "page.html").write_text('{% extends "base.html" %}{% block main %}<i>{{ name }}</i>{% endblock %}',
                                      encoding="utf-8")
    env = configured(ThemeLoader(source, compiled))
    assert env.get_template("page.html").render(name="a") == "<p>a</p><i>a</i>"
    assert _compiled_in(env.get_template("base.html")) == compiled  # the others stay compiled


def test_a_template_edited_while_loaded_is_loaded_again(tmp_path):
    source, compiled = _theme(tmp_path)
    env = configured(ThemeLoader(source, compiled))
    assert env.get_template("page.html").render(name="a") == "<p>a</p><b>a</b>"
    page = source / "page.html"
    page.write_text('{% extends "base.html" %}{% block main %}<i>{{ name }}</i>{% endblock %}', encoding="utf-8")
    os.utime(page, ns=(page.stat().st_atime_ns, page.stat().st_mtime_ns + 2_000_000_000))
    assert env.get_template("page.html").render(name="a") == "<p>a</p><i>a</i>"


def test_modules_compiled_by_another_version_of_jinja_are_not_used(tmp_path):
    source, compiled = _theme(tmp_path)
    index = json.loads((compiled / "index.json").read_text(encoding="utf-8"))
    (compiled / "index.json").write_text(json.dumps({**index, "jinja": "2.0"}), encoding="utf-8")
    page = configured(ThemeLoader(source, compiled)).get_template("page.html")
    assert _compiled_in(page) != compiled
    assert page.render(name="a") == "<p>a</p><b>a</b>"


def test_a_missing_module_is_compiled_from_its_source(tmp_path):
    source, compiled = _theme(tmp_path)
    for module in compiled.glob("tmpl_*.py"):
        module.unlink()
    page = configured(ThemeLoader(source, compiled)).get_template("page.html")
    assert _compiled_in(page) != compiled


def test_an_error_in_a_compiled_template_names_its_source_and_line(tmp_path):
    source, compiled = _theme(tmp_path)
    (source / "page.html").write_text('{% extends "base.html" %}\n{% block main %}\n{{ name.missing.deeper }}\n'
                                      '{% endblock %}', encoding="utf-8")
    compile_theme(configured(FileSystemLoader(str(source))), compiled, source)
    env = configured(ThemeLoader(source, compiled))
    page = env.get_template("page.html")
    assert _compiled_in(page) == compiled
    try:
        page.render(name={})
    except UndefinedError as error:
        problem = template_problem(error, [source], "page.html", tmp_path)
    assert (problem.path, problem.line) == ("templates/page.html", 3)

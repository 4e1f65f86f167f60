"""Fixtures of the browser tests: one built site served over HTTP from a sub-path, and headless Chromium.

The site is built once per session from a temporary copy of the review (content/,
studies/, templates/, releases/ and build.py), and served with http.server on
127.0.0.1 from the copy's root folder, so the pages live under /site/ as on a
GitHub Pages project site.

Chromium and chromedriver are Debian's (`apt-get install chromium chromium-driver`).
Without them, or without selenium, every browser test is skipped, unless
LIVINGREVIEW_REQUIRE_BROWSER=1 (set in CI), when they fail instead.

Environment:
  LIVINGREVIEW_REQUIRE_BROWSER=1   fail rather than skip when Chromium, chromedriver, selenium or axe-core is missing
  LIVINGREVIEW_CHROMIUM            the browser binary (default /usr/bin/chromium)
  LIVINGREVIEW_CHROMEDRIVER        the driver binary (default /usr/bin/chromedriver)
  LIVINGREVIEW_SITE_DIR            test an already built site folder instead of building one
  SCREENSHOT_DIR                   where screenshots go (default screenshots/ at the repository root)
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import io
import json
import os
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("LIVINGREVIEW_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("LIVINGREVIEW_CHROMEDRIVER", "/usr/bin/chromedriver")
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = (1280, 900)
PHONE = (375, 800)
CHROME_FLAGS = ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", "--disable-extensions", "--mute-audio",
                f"--window-size={DESKTOP[0]},{DESKTOP[1]}")
WAIT = 5  # seconds to wait for the page to react; every reaction here is synchronous, so this is generous


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: needs headless Chromium and chromedriver (tests/browser/); "
                                       "skipped without them unless LIVINGREVIEW_REQUIRE_BROWSER=1")


def require_browser() -> bool:
    return os.environ.get("LIVINGREVIEW_REQUIRE_BROWSER") == "1"


def unavailable(reason: str) -> None:
    """Skip, or fail when the environment promises a browser (CI)."""
    if require_browser():
        pytest.fail(f"{reason} (and LIVINGREVIEW_REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(reason)


# --- the built and served site ---------------------------------------------------------------

def run_cli(root: Path, *args: str) -> None:
    """`build.py --root ROOT ARGS…` in this process; fail the test with its output if it fails."""
    from livingreview.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--root", str(root), *args])
    if code != 0:
        pytest.fail(f"build.py {' '.join(args)} failed (exit {code}):\n{out.getvalue()}{err.getvalue()}",
                    pytrace=False)


def build_review(root: Path, release: str | None = None) -> Path:
    """Copy the review's inputs into root and build it there (after freezing `release`); return root/site."""
    root.mkdir(parents=True, exist_ok=True)
    for name in ("content", "studies", "templates", "releases"):
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, root / name)
    shutil.copy2(REPO / "build.py", root / "build.py")
    if release:
        run_cli(root, "release", release, "--date", "2024-01-15")
    run_cli(root, "build")
    return root / "site"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    failures: list[str]  # set per server: every request answered with an error

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        if self.path != "/favicon.ico":  # asked for by the browser itself, at the server's root, not by a page
            self.failures.append(f"{code} {self.path}")
        super().send_error(code, message, explain)


@dataclass
class Site:
    """The site under test: its folder, and where it is served."""

    folder: Path  # the site's own folder (holds index.html)
    serve_root: Path  # the folder served at the server's root; the site is at serve_root/<mount>
    origin: str  # http://127.0.0.1:PORT
    mount: str = "site"
    failures: list[str] = field(default_factory=list)  # "404 /site/x.html" for each failed request

    @property
    def base(self) -> str:
        return f"{self.origin}/{self.mount}/"

    def url(self, path: str = "index.html") -> str:
        return self.base + path

    def path_of(self, url: str) -> str:
        """The site path of a URL of this site (without query and fragment)."""
        assert url.startswith(self.base), f"{url} is not under {self.base}"
        return url[len(self.base):].split("#")[0].split("?")[0]

    def json(self, path: str) -> Any:
        return json.loads((self.folder / path).read_text(encoding="utf-8"))

    def copy(self, mount: str, change: Callable[[Path], None]) -> Site:
        """A changed copy of the site, served by the same server under /<mount>/ (the original is untouched)."""
        target = self.serve_root / mount
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(self.folder, target, symlinks=False)
        change(target)
        return Site(target, self.serve_root, self.origin, mount, self.failures)


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The built site, served over HTTP from a sub-path (/site/) on a free port of 127.0.0.1."""
    given = os.environ.get("LIVINGREVIEW_SITE_DIR")
    serve_root = tmp_path_factory.mktemp("review")
    if given:
        folder = Path(given).resolve()
        if not (folder / "index.html").is_file():
            pytest.fail(f"LIVINGREVIEW_SITE_DIR={given} holds no index.html", pytrace=False)
        (serve_root / "site").symlink_to(folder, target_is_directory=True)
    else:
        folder = build_review(serve_root)
    failures: list[str] = []
    handler = type("Handler", (_QuietHandler,), {"failures": failures})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(serve_root)))
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield Site(serve_root / "site", serve_root, f"http://127.0.0.1:{server.server_address[1]}",
                   failures=failures)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture(scope="session")
def released_site(site: Site) -> Site:
    """Another copy of the review with one more frozen release (so several editions), served at /released/site/."""
    existing = sorted(p.stem for p in (REPO / "releases").glob("*.json")) if (REPO / "releases").is_dir() else []
    version = "999.0.0" if existing else "1.0.0"
    folder = build_review(site.serve_root / "released", release=version)
    return Site(folder, site.serve_root, site.origin, "released/site", site.failures)


@pytest.fixture(scope="session")
def studies(site: Site) -> dict[str, dict[str, Any]]:
    """The studies of the site's root edition, by id, as the site publishes them (data/studies.json)."""
    return {s["id"]: s for s in site.json("data/studies.json")["studies"]}


@pytest.fixture(scope="session")
def aggregates(site: Site) -> dict[str, Any]:
    return site.json("data/aggregates.json")


# --- the browser ------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session (starting one takes about a second)."""
    for path, what in ((CHROMIUM, "Chromium"), (CHROMEDRIVER, "chromedriver")):
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            unavailable(f"{what} not found at {path}: apt-get install chromium chromium-driver")
    try:
        from selenium import webdriver
        from selenium.common.exceptions import WebDriverException
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        unavailable("selenium is not installed: .venv/bin/pip install -e '.[test]'")
    os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium Manager download a browser or driver
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    try:
        driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    except WebDriverException as error:
        unavailable(f"Chromium did not start: {error.msg}")
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def set_viewport(driver, width: int, height: int, mobile: bool = False) -> None:
    """Emulate a viewport of exactly width × height CSS pixels."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})


@pytest.fixture
def driver(browser):
    """The browser at a desktop viewport, light colour scheme; reset after each test."""
    set_viewport(browser, *DESKTOP)
    yield browser
    with contextlib.suppress(Exception):
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "", "features": []})
        browser.get("about:blank")
        browser.get_log("browser")  # drop what this test's pages logged


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.is_file():
        unavailable(f"axe-core not found at {AXE.relative_to(REPO)}: run `npm ci` in the repository")
    return AXE.read_text(encoding="utf-8")


# --- small helpers the tests share -------------------------------------------------------------

class UI:
    """Waiting, reading and keyboard helpers over one driver."""

    def __init__(self, driver, site: Site):
        self.driver, self.site = driver, site

    def open(self, path: str) -> None:
        self.driver.get(self.site.url(path))

    def wait(self, condition: Callable[[Any], Any], message: str, timeout: float = WAIT) -> Any:
        from selenium.webdriver.support.ui import WebDriverWait

        return WebDriverWait(self.driver, timeout).until(condition, message)

    def js(self, script: str, *args: Any) -> Any:
        return self.driver.execute_script(script, *args)

    def css(self, selector: str):
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.CSS_SELECTOR, selector)

    def all(self, selector: str):
        from selenium.webdriver.common.by import By

        return self.driver.find_elements(By.CSS_SELECTOR, selector)

    def press(self, *keys: str) -> None:
        """Keys pressed on whatever has the focus, as a keyboard user would."""
        from selenium.webdriver.common.action_chains import ActionChains

        chain = ActionChains(self.driver)
        for key in keys:
            chain.send_keys(key)
        chain.perform()

    def focused(self) -> str:
        """A short description of the focused element: tag#id[name] 'text'."""
        return self.js("""
            const e = document.activeElement;
            if (!e || e === document.body) return 'body';
            return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.name ? '[' + e.name + ']' : '')
                 + ' ' + JSON.stringify((e.textContent || '').trim().slice(0, 40));""")

    def tab_to(self, is_target: str, limit: int = 150, backwards: bool = False) -> list[str]:
        """Press Tab until `is_target` (JS expression over `e`, the focused element) holds; return the path.

        Fails when the element is not reached within `limit` presses: it is not keyboard-reachable.
        """
        from selenium.webdriver.common.keys import Keys

        path = []
        key = Keys.SHIFT + Keys.TAB if backwards else Keys.TAB
        check = f"const e = document.activeElement; return !!(e && ({is_target}));"
        for _ in range(limit):
            self.press(key)
            path.append(self.focused())
            if self.js(check):
                return path
        raise AssertionError(f"not reached with {limit} presses of Tab: {is_target}\nfocus went: "
                             + " → ".join(path[:60]))

    def viewport(self, width: int, height: int, mobile: bool = False) -> None:
        set_viewport(self.driver, width, height, mobile)

    def phone(self) -> None:
        self.viewport(*PHONE, mobile=True)

    def desktop(self) -> None:
        self.viewport(*DESKTOP)

    def dark(self) -> None:
        self.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {
            "media": "", "features": [{"name": "prefers-color-scheme", "value": "dark"}]})

    def axe(self, source: str) -> list[dict[str, Any]]:
        """axe-core's violations on the current page."""
        if not self.js("return typeof window.axe === 'object'"):
            self.js(source)
        result = self.driver.execute_async_script("""
            const done = arguments[arguments.length - 1];
            axe.run(document, {resultTypes: ['violations']})
               .then(r => done(r.violations), e => done({error: String(e)}));""")
        if isinstance(result, dict) and "error" in result:
            raise AssertionError(f"axe-core failed: {result['error']}")
        return result

    @staticmethod
    def describe_violations(violations: list[dict[str, Any]]) -> str:
        lines = []
        for v in violations:
            lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
            for node in v["nodes"][:8]:
                summary = (node.get("failureSummary") or "").replace("\n", " ")
                lines.append(f"    {' '.join(map(str, node['target']))}: {summary[:300]}")
                lines.append(f"      {node['html'][:200]}")
            if len(v["nodes"]) > 8:
                lines.append(f"    … and {len(v['nodes']) - 8} more")
        return "\n".join(lines)

    def console_errors(self) -> list[str]:
        """Severe messages the browser logged since the last call (script errors, failed loads)."""
        return [entry["message"] for entry in self.driver.get_log("browser") if entry["level"] == "SEVERE"]


@pytest.fixture
def ui(driver, site: Site) -> UI:
    return UI(driver, site)

"""Shared fixtures: a house file, stores on real SQLite and real PostgreSQL, a built runtime."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests import pg

HOUSE = Path(__file__).parent / "house.yaml"


def pytest_configure(config: pytest.Config) -> None:
    # On the controller only: find or start PostgreSQL once; xdist workers inherit the URL.
    if hasattr(config, "workerinput") or os.environ.get("OMOTENASHI_TEST_ADMIN_URL"):
        return
    url, server = pg.server_url()
    os.environ["OMOTENASHI_TEST_ADMIN_URL"] = url
    config._omotenashi_pg = server  # type: ignore[attr-defined]


def pytest_unconfigure(config: pytest.Config) -> None:
    server = getattr(config, "_omotenashi_pg", None)
    if server is not None:
        server.stop()


def write_house(folder: Path, **changes: Any) -> Path:
    """The test house file, with top-level sections replaced, written into `folder`."""
    yaml = YAML()
    data = yaml.load(HOUSE.read_text(encoding="utf-8"))
    for key, value in changes.items():
        data[key] = value
    path = folder / "omotenashi.yaml"
    with path.open("w", encoding="utf-8") as fh:
        yaml.dump(data, fh)
    return path


@pytest.fixture
def house_file(tmp_path: Path) -> Path:
    return write_house(tmp_path)


@pytest.fixture(scope="session")
def pg_admin_url() -> str:
    return os.environ["OMOTENASHI_TEST_ADMIN_URL"]


@pytest.fixture(scope="session")
def pg_template(pg_admin_url: str) -> Iterator[str]:
    """A database migrated once, copied for each test."""
    from sqlalchemy.engine import make_url

    from omotenashi.store import migrate
    from omotenashi.store.engine import open_engines

    url = pg.create_database(pg_admin_url)
    engines = open_engines(url)
    migrate.upgrade(engines.write)
    engines.dispose()
    name = make_url(url).database
    assert name is not None
    yield name
    pg.drop_database(pg_admin_url, url)


@pytest.fixture
def postgres_url(pg_admin_url: str, pg_template: str) -> Iterator[str]:
    url = pg.create_database(pg_admin_url, template=pg_template)
    yield url
    pg.drop_database(pg_admin_url, url)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test, once on a real SQLite file and once on a real PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def runtime(store_url: str, house_file: Path) -> Iterator[Any]:
    """A running runtime (writer started) on the parametrised store."""
    from omotenashi.bootstrap import build
    from omotenashi.config.settings import Settings

    rt = build(Settings(house_file=house_file, store_url=store_url))
    yield rt
    rt.close()


@pytest.fixture
def write_key(runtime: Any) -> str:
    from tests.support import create_key

    return create_key(runtime, "web")


@pytest.fixture
def server(runtime: Any) -> Iterator[str]:
    from tests.support import live_server

    with live_server(runtime) as url:
        yield url


# Browser tests: Debian's Chromium driven by Playwright's sync API (never `playwright install`).

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
BROWSER_FIXTURES = frozenset({"browser", "page"})


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium per xdist worker, started when the first browser test asks for it."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/test-setup.sh (it installs Debian's chromium)")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def _asyncio_without_playwright(request: pytest.FixtureRequest) -> Iterator[None]:
    # Between its calls, Playwright's sync API leaves its (session-long) event loop marked as running in this
    # thread, so asyncio.run() would fail in every later test on the same worker. Hide the mark from tests that
    # do not drive the browser, and put it back for those that do.
    import asyncio

    loop = asyncio._get_running_loop()
    if loop is None or BROWSER_FIXTURES & set(request.fixturenames):
        yield
        return
    asyncio._set_running_loop(None)
    try:
        yield
    finally:
        asyncio._set_running_loop(loop)


@pytest.fixture
def third_party_requests() -> list[str]:
    """URLs the page tried to reach outside this machine (each was aborted before leaving it)."""
    return []


@pytest.fixture
def page(browser: Any, third_party_requests: list[str]) -> Iterator[Any]:
    """A fresh context and page; the test fails if the page requests anything but 127.0.0.1/localhost."""
    from urllib.parse import urlsplit

    def local(url: str) -> bool:
        return urlsplit(url).hostname in LOCAL_HOSTS

    def guard(route: Any) -> None:
        if local(route.request.url):
            route.continue_()
        else:
            third_party_requests.append(route.request.url)
            route.abort("blockedbyclient")

    def guard_socket(ws: Any) -> None:
        if local(ws.url):
            ws.connect_to_server()
        else:
            third_party_requests.append(ws.url)
            ws.close()

    context = browser.new_context(service_workers="block")
    context.route("**/*", guard)
    context.route_web_socket("**/*", guard_socket)
    try:
        yield context.new_page()
    finally:
        context.close()
    if third_party_requests:
        pytest.fail(f"the page made third-party requests: {third_party_requests}")

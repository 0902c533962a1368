"""Staff accounts, sessions, CSRF, permissions and languages: on real SQLite and PostgreSQL, over real HTTP."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner, Result

from omotenashi.bootstrap import Runtime, build
from omotenashi.cli.main import app
from omotenashi.config.settings import Settings
from omotenashi.core.clock import to_epoch_ms, utc_now
from omotenashi.core.errors import BadRequest
from omotenashi.staff import accounts, sessions
from omotenashi.store.staff import StaffMember
from omotenashi.web.staff import pages
from omotenashi.web.staff.auth import safe_next
from tests.conftest import write_house
from tests.support import live_server

PASSWORD = "correct horse battery"
WRONG = "The email or password is not right, or this account cannot sign in."


@pytest.fixture(autouse=True)
def quick_failures(monkeypatch: pytest.MonkeyPatch) -> None:
    """The failed-sign-in delay is a constant; waiting it out in every test teaches nothing."""
    monkeypatch.setattr(pages, "FAILED_SIGN_IN_DELAY", 0.01)


def now_ms() -> int:
    return to_epoch_ms(utc_now())


def add_staff(
    runtime: Runtime,
    email: str = "ann@example.com",
    role: str = "frontline",
    *,
    language: str = "en",
    password: str = PASSWORD,
    workspace: str = "shop",
    name: str = "Ann Abe",
) -> StaffMember:
    new = accounts.enrol(workspace, email, name, role, password, language=language, now=now_ms())
    member: StaffMember = runtime.writer.call(lambda conn: accounts.add(conn, new))
    return member


def form_csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def client(server: str, **headers: str) -> httpx.Client:
    return httpx.Client(base_url=server, follow_redirects=False, headers=headers, timeout=10)


def sign_in(c: httpx.Client, email: str = "ann@example.com", password: str = PASSWORD, **fields: str) -> httpx.Response:
    page = c.get("/staff/sign-in")
    assert page.status_code == 200, page.text
    return c.post("/staff/sign-in", data={"csrf": form_csrf(page.text), "email": email, "password": password, **fields})


def signed_in(server: str, email: str = "ann@example.com", **headers: str) -> tuple[httpx.Client, str]:
    """A client with a live session, and the session's CSRF token from the home page."""
    c = client(server, **headers)
    r = sign_in(c, email)
    assert r.status_code == 303 and r.headers["location"] == "/staff/", r.text
    home = c.get("/staff/")
    assert home.status_code == 200, home.text
    return c, form_csrf(home.text)


def session_rows(runtime: Runtime) -> list[dict[str, Any]]:
    with runtime.engines.read.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(sa.text("SELECT * FROM staff_sessions ORDER BY created_at"))]


def language_of(runtime: Runtime, email: str) -> str:
    with runtime.engines.read.connect() as conn:
        return str(conn.execute(sa.text("SELECT language FROM staff WHERE email = :e"), {"e": email}).scalar_one())


# --- accounts -----------------------------------------------------------------------------------------------------


def test_a_staff_member_is_stored_with_an_argon2id_hash_and_signs_in_with_their_password(runtime):
    member = add_staff(runtime, "  Ann@Example.COM ", "lead", language="ja")
    assert member.email == "ann@example.com" and member.role == "lead" and member.language == "ja"
    with runtime.engines.read.connect() as conn:
        stored = conn.execute(sa.text("SELECT password_hash FROM staff")).scalar_one()
        assert stored.startswith("$argon2id$") and PASSWORD not in stored
        assert accounts.authenticate(conn, "shop", "ANN@example.com", PASSWORD) == member
        assert accounts.authenticate(conn, "shop", "ann@example.com", PASSWORD + "!") is None
        assert accounts.authenticate(conn, "shop", "bob@example.com", PASSWORD) is None
        assert accounts.authenticate(conn, "elsewhere", "ann@example.com", PASSWORD) is None
        assert [m.email for m in accounts.members(conn, "shop")] == ["ann@example.com"]


def test_adding_refuses_weak_passwords_unknown_roles_and_a_second_account_for_one_email(runtime):
    add_staff(runtime)
    with pytest.raises(accounts.WeakPassword, match="at least 10"):
        accounts.enrol("shop", "bob@example.com", "Bob", "lead", "short", now=now_ms())
    with pytest.raises(BadRequest, match="unknown role"):
        accounts.enrol("shop", "bob@example.com", "Bob", "owner", PASSWORD, now=now_ms())
    with pytest.raises(BadRequest, match="unknown language"):
        accounts.enrol("shop", "bob@example.com", "Bob", "lead", PASSWORD, language="fr", now=now_ms())
    with pytest.raises(BadRequest, match="not an email"):
        accounts.enrol("shop", "bob", "Bob", "lead", PASSWORD, now=now_ms())
    again = accounts.enrol("shop", "ANN@example.com", "Ann again", "admin", PASSWORD, now=now_ms())
    with pytest.raises(accounts.EmailTaken):
        runtime.writer.call(lambda conn: accounts.add(conn, again))
    with runtime.engines.read.connect() as conn:
        assert len(accounts.members(conn, "shop")) == 1


# --- signing in ---------------------------------------------------------------------------------------------------


def test_signing_in_sets_an_http_only_lax_cookie_whose_token_is_stored_only_as_its_hash(runtime, server):
    member = add_staff(runtime)
    c = client(server)
    r = sign_in(c)
    assert r.status_code == 303 and r.headers["location"] == "/staff/"
    cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith(f"{sessions.COOKIE}="))
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert {"httponly", "path", "max-age"} <= attributes and "samesite=lax" in cookie.lower()
    token = c.cookies[sessions.COOKIE]
    [row] = session_rows(runtime)
    assert row["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {str(v) for v in row.values()}
    assert row["staff_id"] == member.id and row["ended_at"] is None
    assert row["expires_at"] - row["created_at"] == 12 * 3600 * 1000

    home = c.get("/staff/")
    assert home.status_code == 200
    assert "Ann Abe" in home.text and 'action="/staff/customers"' in home.text and 'name="q"' in home.text
    assert (
        home.headers["cache-control"] == "no-store"
        and "frame-ancestors 'none'" in home.headers["content-security-policy"]
    )
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", home.text), "a staff page loads something from elsewhere"
    me = c.get("/api/staff/me")
    assert me.status_code == 200 and me.json()["email"] == "ann@example.com"
    assert me.json()["permissions"] == ["view_customer", "write_note", "work_care", "grant_goodwill"]


def test_a_wrong_password_an_unknown_email_and_a_disabled_account_get_the_same_answer(runtime, server):
    add_staff(runtime)
    add_staff(runtime, "gone@example.com")
    runtime.writer.call(lambda conn: accounts.disable(conn, "shop", "gone@example.com", now=now_ms()))
    answers = []
    for email, password in [
        ("ann@example.com", "not the password"),
        ("nobody@example.com", PASSWORD),
        ("gone@example.com", PASSWORD),
    ]:
        c = client(server)
        r = sign_in(c, email, password)
        assert r.status_code == 200 and WRONG in r.text
        assert sessions.COOKIE not in c.cookies
        answers.append(r.text.replace(email, "EMAIL").replace(form_csrf(r.text), "CSRF"))
    assert answers[0] == answers[1] == answers[2]
    assert session_rows(runtime) == []


def test_disabling_a_member_ends_their_open_sessions(runtime, server):
    add_staff(runtime)
    c, _ = signed_in(server)
    runtime.writer.call(lambda conn: accounts.disable(conn, "shop", "ann@example.com", now=now_ms()))
    r = c.get("/staff/")
    assert r.status_code == 303 and r.headers["location"] == "/staff/sign-in"
    assert all(row["ended_at"] is not None for row in session_rows(runtime))


def test_pages_send_strangers_to_sign_in_and_back_while_the_api_answers_401(runtime, server):
    add_staff(runtime)
    c = client(server)
    r = c.get("/staff/")
    assert r.status_code == 303 and r.headers["location"] == "/staff/sign-in"
    api = c.get("/api/staff/me")
    assert api.status_code == 401 and api.json()["code"] == "sign_in_required"
    assert api.headers["www-authenticate"].startswith("Cookie")  # no Basic: browsers would pop up a dialog
    page = c.get("/staff/sign-in", params={"next": "/staff/customers?q=ann"})
    r = c.post(
        "/staff/sign-in",
        data={
            "csrf": form_csrf(page.text),
            "email": "ann@example.com",
            "password": PASSWORD,
            "next": "/staff/customers?q=ann",
        },
    )
    assert r.status_code == 303 and r.headers["location"] == "/staff/customers?q=ann"


def test_the_next_page_after_sign_in_never_leaves_the_staff_pages():
    assert safe_next("/staff/customers?q=1") == "/staff/customers?q=1"
    for target in ["https://evil.example/staff/", "//evil.example/staff/", "/\\evil.example", "/v1/batch", "", None]:
        assert safe_next(target) == "/staff/"


# --- sessions end ---------------------------------------------------------------------------------------------------


def test_an_expired_session_no_longer_works(runtime, server):
    add_staff(runtime)
    c, _ = signed_in(server)
    runtime.writer.call(
        lambda conn: conn.execute(sa.text("UPDATE staff_sessions SET expires_at = :t"), {"t": now_ms() - 1})
    )
    assert c.get("/staff/").status_code == 303
    assert c.get("/api/staff/me").status_code == 401


def test_sessions_expire_after_their_lifetime(runtime):
    member = add_staff(runtime)
    start = now_ms()
    opened = runtime.writer.call(lambda conn: sessions.open_session(conn, member, now=start))
    with runtime.engines.read.connect() as conn:
        live = sessions.session_for(conn, opened.token, now=start + 12 * 3600 * 1000 - 1)
        assert live is not None and live.member == member and live.csrf == opened.csrf
        assert sessions.session_for(conn, opened.token, now=start + 12 * 3600 * 1000) is None
        assert sessions.session_for(conn, "not-a-token", now=start) is None
    later = start + 8 * 24 * 3600 * 1000
    assert runtime.writer.call(lambda conn: sessions.forget_old_sessions(conn, now=later)) == 1
    assert session_rows(runtime) == []


def test_signing_out_ends_the_session_in_the_store_so_the_old_cookie_stops_working(runtime, server):
    add_staff(runtime)
    c, csrf = signed_in(server)
    token = c.cookies[sessions.COOKIE]
    r = c.post("/staff/sign-out", data={"csrf": csrf})
    assert r.status_code == 303 and r.headers["location"] == "/staff/sign-in"
    assert session_rows(runtime)[0]["ended_at"] is not None
    replay = client(server)
    replay.cookies.set(sessions.COOKIE, token)
    assert replay.get("/staff/").status_code == 303
    assert replay.get("/api/staff/me").status_code == 401


def test_signing_in_again_ends_the_browsers_previous_session(runtime, server):
    add_staff(runtime)
    c = client(server)
    first_tab = c.get("/staff/sign-in")  # the form stays open in one tab while the member signs in in another
    assert sign_in(c).status_code == 303
    first = c.cookies[sessions.COOKIE]
    data = {"csrf": form_csrf(first_tab.text), "email": "ann@example.com", "password": PASSWORD}
    assert c.post("/staff/sign-in", data=data).status_code == 303
    assert c.cookies[sessions.COOKIE] != first
    rows = session_rows(runtime)
    assert len(rows) == 2 and rows[0]["ended_at"] is not None and rows[1]["ended_at"] is None


# --- CSRF -----------------------------------------------------------------------------------------------------------


def test_a_post_without_the_sessions_csrf_token_is_refused_and_changes_nothing(runtime, server):
    add_staff(runtime)
    c, csrf = signed_in(server)
    for data, headers in [
        ({"language": "ja"}, {}),
        ({"language": "ja", "csrf": "wrong"}, {}),
        ({"language": "ja", "csrf": ""}, {"X-CSRF-Token": "also-wrong"}),
    ]:
        r = c.post("/staff/language", data=data, headers=headers)
        assert r.status_code == 403 and r.json()["code"] == "csrf_failed", r.text
    assert language_of(runtime, "ann@example.com") == "en"
    r = c.post("/staff/sign-out", data={})
    assert r.status_code == 403
    assert session_rows(runtime)[0]["ended_at"] is None and c.get("/staff/").status_code == 200

    other, other_csrf = signed_in(server)  # a token is the session's own: another session's does not do
    assert c.post("/staff/language", data={"language": "ja", "csrf": other_csrf}).status_code == 403
    r = c.post("/staff/language", data={"language": "ja"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 303 and language_of(runtime, "ann@example.com") == "ja"


def test_the_sign_in_form_only_works_from_the_browser_that_loaded_it(runtime, server):
    add_staff(runtime)
    c = client(server)
    r = c.post("/staff/sign-in", data={"csrf": "forged", "email": "ann@example.com", "password": PASSWORD})
    assert r.status_code == 403 and sessions.COOKIE not in c.cookies
    assert session_rows(runtime) == []


# --- permissions ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"), [("frontline", 403), ("lead", 403), ("privacy_officer", 403), ("admin", 200)]
)
def test_only_a_role_with_the_permission_gets_through(runtime, server, role, status):
    add_staff(runtime, "someone@example.com", role)
    c, _ = signed_in(server, "someone@example.com")
    r = c.get("/api/staff")
    assert r.status_code == status, r.text
    if status == 403:
        assert r.json()["code"] == "forbidden" and r.json()["action"] == "manage_staff" and r.json()["role"] == role
    else:
        assert [m["email"] for m in r.json()] == ["someone@example.com"]


# --- languages ------------------------------------------------------------------------------------------------------


def test_a_japanese_speaking_member_reads_the_pages_in_japanese_and_can_switch(runtime, server):
    add_staff(runtime, "hanako@example.com", "frontline", language="ja", name="山田花子")
    c, csrf = signed_in(server, "hanako@example.com")
    home = c.get("/staff/")
    assert '<html lang="ja">' in home.text
    for text in ["山田花子さん、お疲れさまです。", "お客様を探す", "検索", "窓口担当", "サインアウト", "メモの記入"]:
        assert text in home.text
    assert "Find a customer" not in home.text
    r = c.post("/staff/language", data={"csrf": csrf, "language": "en", "next": "/staff/"})
    assert r.status_code == 303 and r.headers["location"] == "/staff/"
    home = c.get("/staff/")
    assert '<html lang="en">' in home.text and "Find a customer" in home.text and "お客様を探す" not in home.text


def test_the_sign_in_page_speaks_the_browsers_language(runtime, server):
    ja = client(server, **{"Accept-Language": "ja-JP,ja;q=0.9,en;q=0.5"}).get("/staff/sign-in")
    assert "スタッフ用サインイン" in ja.text and "パスワード" in ja.text
    en = client(server, **{"Accept-Language": "de-DE"}).get("/staff/sign-in")
    assert "Staff sign-in" in en.text


# --- several workspaces ---------------------------------------------------------------------------------------------


@pytest.fixture
def two_workspaces(tmp_path: Path, store_url: str) -> Iterator[tuple[Runtime, str]]:
    first = write_house(tmp_path)
    (tmp_path / "other").mkdir()
    second = write_house(tmp_path / "other", workspace={"id": "other", "name": "Other shop"})
    runtime = build(Settings(house_file=first, store_url=store_url), [first, second])
    try:
        with live_server(runtime) as url:
            yield runtime, url
    finally:
        runtime.close()


def test_with_several_workspaces_the_form_asks_which_and_accounts_stay_apart(two_workspaces):
    runtime, server = two_workspaces
    add_staff(runtime, "ann@example.com", "frontline", workspace="shop")
    add_staff(runtime, "ann@example.com", "admin", workspace="other", password="another long password")
    page = client(server).get("/staff/sign-in")
    assert '<select name="workspace"' in page.text and "Other shop" in page.text and "Test shop" in page.text

    c = client(server)
    assert WRONG in sign_in(c, "ann@example.com", PASSWORD, workspace="other").text
    assert WRONG in sign_in(c, "ann@example.com", PASSWORD, workspace="nowhere").text
    assert sign_in(c, "ann@example.com", "another long password", workspace="other").status_code == 303
    me = c.get("/api/staff/me").json()
    assert me["workspace"] == "other" and me["role"] == "admin"
    assert [m["email"] for m in c.get("/api/staff").json()] == ["ann@example.com"]


# --- the command line -----------------------------------------------------------------------------------------------


def omotenashi(*args: str | Path, prompt: str | None = None) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args], input=prompt, catch_exceptions=False)


@pytest.fixture
def config(tmp_path: Path, store_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("OMOTENASHI__HOUSE_FILE", raising=False)
    monkeypatch.setenv("OMOTENASHI__STORE_URL", store_url)
    return write_house(tmp_path)


def test_staff_add_list_and_disable_from_the_command_line(config, store_url):
    r = omotenashi(
        "staff",
        "add",
        "--email",
        "Lead@Example.com",
        "--name",
        "Lee",
        "--role",
        "lead",
        "--password",
        PASSWORD,
        "-c",
        config,
    )
    assert r.exit_code == 0, r.output
    assert "added lead@example.com (lead, en)" in r.stdout

    r = omotenashi(
        "staff",
        "add",
        "--email",
        "ken@example.com",
        "--name",
        "Ken",
        "--role",
        "admin",
        "--language",
        "ja",
        "-c",
        config,
        prompt=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert r.exit_code == 0, r.output
    assert PASSWORD not in r.output  # the prompt hides what is typed

    r = omotenashi(
        "staff",
        "add",
        "--email",
        "weak@example.com",
        "--name",
        "W",
        "--role",
        "lead",
        "--password",
        "123456789",
        "-c",
        config,
    )
    assert r.exit_code == 1 and "too short" in r.stderr and "at least 10" in r.stderr

    r = omotenashi(
        "staff",
        "add",
        "--email",
        "x@example.com",
        "--name",
        "X",
        "--role",
        "owner",
        "--password",
        PASSWORD,
        "-c",
        config,
    )
    assert r.exit_code == 1 and "unknown role `owner`" in r.stderr and "privacy_officer" in r.stderr

    r = omotenashi(
        "staff",
        "add",
        "--email",
        "lead@example.com",
        "--name",
        "Lee",
        "--role",
        "lead",
        "--password",
        PASSWORD,
        "-c",
        config,
    )
    assert r.exit_code == 1 and "already has a staff member" in r.stderr

    r = omotenashi("staff", "disable", "lead@example.com", "-c", config)
    assert r.exit_code == 0, r.output

    r = omotenashi("staff", "list", "-c", config)
    assert r.exit_code == 0, r.output
    lines = r.stdout.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("ken@example.com  Ken  admin  ja  active")
    assert lines[1].startswith("lead@example.com  Lee  lead  en  disabled ")

    runtime = build(Settings(house_file=config, store_url=store_url))
    try:
        with runtime.engines.read.connect() as conn:
            assert accounts.authenticate(conn, "shop", "ken@example.com", PASSWORD) is not None
            assert accounts.authenticate(conn, "shop", "lead@example.com", PASSWORD) is None
    finally:
        runtime.close()

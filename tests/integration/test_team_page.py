"""The team page over HTTP on a live server, on SQLite and PostgreSQL: an administrator adds a member who can then
sign in, bad input is refused with the reason and nothing stored, a member is disabled (their session ends at once)
and enabled again, given another role (at once) or a new password (their sessions end), never by themselves, and
other roles may not see the page."""

from __future__ import annotations

import html
import re

import httpx

from omotenashi.bootstrap import Runtime
from tests.staff_support import PASSWORD, add_staff, form_csrf, rows, signed_in


def problem(page: httpx.Response) -> str:
    found = re.search(r'<p class="error" role="alert" id="problem">(.*?)</p>', page.text, flags=re.S)
    assert found, page.text[:2000]
    return html.unescape(found.group(1))


def staff_rows(runtime: Runtime) -> list[dict[str, object]]:
    return rows(runtime, "SELECT email, name, role, language, disabled_at FROM staff ORDER BY email")


def test_an_administrator_adds_a_member_who_can_then_sign_in(runtime: Runtime, server: str) -> None:
    add_staff(runtime, "ada@example.com", role="admin", name="Ada Admin")
    c, csrf = signed_in(server, "ada@example.com")
    page = c.get("/staff/team")
    assert page.status_code == 200 and '<a href="/staff/team">Team</a>' in page.text
    assert "Ada Admin" in page.text and ">you</span>" in page.text

    added = c.post(
        "/staff/team",
        data={"csrf": csrf, "name": "Ken Kato", "email": " Ken@Example.com ", "role": "lead", "language": "ja",
              "password": "eleven chars"},
    )  # fmt: skip
    assert added.status_code == 303 and added.headers["location"] == "/staff/team?done=added"
    after = c.get(added.headers["location"])
    assert "Added. Give them their first password in person or by phone" in after.text
    assert "ken@example.com" in after.text and "Team lead" in after.text
    assert {"email": "ken@example.com", "name": "Ken Kato", "role": "lead", "language": "ja", "disabled_at": None} in (
        staff_rows(runtime)
    )
    ken = httpx.Client(base_url=server, follow_redirects=False, timeout=10)
    signin = ken.get("/staff/sign-in")
    r = ken.post(
        "/staff/sign-in", data={"csrf": form_csrf(signin.text), "email": "ken@example.com", "password": "eleven chars"}
    )
    assert r.status_code == 303 and "お疲れさまです" in ken.get("/staff/").text  # his language from the start
    assert ken.get("/staff/team").status_code == 403  # a lead does not manage staff
    ken.close()
    c.close()


def test_bad_input_is_refused_with_the_reason_and_nothing_is_stored(runtime: Runtime, server: str) -> None:
    add_staff(runtime, "ada@example.com", role="admin", name="Ada Admin")
    add_staff(runtime, "ann@example.com")
    c, csrf = signed_in(server, "ada@example.com")
    before = staff_rows(runtime)
    good = {"csrf": csrf, "name": "Ken Kato", "email": "ken@example.com", "role": "frontline", "language": "en",
            "password": "eleven chars"}  # fmt: skip
    for change, status, said in (
        ({"password": "short"}, 400, "The password is too short: 5 characters, at least 10 are needed."),
        ({"email": "not-an-address"}, 400, "“not-an-address” is not an e-mail address."),
        ({"name": "  "}, 400, "Give the name colleagues know them by."),
        ({"role": "owner"}, 400, "There is no role “owner”."),
        ({"email": "ANN@example.com"}, 409, "ann@example.com is already on the staff."),
    ):
        r = c.post("/staff/team", data={**good, **change})
        assert r.status_code == status, (change, r.status_code)
        assert problem(r).startswith(said), problem(r)
        # What was typed stays in the form, except the password, which is never written back into a page.
        assert 'name="password" required' in r.text and "eleven chars" not in r.text
        assert f'value="{html.escape(change.get("name", "Ken Kato"))}"' in r.text
    assert staff_rows(runtime) == before
    forged = c.post("/staff/team", data={**good, "csrf": "not-the-token"})
    assert forged.status_code == 403 and staff_rows(runtime) == before
    c.close()


def test_a_disabled_member_is_signed_out_at_once_and_nobody_disables_themselves(runtime: Runtime, server: str) -> None:
    ada = add_staff(runtime, "ada@example.com", role="admin", name="Ada Admin")
    ann = add_staff(runtime, "ann@example.com")
    admin, csrf = signed_in(server, "ada@example.com")
    frontline, _ = signed_in(server, "ann@example.com")
    assert frontline.get("/staff/team").status_code == 403  # frontline may not see the team

    page = admin.get("/staff/team").text
    assert f'action="/staff/team/{ann.id}/disable"' in page and f'action="/staff/team/{ada.id}/disable"' not in page
    r = admin.post(f"/staff/team/{ann.id}/disable", data={"csrf": csrf})
    assert r.status_code == 303 and r.headers["location"] == "/staff/team?done=disabled"
    assert "disabled since" in admin.get("/staff/team").text
    gone = frontline.get("/staff/")
    assert gone.status_code == 303 and gone.headers["location"].startswith("/staff/sign-in")  # her session ended
    again = httpx.Client(base_url=server, follow_redirects=False, timeout=10)
    signin = again.get("/staff/sign-in")
    refused = again.post(
        "/staff/sign-in", data={"csrf": form_csrf(signin.text), "email": "ann@example.com", "password": PASSWORD}
    )
    assert refused.status_code != 303  # a disabled account cannot sign in
    again.close()

    # Enabled again, she signs in with her password as before.
    assert admin.post(f"/staff/team/{ann.id}/enable", data={"csrf": csrf}).headers["location"].endswith("=enabled")
    back, _ = signed_in(server, "ann@example.com")

    for change, data in (("disable", {}), ("enable", {}), ("role", {"role": "frontline"}), ("password", {})):
        mine = admin.post(f"/staff/team/{ada.id}/{change}", data={"csrf": csrf, "password": "a long password", **data})
        assert mine.status_code == 409, change
        assert problem(mine) == "Not for yourself: ask another administrator."
    assert staff_rows(runtime)[0] == {  # nothing about the administrator changed
        "email": "ada@example.com", "name": "Ada Admin", "role": "admin", "language": "en", "disabled_at": None
    }  # fmt: skip
    assert admin.get("/staff/").status_code == 200  # and the administrator is still signed in
    assert admin.post("/staff/team/st_nobody/disable", data={"csrf": csrf}).status_code == 404
    assert admin.post(f"/staff/team/{ann.id}/promote", data={"csrf": csrf}).status_code == 404
    admin.close()
    frontline.close()
    back.close()


def test_a_new_role_applies_at_once_and_a_new_password_ends_the_old_sessions(runtime: Runtime, server: str) -> None:
    add_staff(runtime, "ada@example.com", role="admin", name="Ada Admin")
    ann = add_staff(runtime, "ann@example.com")
    admin, csrf = signed_in(server, "ada@example.com")
    frontline, _ = signed_in(server, "ann@example.com")
    assert frontline.get("/staff/rights").status_code == 403

    r = admin.post(f"/staff/team/{ann.id}/role", data={"csrf": csrf, "role": "privacy_officer"})
    assert r.headers["location"] == "/staff/team?done=role"
    assert frontline.get("/staff/rights").status_code == 200  # her open session reads the new role
    bad = admin.post(f"/staff/team/{ann.id}/role", data={"csrf": csrf, "role": "owner"})
    assert bad.status_code == 400 and problem(bad) == "There is no role “owner”."

    short = admin.post(f"/staff/team/{ann.id}/password", data={"csrf": csrf, "password": "short"})
    assert short.status_code == 400 and problem(short).startswith("The password is too short: 5 characters")
    assert frontline.get("/staff/").status_code == 200  # a refused password changed nothing
    r = admin.post(f"/staff/team/{ann.id}/password", data={"csrf": csrf, "password": "a brand new one"})
    assert r.headers["location"] == "/staff/team?done=password"
    assert frontline.get("/staff/").status_code == 303  # signed out everywhere
    fresh = httpx.Client(base_url=server, follow_redirects=False, timeout=10)
    signin = fresh.get("/staff/sign-in")
    old = fresh.post(
        "/staff/sign-in", data={"csrf": form_csrf(signin.text), "email": "ann@example.com", "password": PASSWORD}
    )
    assert old.status_code != 303  # the old password no longer works
    signin = fresh.get("/staff/sign-in")
    new = fresh.post(
        "/staff/sign-in",
        data={"csrf": form_csrf(signin.text), "email": "ann@example.com", "password": "a brand new one"},
    )
    assert new.status_code == 303
    fresh.close()
    admin.close()
    frontline.close()

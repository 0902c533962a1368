"""The privacy portal over HTTP, on SQLite and PostgreSQL: sign-in by e-mailed link (a real SMTP server) and by a
link the company's app signs, what we know, consent, Global Privacy Control, correction, export, erasure; and the
staff side of rights requests."""

from __future__ import annotations

import io
import json
import re
import time
import uuid
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import pytest
from typer.testing import CliRunner

from omotenashi.bootstrap import Runtime
from omotenashi.cli.main import app
from omotenashi.core.clock import from_epoch_ms
from omotenashi.memory.profile import load_profile
from omotenashi.privacy import links
from omotenashi.privacy.service import Identity, one_month_after
from tests.integration.test_erasure import everything_mentioning
from tests.portal_support import (
    aiko,
    csrf_of,
    link_key,
    link_path,
    portal_client,
    portal_house,
    signed_path,
    smtp_server,
    use_mail,
)
from tests.staff_support import PASSWORD, add_staff, feed, form_csrf, now_ms, rows, signed_in
from tests.support import create_key

NO_DATA = ("Aiko", "aiko@example.com", "u-aiko", "refunded")


@pytest.fixture
def house_file(tmp_path: Path) -> Path:
    return portal_house(tmp_path)


def no_data_in(text: str) -> None:
    for needle in NO_DATA:
        assert needle not in text, needle


def ask_for_link(server: str, email: str, **headers: str) -> httpx.Response:
    client = httpx.Client(base_url=server, follow_redirects=False, timeout=15, headers=headers)
    form = client.get("/portal/")
    assert form.status_code == 200
    return client.post("/portal/sign-in", data={"csrf": csrf_of(form.text), "email": email})


# --- signing in -------------------------------------------------------------------------------------------------


def test_an_emailed_link_signs_the_customer_in(runtime: Runtime, server: str) -> None:
    aiko(runtime)
    with smtp_server() as inbox:
        use_mail(runtime, inbox, base_url=server)
        r = ask_for_link(server, "AIKO@example.com")
        assert r.status_code == 303 and r.headers["location"] == "/portal/?sent=1"
        [mail] = inbox.wait_for(1)
    assert mail["To"] == "AIKO@example.com" and mail["From"] == "privacy@shop.example"
    assert mail["Subject"] == "Your link to the Test shop privacy center"
    plain = mail.get_body(preferencelist=("plain",))
    html = mail.get_body(preferencelist=("html",))
    assert plain is not None and html is not None
    assert "works once, for 15 minutes" in plain.get_content()
    path = inbox.link_in(mail)
    assert f'href="{server}{path}"' in html.get_content()

    client = portal_client(server, path)
    me = client.get("/portal/me")
    assert me.status_code == 200 and "Hello, Aiko Tanaka." in me.text
    assert "default-src 'self'" in me.headers["content-security-policy"]
    assert me.headers["cache-control"] == "no-store"
    cookie = next(c for c in client.cookies.jar if c.name == "omotenashi_portal")
    assert cookie.path == "/portal" and cookie.has_nonstandard_attr("HttpOnly")
    # Only the token's hash is stored.
    stored = rows(runtime, "SELECT token_hash FROM portal_links")
    token = path.rsplit("/", 1)[1]
    assert [r["token_hash"] for r in stored] == [links.token_hash(token)]

    signed_out = client.post("/portal/sign-out", data={"csrf": csrf_of(me.text)})
    assert signed_out.status_code == 303
    after = client.get("/portal/me")
    assert after.status_code == 303 and after.headers["location"].startswith("/portal/?signed_out=1")


def test_the_email_speaks_the_customers_language(runtime: Runtime, server: str) -> None:
    aiko(runtime, language="ja")
    with smtp_server() as inbox:
        use_mail(runtime, inbox, base_url=server)
        ask_for_link(server, "aiko@example.com", **{"Accept-Language": "en"})
        [mail] = inbox.wait_for(1)
    assert mail["Subject"] == "Test shopのプライバシーセンターへのリンク"
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None and "15分間" in body.get_content()


def test_asking_for_a_link_tells_nobody_whether_an_address_is_known(runtime: Runtime, server: str) -> None:
    aiko(runtime)
    with smtp_server() as inbox:
        use_mail(runtime, inbox, base_url=server)
        known = ask_for_link(server, "aiko@example.com")
        unknown = ask_for_link(server, "nobody@example.com")
        assert known.status_code == unknown.status_code == 303
        assert known.headers["location"] == unknown.headers["location"]
        pages = [httpx.get(server + r.headers["location"]).text for r in (known, unknown)]
        strip = re.compile(r'value="[^"]+"')
        assert strip.sub("", pages[0]) == strip.sub("", pages[1])
        assert "If we know this address, a link to sign in is on its way." in pages[0]
        assert len(inbox.wait_for(2, timeout=3)) == 1  # only the known address got a mail

    bad = ask_for_link(server, "not an address")
    assert bad.status_code == 400 and "Please enter your e-mail address" in bad.text
    forged = httpx.post(f"{server}/portal/sign-in", data={"csrf": "x", "email": "aiko@example.com"})
    assert forged.status_code == 403


def test_without_a_mail_host_the_link_goes_to_the_server_output(
    runtime: Runtime, server: str, caplog: pytest.LogCaptureFixture
) -> None:
    aiko(runtime)
    with caplog.at_level("WARNING", logger="omotenashi.privacy.mailer"):
        r = ask_for_link(server, "aiko@example.com")
        page = httpx.get(server + r.headers["location"]).text
        deadline = time.monotonic() + 10
        while "/portal/link/" not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.05)
    assert "This server sends no e-mail (no mail host is set)" in page
    found = re.search(r"(/portal/link/[A-Za-z0-9_-]+)", caplog.text)
    assert found, caplog.text
    assert portal_client(server, found.group(1)).get("/portal/me").status_code == 200


def test_a_link_works_once_and_for_fifteen_minutes(runtime: Runtime, server: str) -> None:
    cid = aiko(runtime)
    path = link_path(runtime, cid)
    portal_client(server, path)
    again = httpx.get(server + path)
    assert again.status_code == 410 and "This link was already used" in again.text
    assert 'id="ask-again"' in again.text
    no_data_in(again.text)

    stale = link_path(runtime, cid, now=now_ms() - 16 * 60_000)
    expired = httpx.get(server + stale)
    assert expired.status_code == 410 and "This link has expired" in expired.text
    no_data_in(expired.text)
    made_up = httpx.get(f"{server}/portal/link/not-a-token")
    assert made_up.status_code == 400 and "This link does not work" in made_up.text
    assert "omotenashi_portal=" not in made_up.headers.get("set-cookie", "")


def test_fetching_an_emailed_link_spends_nothing_until_the_customer_continues(runtime: Runtime, server: str) -> None:
    cid = aiko(runtime)
    path = link_path(runtime, cid)
    for _ in range(3):  # a mail scanner, a link preview, the customer's own click
        shown = httpx.get(server + path)
        assert shown.status_code == 200 and 'id="continue"' in shown.text
        assert "omotenashi_portal=" not in shown.headers.get("set-cookie", "")
        assert shown.headers["cache-control"] == "no-store" and shown.headers["referrer-policy"] == "no-referrer"
        no_data_in(shown.text)
    # A POST that did not come from that page (another site's form) signs nobody in and spends nothing.
    forged = httpx.post(server + path, data={"csrf": "guess"}, follow_redirects=False)
    assert forged.status_code == 200 and "omotenashi_portal=" not in forged.headers.get("set-cookie", "")
    client = portal_client(server, path)
    assert "Aiko Tanaka" in client.get("/portal/me").text
    spent = httpx.get(server + path)
    assert spent.status_code == 410 and "This link was already used" in spent.text


def test_links_signed_by_the_app(runtime: Runtime, server: str) -> None:
    aiko(runtime)
    path = signed_path(runtime, "u-aiko")
    client = portal_client(server, path)
    assert "Aiko Tanaka" in client.get("/portal/me").text
    replayed = httpx.get(server + path)
    assert replayed.status_code == 410
    no_data_in(replayed.text)

    def changed(**values: Any) -> str:
        query = dict(parse_qsl(urlsplit(signed_path(runtime, "u-aiko")).query))
        query.update(values)
        return "/portal/enter?" + urlencode(query)

    fresh = dict(parse_qsl(urlsplit(signed_path(runtime, "u-aiko")).query))
    flipped = fresh["sig"][:-1] + ("0" if fresh["sig"][-1] != "0" else "1")
    for tampered in (
        changed(sig=flipped),
        changed(u="someone-else"),
        changed(exp=str(int(fresh["exp"]) + 60)),
        changed(w="other"),
        changed(sig=""),
        changed(exp="soon"),
    ):
        r = httpx.get(server + tampered)
        assert r.status_code == 400, (tampered, r.status_code)
        assert "This link does not work" in r.text and 'id="ask-again"' in r.text
        no_data_in(r.text)
        assert "omotenashi_portal=" not in r.headers.get("set-cookie", "")

    expired = httpx.get(server + signed_path(runtime, "u-aiko", now_s=int(time.time()) - 700))
    assert expired.status_code == 410 and "This link has expired" in expired.text
    # Validly signed, but for an hour: refused, so a leaked link cannot stay usable for long.
    key = link_key(runtime)
    far = links.signed_query(key, "shop", "u-aiko", int(time.time()) + 3600)
    assert httpx.get(f"{server}/portal/enter?{far}").status_code == 400
    # A signed link for an account we hold nothing about: said plainly, no session.
    nobody = httpx.get(server + signed_path(runtime, "u-nobody"))
    assert nobody.status_code == 200 and "We hold nothing about you" in nobody.text
    assert "omotenashi_portal=" not in nobody.headers.get("set-cookie", "")


def test_the_cli_prints_the_link_key_and_signed_links(
    runtime: Runtime, server: str, store_url: str, house_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    aiko(runtime)
    monkeypatch.setenv("OMOTENASHI__STORE_URL", store_url)
    runner = CliRunner()
    printed = runner.invoke(app, ["privacy", "link-key", "-c", str(house_file)], catch_exceptions=False)
    assert printed.exit_code == 0, printed.output
    assert printed.output.split() == ["shop", link_key(runtime).hex()]
    made = runner.invoke(
        app,
        ["privacy", "link", "--identity", "email:aiko@example.com", "--base", server, "-c", str(house_file)],
        catch_exceptions=False,
    )
    assert made.exit_code == 0, made.output
    url = made.output.strip()
    assert url.startswith(f"{server}/portal/enter?w=shop&u=u-aiko&exp=")
    assert portal_client(server, url[len(server) :]).get("/portal/me").status_code == 200
    nobody = runner.invoke(app, ["privacy", "link", "--identity", "user_id:ghost", "-c", str(house_file)])
    assert nobody.exit_code == 1 and "nobody is known by user_id:ghost" in nobody.output


# --- what we know, and the customer's choices ---------------------------------------------------------------------


def test_the_page_says_what_is_held_where_it_came_from_why_and_for_how_long(runtime: Runtime, server: str) -> None:
    cid = aiko(runtime)
    feed(runtime, {"type": "identify", "userId": "u-aiko", "traits": {"phone": "+81 90 1234 5678"}})
    page = portal_client(server, link_path(runtime, cid)).get("/portal/me").text
    name = re.search(r'<li class="held" data-trait="name">(.*?)</li>', page, re.S)
    assert name, page
    for said in (
        "Aiko Tanaka",
        "From our Website",
        "Providing the service",
        "To address you by name.",
        "Kept for 1 year",
    ):
        assert said in name.group(1), said
    orders = re.search(r'<li class="held" data-event="Order Completed">(.*?)</li>', page, re.S)
    assert orders
    assert "2 times" in orders.group(1) and "Kept for 10 years" in orders.group(1)
    assert "Your orders, so we can deliver them." in orders.group(1)
    assert 'data-event="page"' in page and "Pages you viewed" in page and "Kept for 180 days" in page
    # The phone number is kept only as a keyed hash: the page says so and does not show it.
    assert "kept only as a keyed fingerprint" in page and "1234" not in page
    assert "We refunded the delayed parcel." in page  # a note staff made visible
    access = re.search(r'<table class="access">(.*?)</table>', page, re.S)
    assert access and "Lee Lead" in access.group(1)
    assert "Tax law: ten years." in page  # what erasure would keep, and why
    service = re.search(r'<li class="choice on" id="purpose-service".*?</li>', page, re.S)
    assert service and "Needed for the service" in service.group(0) and "<button" not in service.group(0)


def test_withdrawing_consent_in_the_portal_makes_the_tracker_refuse_its_events(runtime: Runtime, server: str) -> None:
    cid = aiko(runtime)
    pixel = create_key(runtime, "pixel")  # a source whose events serve analytics and marketing only
    client = portal_client(server, link_path(runtime, cid))
    csrf = csrf_of(client.get("/portal/me").text)

    def track() -> dict[str, Any]:
        body = {"userId": "u-aiko", "event": "Scrolled", "messageId": uuid.uuid4().hex}
        return httpx.post(f"{server}/v1/track", json=body, auth=(pixel, "")).json()

    assert track()["refused"] == {"consent_missing": 1}
    granted = client.post("/portal/consent", data={"csrf": csrf, "purpose": "analytics", "choice": "grant"})
    assert granted.status_code == 303 and "done=consent_granted" in granted.headers["location"]
    assert track()["accepted"] == 1
    withdrawn = client.post("/portal/consent", data={"csrf": csrf, "purpose": "analytics", "choice": "withdraw"})
    assert withdrawn.status_code == 303
    page = client.get(withdrawn.headers["location"]).text
    assert "“Analytics” is now off." in page and 'id="purpose-analytics" data-purpose="analytics" data-on="no"' in page
    assert track()["refused"] == {"consent_withdrawn": 1}
    receipts = rows(runtime, "SELECT status, method FROM consent_receipts WHERE purpose = 'analytics' ORDER BY at")
    assert [(r["status"], r["method"]) for r in receipts] == [("granted", "portal"), ("withdrawn", "portal")]

    forged = client.post("/portal/consent", data={"csrf": "nope", "purpose": "analytics", "choice": "grant"})
    assert forged.status_code == 403 and "This page had expired" in forged.text
    notice_only = client.post("/portal/consent", data={"csrf": csrf, "purpose": "service", "choice": "withdraw"})
    assert notice_only.status_code == 400
    assert track()["refused"] == {"consent_withdrawn": 1}


def test_global_privacy_control_is_recorded_as_an_objection_to_marketing_once(runtime: Runtime, server: str) -> None:
    cid = aiko(runtime)
    client = portal_client(server, link_path(runtime, cid))
    gpc = {"Sec-GPC": "1"}
    first = client.get("/portal/me", headers=gpc)
    assert 'data-gpc="recorded"' in first.text
    assert 'id="purpose-marketing" data-purpose="marketing" data-on="no"' in first.text
    assert "through your browser&#39;s Global Privacy Control" in first.text
    second = client.get("/portal/me", headers=gpc)
    assert 'data-gpc="recorded"' not in second.text
    receipts = rows(runtime, "SELECT status, method, place FROM consent_receipts WHERE purpose = 'marketing'")
    assert receipts == [{"status": "withdrawn", "method": "gpc", "place": "portal"}]
    # The customer may still say yes themselves; their own choice stands for the session.
    client.post("/portal/consent", data={"csrf": csrf_of(second.text), "purpose": "marketing", "choice": "grant"})
    third = client.get("/portal/me", headers=gpc)
    assert 'id="purpose-marketing" data-purpose="marketing" data-on="yes"' in third.text
    assert len(rows(runtime, "SELECT at FROM consent_receipts WHERE purpose = 'marketing'")) == 2
    # Without the header nothing is recorded for another customer.
    feed(runtime, {"type": "identify", "userId": "u-ben", "traits": {"name": "Ben"}})
    ben = runtime.privacy.find("shop", Identity("user_id", "u-ben"))
    portal_client(server, link_path(runtime, ben)).get("/portal/me")
    assert len(rows(runtime, "SELECT at FROM consent_receipts WHERE purpose = 'marketing'")) == 2


def test_a_correction_keeps_the_earlier_value_in_its_history(runtime: Runtime, server: str) -> None:
    cid = aiko(runtime)
    client = portal_client(server, link_path(runtime, cid))
    csrf = csrf_of(client.get("/portal/me").text)
    r = client.post("/portal/traits", data={"csrf": csrf, "name": "name", "value": "Aiko Sato"})
    assert r.status_code == 303
    page = client.get(r.headers["location"]).text
    assert "“name” is corrected" in page and "Hello, Aiko Sato." in page
    name = re.search(r'<li class="held" data-trait="name">(.*?)</li>', page, re.S)
    assert name and "You told us" in name.group(1)
    with runtime.engines.read.connect() as conn:
        history = load_profile(conn, "shop", cid).traits["name"].history
    assert [(v.value, v.origin) for v in history] == [("Aiko Tanaka", "event"), ("Aiko Sato", "customer")]

    empty = client.post("/portal/traits", data={"csrf": csrf, "name": "name", "value": "  "})
    assert empty.status_code == 400 and "Please write the corrected value." in empty.text
    unknown = client.post("/portal/traits", data={"csrf": csrf, "name": "shoe_size", "value": "42"})
    assert unknown.status_code == 400 and "We hold no such detail about you." in unknown.text


def test_the_download_holds_everything_as_json_and_csv(runtime: Runtime, server: str) -> None:
    cid = aiko(runtime)
    r = portal_client(server, link_path(runtime, cid)).get("/portal/export.zip")
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    assert r.headers["content-disposition"].startswith('attachment; filename="my-data-shop-')
    zf = zipfile.ZipFile(io.BytesIO(r.content))
    assert {"everything.json", "events.jsonl", "events.csv", "traits.csv", "consent.csv", "access_log.csv"} <= set(
        zf.namelist()
    )
    everything = json.loads(zf.read("everything.json"))
    assert {t["name"]: t["value"] for t in everything["traits"]}["name"] == "Aiko Tanaka"
    assert len(zf.read("events.jsonl").splitlines()) == 5
    assert "Aiko Tanaka" in zf.read("traits.csv").decode()
    assert httpx.get(f"{server}/portal/export.zip").status_code == 303  # not without a session


def test_erasing_in_the_portal_leaves_nothing_and_gives_a_receipt(runtime: Runtime, server: str) -> None:
    cid = aiko(runtime)
    client = portal_client(server, link_path(runtime, cid))
    confirm = client.get("/portal/erase")
    assert confirm.status_code == 200
    keep = re.search(r'<ul class="kept-list" id="to-keep">(.*?)</ul>', confirm.text, re.S)
    assert keep and "Order Completed" in keep.group(1) and "Tax law: ten years." in keep.group(1)
    assert "Events: 5" in confirm.text

    erased = client.post("/portal/erase", data={"csrf": csrf_of(confirm.text)})
    assert erased.status_code == 200 and "Your data is erased" in erased.text
    kept = re.search(r'<ul class="kept-list" id="kept">(.*?)</ul>', erased.text, re.S)
    assert kept and "Order Completed" in kept.group(1) and "Tax law: ten years." in kept.group(1)
    assert "2 records" in kept.group(1)
    reference = re.search(r'id="reference">(r_[0-9a-f]+)<', erased.text)
    assert reference
    assert 'id="sign-out"' not in erased.text
    assert client.get("/portal/me").status_code == 303  # the session ended with the erasure

    needles = ["u-aiko", "a-aiko", "aiko@example.com", "Aiko Tanaka", "refunded the delayed parcel", cid]
    assert everything_mentioning(runtime, needles) == []
    [request] = rows(runtime, "SELECT via, status, receipt FROM rights_requests")
    assert request["via"] == "portal" and request["status"] == "completed"
    assert json.loads(request["receipt"])["request"] == reference.group(1)


# --- the staff side of rights requests -------------------------------------------------------------------------------


def test_rights_requests_are_for_privacy_officers(runtime: Runtime, server: str) -> None:
    add_staff(runtime, "fran@example.com", "frontline", name="Fran")
    client, csrf = signed_in(server, "fran@example.com")
    page = client.get("/staff/rights")
    assert page.status_code == 403 and "Your role does not allow this" in page.text
    posted = client.post("/staff/rights", data={"csrf": csrf, "kind": "erase", "identity": "user_id:x", "via": "phone"})
    assert posted.status_code == 403
    assert 'href="/staff/rights"' not in client.get("/staff/").text


def test_a_privacy_officer_enters_a_phone_request_verifies_it_and_erases(runtime: Runtime, server: str) -> None:
    cid = aiko(runtime)
    add_staff(runtime, "pia@example.com", "privacy_officer", name="Pia")
    client, csrf = signed_in(server, "pia@example.com")
    assert 'href="/staff/rights"' in client.get("/staff/").text

    unknown = client.post(
        "/staff/rights", data={"csrf": csrf, "kind": "erase", "identity": "email:ghost@example.com", "via": "phone"}
    )
    assert unknown.status_code == 404 and "Nobody is known by email:ghost@example.com" in unknown.text
    garbled = client.post("/staff/rights", data={"csrf": csrf, "kind": "erase", "identity": "aiko", "via": "phone"})
    assert garbled.status_code == 400 and "KIND:VALUE" in garbled.text

    opened = client.post(
        "/staff/rights", data={"csrf": csrf, "kind": "erase", "identity": "email:aiko@example.com", "via": "phone"}
    )
    assert opened.status_code == 303
    detail_path = opened.headers["location"].split("?")[0]
    rid = detail_path.rsplit("/", 1)[1]
    [stored] = rows(runtime, "SELECT received_at, due_at, verification, status, via FROM rights_requests")
    assert stored["due_at"] == one_month_after(stored["received_at"])
    received, due = from_epoch_ms(stored["received_at"]), from_epoch_ms(stored["due_at"])
    assert (due.year * 12 + due.month) - (received.year * 12 + received.month) == 1
    assert stored["verification"] == "unverified" and stored["via"] == "phone"
    listing = client.get("/staff/rights").text
    assert f'data-request="{rid}"' in listing and "days left" in listing

    too_soon = client.post(f"/staff/rights/{rid}/complete", data={"csrf": csrf})
    assert too_soon.status_code == 400 and "Verify the requester&#39;s identity first." in too_soon.text
    verified = client.post(f"/staff/rights/{rid}/verification", data={"csrf": csrf, "state": "verified"})
    assert verified.status_code == 303
    done = client.post(f"/staff/rights/{rid}/complete", data={"csrf": csrf})
    assert done.status_code == 303
    page = client.get(done.headers["location"]).text
    assert 'data-status="completed"' in page and "Tax law: ten years." in page
    assert everything_mentioning(runtime, ["u-aiko", "aiko@example.com", "Aiko Tanaka", cid]) == []


def test_an_export_request_is_downloaded_once_completed_and_overdue_ones_stand_out(
    runtime: Runtime, server: str
) -> None:
    aiko(runtime)
    admin = add_staff(runtime, "ada@example.com", "admin", name="Ada")
    client, csrf = signed_in(server, "ada@example.com")
    req = runtime.privacy.open_request("shop", "export", None, "letter", admin.id)
    runtime.writer.call(
        lambda conn: conn.exec_driver_sql(
            "UPDATE rights_requests SET due_at = 1 WHERE id = '%s'" % req.id  # noqa: UP031 - a test's own id
        )
    )
    listing = client.get("/staff/rights").text
    row = re.search(rf'<tr class="overdue" data-request="{req.id}">(.*?)</tr>', listing, re.S)
    assert row and "Overdue" in row.group(1)

    opened = client.post(
        "/staff/rights", data={"csrf": csrf, "kind": "export", "identity": "user_id:u-aiko", "via": "email"}
    )
    rid = opened.headers["location"].split("?")[0].rsplit("/", 1)[1]
    assert client.get(f"/staff/rights/{rid}/export.zip").status_code == 400
    client.post(f"/staff/rights/{rid}/verification", data={"csrf": csrf, "state": "verified"})
    client.post(f"/staff/rights/{rid}/complete", data={"csrf": csrf})
    zipped = client.get(f"/staff/rights/{rid}/export.zip")
    assert zipped.status_code == 200 and zipped.headers["content-type"] == "application/zip"
    assert "Aiko Tanaka" in zipfile.ZipFile(io.BytesIO(zipped.content)).read("traits.csv").decode()


def test_sign_in_form_of_the_staff_is_untouched_by_the_portal_cookie(runtime: Runtime, server: str) -> None:
    """The portal's cookies live under /portal only: a staff sign-in next to a portal session works as before."""
    cid = aiko(runtime)
    add_staff(runtime, "pia@example.com", "privacy_officer", name="Pia")
    client = portal_client(server, link_path(runtime, cid))
    form = client.get("/staff/sign-in")
    r = client.post(
        "/staff/sign-in", data={"csrf": form_csrf(form.text), "email": "pia@example.com", "password": PASSWORD}
    )
    assert r.status_code == 303
    assert client.get("/portal/me").status_code == 200


def test_signed_links_never_last_longer_than_ten_minutes() -> None:
    key = b"k" * 32
    url = links.signed_link("https://shop.example", key, "shop", "42", now_s=1_000, valid_for=timedelta(hours=2))
    assert dict(parse_qsl(urlsplit(url).query))["exp"] == str(1_000 + 600)
    assert links.check_signed(key, "shop", "42", "1600", links.signature(key, "shop", "42", 1600), now_s=1_000) == 1600

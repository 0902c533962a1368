"""The staff customer pages and the briefing API, over real HTTP, on real SQLite and PostgreSQL."""

from __future__ import annotations

import html
import re
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from omotenashi.bootstrap import Runtime
from omotenashi.core.clock import iso
from tests.staff_support import T0, add_staff, base_of, customer_of, feed, rows, signed_in

CONSENTED = {"consent": {"categoryPreferences": {"marketing": True, "analytics": True}}}


def aiko(runtime: Runtime) -> str:
    """A customer who browsed anonymously, signed in as u1, ordered, and was also seen at a kiosk with her email."""
    feed(
        runtime,
        {"type": "page", "anonymousId": "a-browser", "name": "Pricing"},
        {
            "type": "identify",
            "anonymousId": "a-browser",
            "userId": "u1",
            "traits": {
                "name": "Aiko Tanaka",
                "email": "Aiko@Example.com",
                "language": "ja",
                "preferred_channel": "email",
                "quiet_hours": "22:00-08:00",
            },
        },
        {"type": "track", "userId": "u1", "event": "Order Completed", "properties": {"revenue": 30}},
        {"type": "identify", "anonymousId": "kiosk-7", "traits": {"email": "aiko@example.com", "plan": "gold"}},
    )
    return customer_of(runtime, "user_id", "u1")


def live_merge(runtime: Runtime, cid: str) -> dict[str, Any]:
    [merge] = rows(runtime, "SELECT * FROM merges WHERE survivor_id = :c AND undone_at IS NULL", c=cid)
    return merge


def access_rows(runtime: Runtime) -> list[dict[str, Any]]:
    return rows(runtime, "SELECT customer_id, staff_id, what, purpose FROM access_log ORDER BY id")


def text_of(page: str) -> str:
    """The page's text as a reader sees it (tags dropped, entities decoded)."""
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


# --- search -----------------------------------------------------------------------------------------------------


def test_search_finds_a_customer_by_user_id_email_name_word_and_anonymous_id(runtime, server):
    add_staff(runtime)
    cid = aiko(runtime)
    feed(runtime, {"type": "identify", "userId": "u2", "traits": {"name": "Kenji Sato"}})
    c, _ = signed_in(server)
    for q in ["u1", "AIKO@example.com", "tanaka", "Aiko", "a-browser", "kiosk-7", cid]:
        r = c.get("/staff/customers", params={"q": q})
        assert r.status_code == 200, r.text
        found = re.findall(r'data-customer="([^"]+)"', r.text)
        assert found == [cid], (q, found)
        assert "Aiko Tanaka" in r.text and "<code>u1</code>" in r.text and f'href="/staff/customers/{cid}"' in r.text
    r = c.get("/staff/customers", params={"q": "nobody-like-this"})
    assert r.status_code == 200 and "No customer matches “nobody-like-this”" in html.unescape(r.text)
    recent = c.get("/staff/customers")
    assert recent.status_code == 200 and "Recently active customers" in recent.text
    assert re.findall(r'data-customer="([^"]+)"', recent.text) == [customer_of(runtime, "user_id", "u2"), cid]
    assert access_rows(runtime) == []  # a list of names is not a view of anyone's record


def test_the_recent_customers_page_by_page_reaches_everyone_once(runtime, server):
    add_staff(runtime)
    # 65 customers, one a minute; two more share the last minute's time, so the cursor must tell them apart too.
    feed(runtime, *({"type": "track", "userId": f"p{n:02d}", "event": "Signed In"} for n in range(63)))
    last = iso(T0 + 62 * 60_000)
    feed(runtime, *({"type": "track", "userId": u, "event": "Signed In", "timestamp": last} for u in ("q1", "q2")))
    newest_first = [customer_of(runtime, "user_id", u) for u in ("q2", "q1", "p62")]
    c, _ = signed_in(server)
    seen: list[str] = []
    page = c.get("/staff/customers")
    pages = 0
    while True:
        pages += 1
        assert page.status_code == 200
        seen += re.findall(r'data-customer="([^"]+)"', page.text)
        more = re.search(r'<a id="more-customers" href="([^"]+)">Less recently active</a>', page.text)
        if more is None:
            break
        page = c.get(html.unescape(more.group(1)))
        assert "Back to the most recent" in page.text
    assert pages == 3 and len(seen) == 65 and len(set(seen)) == 65
    # Newest first (ties in time by id, the same on every page); q1 and q2 came in the same minute as p62.
    assert set(seen[:3]) == set(newest_first) and seen[-1] == customer_of(runtime, "user_id", "p00")
    # A cursor that is not one the page wrote starts from the beginning rather than failing.
    again = c.get("/staff/customers", params={"after": "yesterday"})
    assert again.status_code == 200 and re.findall(r'data-customer="([^"]+)"', again.text) == seen[:30]


# --- the customer page ------------------------------------------------------------------------------------------


def test_the_customer_page_shows_the_briefing_with_purposes_and_each_view_is_logged(runtime, server):
    ann = add_staff(runtime)
    cid = aiko(runtime)
    c, _ = signed_in(server)
    r = c.get(f"/staff/customers/{cid}")
    assert r.status_code == 200, r.text
    assert "default-src 'self'" in r.headers["content-security-policy"] and r.headers["cache-control"] == "no-store"
    page = r.text
    briefing = page[page.index('id="briefing"') : page.index('id="timeline"')]
    for fact in ["name", "language", "channel", "quiet_hours"]:
        assert f'data-fact="{fact}"' in briefing
    assert "Aiko Tanaka" in briefing and "Japanese (ja)" in briefing and "22:00–08:00" in briefing
    assert "Completed an order of $30.00" in briefing and "Viewed the page “Pricing”" in html.unescape(briefing)
    tags = re.findall(r'<span class="tag purpose purpose-(\w+)" title="([^"]+)"', briefing)
    assert {p for p, _ in tags} == {"service", "care"}
    assert ("service", "To deliver what you asked for, such as your orders and your account.") in tags
    assert ("care", "To notice when something is not working for you and help before you have to ask.") in tags
    assert "Why you may see this" in briefing
    assert "<script" not in page.split("</nav>")[1].replace('<script src="/static/', "")  # only our own files
    assert "aiko@example.com" in page and "kiosk-7" in page  # identifiers, in the profile
    assert 'hx-get="' not in page or "/static/vendor/htmx.min.js" in page

    c.get(f"/staff/customers/{cid}")
    c.get(f"/api/customers/{cid}/briefing")
    assert access_rows(runtime) == [
        {"customer_id": cid, "staff_id": ann.id, "what": "customer page", "purpose": "service"},
        {"customer_id": cid, "staff_id": ann.id, "what": "customer page", "purpose": "service"},
        {"customer_id": cid, "staff_id": ann.id, "what": "briefing", "purpose": "service"},
    ]


def test_an_unknown_customer_is_a_404_page_with_a_way_back(runtime, server):
    add_staff(runtime, language="ja")
    c, _ = signed_in(server)
    r = c.get("/staff/customers/c_nobody")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "お客様が見つかりません" in r.text and 'href="/staff/customers"' in r.text
    assert "「c_nobody」というお客様はいません。" in r.text
    assert access_rows(runtime) == []
    stranger = httpx.Client(base_url=server, follow_redirects=False)
    r = stranger.get("/staff/customers/c_nobody")
    assert r.status_code == 303 and r.headers["location"] == "/staff/sign-in?next=/staff/customers/c_nobody"


def test_a_merged_customer_id_redirects_to_the_surviving_customer(runtime, server):
    add_staff(runtime)
    cid = aiko(runtime)
    absorbed = base_of(runtime, "anonymous_id", "kiosk-7")
    assert absorbed != cid
    c, _ = signed_in(server)
    r = c.get(f"/staff/customers/{absorbed}", params={"kind": "note"})
    assert r.status_code == 303 and r.headers["location"] == f"/staff/customers/{cid}?kind=note"
    assert access_rows(runtime) == []  # the redirect itself opened nothing


def test_the_timeline_pages_back_and_filters_by_kind_and_event_name(runtime, server):
    add_staff(runtime)
    feed(
        runtime,
        *[{"type": "track", "userId": "u9", "event": "Song Played" if i % 3 else "Order Completed"} for i in range(45)],
    )
    cid = customer_of(runtime, "user_id", "u9")
    c, csrf = signed_in(server)
    note = {"csrf": csrf, "body": "asked about a refund"}
    assert c.post(f"/staff/customers/{cid}/notes", data=note).status_code == 303
    first = c.get(f"/staff/customers/{cid}").text
    timeline = first[first.index('id="timeline-items"') :]
    assert timeline.count('class="item kind-') == 30
    older = html.unescape(re.search(r'<li id="timeline-more" class="more">\s*<a href="([^"#]+)', timeline).group(1))
    second = c.get(older).text
    later = second[second.index('id="timeline-items"') :]
    assert later.count('class="item kind-') == 16 and 'id="timeline-more"' not in later
    partial = c.get(older, headers={"HX-Request": "true", "HX-Target": "timeline-more"})
    assert partial.status_code == 200 and "<html" not in partial.text and partial.text.count('class="item kind-') == 16

    notes_only = c.get(f"/staff/customers/{cid}", params={"kind": "note"}).text
    items = notes_only[notes_only.index('id="timeline-items"') :]
    assert re.findall(r'data-kind="(\w+)"', items) == ["note"] and "asked about a refund" in items
    orders = c.get(f"/staff/customers/{cid}", params={"kind": "event", "event": "Order Completed"}).text
    items = orders[orders.index('id="timeline-items"') :]
    assert items.count('data-kind="event"') == 15 and "Song" not in items


# --- notes ------------------------------------------------------------------------------------------------------


def test_notes_are_added_and_edited_with_their_history_kept(runtime, server):
    ann = add_staff(runtime)
    cid = aiko(runtime)
    c, csrf = signed_in(server)
    r = c.post(f"/staff/customers/{cid}/notes", data={"csrf": csrf, "body": "Prefers a call after 6pm"})
    assert r.status_code == 303 and r.headers["location"] == f"/staff/customers/{cid}?done=note_added#notes"
    page = c.get(r.headers["location"]).text
    assert "The note was added." in page and "Prefers a call after 6pm" in page
    [note] = rows(runtime, "SELECT id, author_id, body, version FROM notes")
    assert note["author_id"] == ann.id and note["version"] == 1
    r = c.post(f"/staff/notes/{note['id']}", data={"csrf": csrf, "customer": cid, "body": "Prefers a call after 7pm"})
    assert r.status_code == 303 and "done=note_edited" in r.headers["location"]
    page = c.get(f"/staff/customers/{cid}").text
    assert "History (2 versions)" in page and "Prefers a call after 6pm" in page and "Prefers a call after 7pm" in page
    versions = rows(runtime, "SELECT body FROM note_versions ORDER BY version")
    assert [v["body"] for v in versions] == ["Prefers a call after 6pm", "Prefers a call after 7pm"]
    r = c.post(f"/staff/notes/{note['id']}", data={"csrf": csrf, "customer": cid, "body": " "})
    assert r.status_code == 400 and "The note is empty" in r.text
    assert re.search(rf'<li class="note" id="note-{note["id"]}".*?<details class="edit" open>', r.text, re.S)
    assert len(rows(runtime, "SELECT body FROM note_versions")) == 2


def test_a_note_over_the_limit_is_refused_clearly_nothing_is_saved_and_the_text_stays_in_the_form(runtime, server):
    add_staff(runtime)
    cid = aiko(runtime)
    c, csrf = signed_in(server)
    body = "Called & <promised> a refund. " * 200  # 6000 characters
    r = c.post(f"/staff/customers/{cid}/notes", data={"csrf": csrf, "body": body})
    assert r.status_code == 400 and r.headers["content-type"].startswith("text/html")
    assert "The note is 5999 characters; the limit is 5000." in r.text  # the body is kept without its last space
    textarea = re.search(r'<textarea id="note-body" name="body"[^>]*>(.*?)</textarea>', r.text, re.S)
    assert textarea is not None and html.unescape(textarea.group(1)) == body
    assert "Aiko Tanaka" in r.text  # the customer page again, not an error page
    assert rows(runtime, "SELECT * FROM notes") == []
    r = c.post(f"/staff/customers/{cid}/notes", data={"csrf": csrf, "body": "   "})
    assert r.status_code == 400 and "The note is empty" in r.text
    assert rows(runtime, "SELECT * FROM notes") == []


def test_a_form_without_the_sessions_csrf_token_changes_nothing(runtime, server):
    add_staff(runtime, role="lead")
    cid = aiko(runtime)
    merge = live_merge(runtime, cid)
    c, _ = signed_in(server)
    for path, data in [
        (f"/staff/customers/{cid}/notes", {"body": "forged"}),
        (f"/staff/merges/{merge['id']}/undo", {"reason": "forged", "customer": cid}),
        (f"/staff/customers/{cid}/preferences", {"name": "tone", "value": "casual", "reason": "forged"}),
        (f"/staff/customers/{cid}/notes", {"body": "forged", "csrf": "not-the-token"}),
    ]:
        r = c.post(path, data=data)
        assert r.status_code == 403, (path, r.text)
        assert 'data-code="csrf_failed"' in r.text and "nothing was changed" in r.text
    assert rows(runtime, "SELECT * FROM notes") == []
    assert live_merge(runtime, cid)["undone_at"] is None
    assert rows(runtime, "SELECT * FROM preferences WHERE origin = 'staff'") == []


def test_an_address_the_staff_pages_cannot_read_is_an_html_400(runtime, server):
    add_staff(runtime, role="lead")
    cid = aiko(runtime)
    c, csrf = signed_in(server)
    r = c.post("/staff/merges/not-a-number/undo", data={"csrf": csrf, "customer": cid, "reason": "x"})
    assert r.status_code == 400 and r.headers["content-type"].startswith("text/html")
    assert "This address or form is not one the staff pages know." in r.text
    assert f'href="/staff/customers/{cid}"' in r.text  # back to the customer the form was on


# --- merges -----------------------------------------------------------------------------------------------------


def test_a_lead_undoes_a_merge_with_a_reason_and_the_customers_are_two_again(runtime, server):
    lee = add_staff(runtime, "lee@example.com", "lead", name="Lee Lead")
    cid = aiko(runtime)
    kiosk = base_of(runtime, "anonymous_id", "kiosk-7")
    merge = live_merge(runtime, cid)
    c, csrf = signed_in(server, "lee@example.com")
    page = c.get(f"/staff/customers/{cid}").text
    assert f'action="/staff/merges/{merge["id"]}/undo"' in page
    r = c.post(f"/staff/merges/{merge['id']}/undo", data={"csrf": csrf, "customer": cid, "reason": ""})
    assert r.status_code == 409 and "Say why the merge is wrong" in r.text
    assert live_merge(runtime, cid)["undone_at"] is None
    r = c.post(f"/staff/merges/{merge['id']}/undo", data={"csrf": csrf, "customer": cid, "reason": "shared kiosk"})
    assert r.status_code == 303 and r.headers["location"] == f"/staff/customers/{cid}?done=merge_undone#merges"
    [undone] = rows(runtime, "SELECT undone_by, undo_reason FROM merges WHERE id = :i", i=merge["id"])
    assert undone == {"undone_by": lee.id, "undo_reason": "shared kiosk"}
    assert customer_of(runtime, "anonymous_id", "kiosk-7") == kiosk != cid
    assert c.get(f"/staff/customers/{kiosk}").status_code == 200  # no longer redirected
    page = c.get(f"/staff/customers/{cid}?done=merge_undone").text
    assert "The merge was undone" in page and "Undone" in page and "shared kiosk" in page


def test_frontline_staff_get_403_on_merging_and_undoing_and_never_the_data(runtime, server):
    add_staff(runtime)
    cid = aiko(runtime)
    feed(runtime, {"type": "identify", "userId": "u2", "traits": {"name": "Kenji Sato"}})
    other = customer_of(runtime, "user_id", "u2")
    merge = live_merge(runtime, cid)
    c, csrf = signed_in(server)
    page = c.get(f"/staff/customers/{cid}").text
    assert "/undo" not in page and f"/staff/customers/{cid}/merge" not in page  # no forms the role cannot use
    for path, data in [
        (f"/staff/merges/{merge['id']}/undo", {"csrf": csrf, "customer": cid, "reason": "mine"}),
        (f"/staff/customers/{cid}/merge", {"csrf": csrf, "other": other, "reason": "same"}),
        ("/staff/conflicts/1/resolve", {"csrf": csrf, "customer": cid}),
    ]:
        r = c.post(path, data=data)
        assert r.status_code == 403 and r.headers["content-type"].startswith("text/html"), r.text
        assert "Your role does not allow this" in r.text and "Frontline" in r.text
        shown = re.sub(r'name="csrf" value="[^"]*"', "", r.text)  # a random token may contain anything
        for secret in [cid, other, "Aiko", "Tanaka", "Kenji", "u1", "aiko@example.com", "kiosk-7", "Order"]:
            assert secret not in shown, (path, secret)
    assert live_merge(runtime, cid)["undone_at"] is None
    assert customer_of(runtime, "user_id", "u2") == other


def test_a_role_without_access_gets_403_and_never_the_data(runtime, server):
    member = add_staff(runtime, "temp@example.com", "frontline")
    cid = aiko(runtime)
    c, _ = signed_in(server, "temp@example.com")
    runtime.writer.call(
        lambda conn: conn.execute(sa.text("UPDATE staff SET role = 'contractor' WHERE id = :i"), {"i": member.id})
    )
    for path in [f"/staff/customers/{cid}", "/staff/customers?q=u1", "/staff/customers"]:
        r = c.get(path)
        assert r.status_code == 403 and "Your role does not allow this" in r.text, path
        assert "Aiko" not in r.text and "u1</code>" not in r.text
    api = c.get(f"/api/customers/{cid}/briefing")
    assert api.status_code == 403 and api.json()["code"] == "forbidden" and "Aiko" not in api.text
    assert access_rows(runtime) == []


def test_merging_two_customers_with_different_user_ids_is_refused_showing_both(runtime, server):
    add_staff(runtime, "lee@example.com", "lead")
    cid = aiko(runtime)
    feed(runtime, {"type": "identify", "userId": "u2", "traits": {"name": "Kenji Sato"}})
    feed(runtime, {"type": "identify", "anonymousId": "walk-in", "traits": {"name": "Aiko at the counter"}})
    other, walk_in = customer_of(runtime, "user_id", "u2"), customer_of(runtime, "anonymous_id", "walk-in")
    c, csrf = signed_in(server, "lee@example.com")
    r = c.post(f"/staff/customers/{cid}/merge", data={"csrf": csrf, "other": other, "reason": "looks alike"})
    assert r.status_code == 409, r.text
    assert "Not merged: these customers have different userIds" in r.text
    assert re.search(r"Their userIds:\s*<code>u1</code>, <code>u2</code>", r.text)
    assert f'name="other" required value="{other}"' in r.text  # the form as it was sent
    assert customer_of(runtime, "user_id", "u2") == other
    assert len(rows(runtime, "SELECT * FROM merges WHERE rule = 'staff'")) == 0

    r = c.post(f"/staff/customers/{cid}/merge", data={"csrf": csrf, "other": "c_nobody", "reason": "same"})
    assert r.status_code == 404 and "There is no customer “c_nobody” here." in html.unescape(r.text)
    r = c.post(f"/staff/customers/{cid}/merge", data={"csrf": csrf, "other": walk_in, "reason": "same person"})
    assert r.status_code == 303 and "done=merged" in r.headers["location"]
    assert customer_of(runtime, "anonymous_id", "walk-in") == cid


def test_a_conflict_is_marked_as_looked_at(runtime, server):
    add_staff(runtime, "lee@example.com", "lead")
    feed(
        runtime,
        {"type": "track", "anonymousId": "family-laptop", "userId": "mum", "event": "Signed In"},
        {"type": "track", "anonymousId": "family-laptop", "userId": "son", "event": "Signed In"},
    )
    mum = customer_of(runtime, "user_id", "mum")
    [conflict] = rows(runtime, "SELECT id FROM identity_conflicts")
    c, csrf = signed_in(server, "lee@example.com")
    page = c.get(f"/staff/customers/{mum}").text
    assert "Identity conflict" in page and "family-laptop" in page and "<code>son</code>" in page
    r = c.post(f"/staff/conflicts/{conflict['id']}/resolve", data={"csrf": csrf, "customer": mum})
    assert r.status_code == 303 and "done=conflict_resolved" in r.headers["location"]
    assert rows(runtime, "SELECT resolved_at FROM identity_conflicts")[0]["resolved_at"] is not None
    page = c.get(r.headers["location"]).text
    assert "The conflict was marked as looked at." in page and "Nothing open." in page


# --- preferences and the access log -----------------------------------------------------------------------------


def test_staff_record_a_preference_the_customer_told_them(runtime, server):
    add_staff(runtime)
    cid = aiko(runtime)
    c, csrf = signed_in(server)
    data = {"csrf": csrf, "name": "tone", "value": "shouty", "reason": "asked on the phone"}
    r = c.post(f"/staff/customers/{cid}/preferences", data=data)
    assert r.status_code == 400 and "“shouty” is not a valid value for tone." in html.unescape(r.text)
    assert 'value="asked on the phone"' in r.text
    r = c.post(f"/staff/customers/{cid}/preferences", data={**data, "value": "formal"})
    assert r.status_code == 303 and "done=preference_saved" in r.headers["location"]
    page = c.get(f"/staff/customers/{cid}").text
    tone = page[page.index('data-fact="tone"') :][:600]
    assert "formal" in tone and "recorded by staff" in tone


@pytest.mark.parametrize(("role", "sees"), [("frontline", False), ("lead", False), ("privacy_officer", True)])
def test_only_roles_allowed_read_the_access_log_on_the_page(runtime, server, role, sees):
    add_staff(runtime, "someone@example.com", role, name="Some One")
    cid = aiko(runtime)
    c, _ = signed_in(server, "someone@example.com")
    c.get(f"/staff/customers/{cid}")
    page = c.get(f"/staff/customers/{cid}").text
    assert ('id="access"' in page) is sees
    if sees:
        log = page[page.index('id="access"') :]
        assert "Some One" in log and "customer page" in log


# --- the briefing API -------------------------------------------------------------------------------------------


def whys(value: Any) -> list[dict[str, Any]]:
    """Every `why` in a JSON document, and fail on an item that should have one and has none."""
    found = []
    if isinstance(value, dict):
        if "why" in value:
            found.append(value["why"])
        for k, v in value.items():
            if k != "why":
                found.extend(whys(v))
    elif isinstance(value, list):
        for v in value:
            found.extend(whys(v))
    return found


def test_the_briefing_api_gives_each_item_with_why_it_may_be_seen(runtime, server):
    add_staff(runtime, language="ja")
    cid = aiko(runtime)
    feed(
        runtime,
        {"type": "track", "anonymousId": "kiosk-7", "userId": "u1", "event": "Signed In"},
        {"type": "track", "anonymousId": "kiosk-7", "userId": "u3", "event": "Signed In"},
    )
    c, csrf = signed_in(server)
    c.post(f"/staff/customers/{cid}/notes", data={"csrf": csrf, "body": "Prefers email"})
    assert httpx.get(f"{server}/api/customers/{cid}/briefing").status_code == 401
    r = c.get(f"/api/customers/{cid}/briefing")
    assert r.status_code == 200, r.text
    b = r.json()
    assert set(b) == {
        "customer_id", "asked_for", "lang", "name", "language", "tone", "channel", "channels", "quiet_hours",
        "no_first_contact", "timezone", "journey", "recent", "open_matters", "notes", "counts", "first_seen",
        "last_seen", "anticipations",
    }  # fmt: skip
    assert b["anticipations"] == []  # this house file has no anticipation section, so nothing is scored
    assert b["customer_id"] == cid and b["lang"] == "ja"
    assert b["journey"]["value"].startswith("現在の段階：利用") and b["journey"]["why"]["purpose"] == "service"
    assert b["name"]["value"] == "Aiko Tanaka" and b["name"]["why"]["purpose"] == "service"
    assert b["language"]["value"] == "ja" and b["language"]["origin"] == "customer"
    assert b["channel"]["value"] == "email" and b["channel"]["why"]["purpose"] == "care"
    assert b["quiet_hours"]["value"]["start"] == "22:00"
    assert b["recent"][0]["text"] == "ログイン" and b["recent"][0]["event"] == "Signed In"
    [matter] = b["open_matters"]
    assert matter["kind"] == "identity_conflict" and matter["user_ids"] == ["u1", "u3"]
    assert [n["text"] for n in b["notes"]] == ["Prefers email"]
    assert b["counts"] == {"events": 5, "merged_records": 1, "open_matters": 1, "notes": 1}
    items = [b["name"], b["language"], b["channel"], b["quiet_hours"], b["journey"], *b["recent"], matter, *b["notes"]]
    assert len(whys(b)) == len(items)
    for why in whys(b):
        assert why["purpose"] in {"service", "care"} and re.search(r"[\u3040-\u30ff]", why["text"])
    english = c.get(f"/api/customers/{cid}/briefing", params={"lang": "en"}).json()
    assert english["recent"][0]["text"] == "Signed in" and english["name"]["why"]["text"].startswith("To deliver")
    merged = c.get(f"/api/customers/{base_of(runtime, 'anonymous_id', 'kiosk-7')}/briefing").json()
    assert merged["customer_id"] == cid and merged["asked_for"] != cid
    missing = c.get("/api/customers/c_nobody/briefing")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    assert c.get(f"/api/customers/{cid}/briefing", params={"lang": "fr"}).status_code == 400


# --- purposes ---------------------------------------------------------------------------------------------------


def test_what_only_a_marketing_pixel_sent_never_appears_in_pages_or_the_api(runtime, server):
    add_staff(runtime, role="admin")
    cid = aiko(runtime)
    feed(
        runtime,
        {
            "type": "identify",
            "userId": "u1",
            "traits": {"name": "Pixelated Persona", "segment": "big spender"},
            "context": CONSENTED,
        },
        {"type": "track", "userId": "u1", "event": "Ad Clicked", "context": CONSENTED},
        {"type": "page", "userId": "u1", "name": "Retargeting Landing", "context": CONSENTED},
        {"type": "identify", "anonymousId": "pixel-only", "traits": {"name": "Zed Pixel"}, "context": CONSENTED},
        source="pixel",
    )
    assert rows(runtime, "SELECT count(*) AS n FROM events WHERE source_id = 'pixel'")[0]["n"] == 4
    c, _ = signed_in(server)
    pages = [
        c.get(f"/staff/customers/{cid}"),
        c.get(f"/staff/customers/{cid}", params={"kind": "event"}),
        c.get("/staff/customers", params={"q": "u1"}),
        c.get("/staff/customers", params={"q": "pixelated"}),
        c.get("/staff/customers"),
        c.get("/staff/customers/" + customer_of(runtime, "anonymous_id", "pixel-only")),
        c.get(f"/api/customers/{cid}/briefing"),
    ]
    for r in pages:
        assert r.status_code == 200, r.text
        for secret in ["Pixelated", "Persona", "big spender", "segment", "Ad Clicked", "Retargeting", "Zed"]:
            assert secret not in text_of(r.text), (str(r.url), secret)
    assert "Aiko Tanaka" in pages[0].text and "Aiko Tanaka" in pages[2].text


def test_a_preference_only_a_marketing_pixel_sent_stays_out_of_the_briefing(runtime, server):
    add_staff(runtime)
    cid = aiko(runtime)
    tone = {"type": "identify", "userId": "u1", "traits": {"tone": "casual"}, "context": CONSENTED}
    feed(runtime, tone, source="pixel")
    c, _ = signed_in(server)
    assert c.get(f"/api/customers/{cid}/briefing").json()["tone"] is None

"""The consent gate and the consent ledger, over real HTTP on both stores."""

from __future__ import annotations

from typing import Any

import httpx

from omotenashi.store import consent
from tests.integration.test_tracking_api import stored
from tests.support import create_key, track


def send(server: str, key: str, *messages: dict[str, Any], headers: dict[str, str] | None = None) -> dict[str, Any]:
    r = httpx.post(f"{server}/v1/batch", json={"batch": list(messages)}, auth=(key, ""), headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def prefs(**choices: bool) -> dict[str, Any]:
    return {"consent": {"categoryPreferences": choices}}


def receipts(runtime, subject: str) -> list[consent.Receipt]:
    with runtime.engines.read.connect() as conn:
        return consent.receipts_of(conn, "shop", subject)


def test_opt_in_purposes_need_a_grant_and_refusals_are_counted(runtime, server):
    pixel = create_key(runtime, "pixel")  # serves analytics and marketing, both opt-in
    body = send(server, pixel, track("u1"))
    assert body["accepted"] == 0 and body["refused"] == {"consent_missing": 1}
    body = send(server, pixel, track("u1", context=prefs(analytics=True)))
    assert body["accepted"] == 1 and body["consent_changes"] == 1
    (row,) = stored(runtime)
    assert row["purposes"] == "analytics"
    (receipt,) = receipts(runtime, "u1")
    assert (receipt.purpose, receipt.status, receipt.method, receipt.place) == (
        "analytics",
        "granted",
        "tracker",
        "pixel",
    )
    assert receipt.notice_version == "1"
    # Trackers repeat the same preferences on every event: no new receipt unless something changed.
    send(server, pixel, track("u1", context=prefs(analytics=True)), track("u1", context=prefs(analytics=True)))
    assert len(receipts(runtime, "u1")) == 1


def test_withdrawing_is_as_easy_as_granting_and_takes_effect_at_once(runtime, server, write_key):
    pixel = create_key(runtime, "pixel")
    send(server, pixel, track("u1", context=prefs(Performance=True)))  # an alias of analytics
    body = send(
        server,
        pixel,
        track("u1", "Consent Withdrawn", properties={"purpose": "analytics"}),
        track("u1", "Page Scrolled"),
    )
    assert body["refused"] == {"consent_withdrawn": 2} and body["consent_changes"] == 1
    statuses = [(r.purpose, r.status) for r in receipts(runtime, "u1")]
    assert statuses == [("analytics", "granted"), ("analytics", "withdrawn")]
    # The web source serves service (no consent needed), care (opt-out) and analytics (opt-in).
    send(server, write_key, track("u1", "Care Off", context=prefs(care=False)))
    send(server, write_key, track("u2", "Plain"))
    rows = {r["event"]: r["purposes"] for r in stored(runtime)}
    assert rows["Care Off"] == "service"
    assert rows["Plain"] == "service,care"
    assert "Page Scrolled" not in rows


def test_rudderstack_consent_management_and_explicit_grants(runtime, server):
    pixel = create_key(runtime, "pixel")
    msg = track("u5", context={"consentManagement": {"allowedConsentIds": ["C0004"], "deniedConsentIds": ["C0002"]}})
    body = send(server, pixel, msg)
    assert body["accepted"] == 1
    assert stored(runtime)[0]["purposes"] == "marketing"
    send(server, pixel, track("u6", "Consent Granted", properties={"purposes": ["analytics", "marketing"]}))
    assert {(r.purpose, r.status) for r in receipts(runtime, "u6")} == {
        ("analytics", "granted"),
        ("marketing", "granted"),
    }


def test_an_unknown_purpose_is_rejected_with_a_hint(runtime, server):
    pixel = create_key(runtime, "pixel")
    r = httpx.post(
        f"{server}/v1/batch",
        json={"batch": [track("u1", context=prefs(Telemetry=True)), track("u1", "Consent Granted")]},
        auth=(pixel, ""),
    )
    assert r.status_code == 400
    rejected = r.json()["rejected"]
    assert rejected[0]["reason"] == "unknown_purpose"
    assert rejected[0]["field"] == "context.consent.categoryPreferences.Telemetry"
    assert "aliases" in rejected[0]["hint"]
    assert rejected[1]["reason"] == "missing_field" and rejected[1]["field"] == "properties.purpose"
    assert stored(runtime) == [] and receipts(runtime, "u1") == []


def test_global_privacy_control_objects_to_marketing(runtime, server):
    pixel = create_key(runtime, "pixel")
    body = send(server, pixel, track("u7", context=prefs(marketing=True, analytics=True)), headers={"Sec-GPC": "1"})
    # The signal from the browser wins over the page's own banner: marketing is withdrawn, analytics kept.
    assert body["accepted"] == 1
    assert stored(runtime)[0]["purposes"] == "analytics"
    methods = {(r.purpose, r.status, r.method) for r in receipts(runtime, "u7")}
    assert ("marketing", "withdrawn", "gpc") in methods


def test_consent_given_before_sign_in_follows_the_customer(runtime, server):
    pixel = create_key(runtime, "pixel")
    send(server, pixel, {"type": "page", "anonymousId": "a1", "name": "Home", "context": prefs(analytics=True)})
    body = send(server, pixel, {"type": "track", "anonymousId": "a1", "userId": "u8", "event": "Signed In"})
    assert body["accepted"] == 1
    assert [r["purposes"] for r in stored(runtime)] == ["analytics", "analytics"]

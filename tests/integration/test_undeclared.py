"""Intake strips (or keeps, or rejects) what the data map does not declare, and names it for the privacy officer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from omotenashi.bootstrap import build
from omotenashi.config.settings import Settings
from omotenashi.intake.status import status_of_store
from tests.conftest import write_house
from tests.support import create_key, live_server


def data_map(policy: str) -> dict[str, Any]:
    return {
        "undeclared": policy,
        "defaults": {
            "use": "essential.service",
            "legal_basis": "contract",
            "retention_days": 365,
            "description": {"en": "To serve you.", "ja": "サービスのためです。"},
        },
        "events": {"Order Completed": {"category": "user.behavior.purchase_history", "properties": {"revenue": {}}}},
        "traits": {"email": {"category": "user.contact.email"}},
        "context": {"locale": {"category": "user.demographic.language"}},
    }


MESSAGES = [
    {
        "type": "track",
        "userId": "u1",
        "event": "Order Completed",
        "properties": {"revenue": 10, "coupon": "SECRET"},
        "context": {"locale": "ja-JP", "ip": "203.0.113.7", "library": {"name": "x"}},
    },
    {"type": "identify", "userId": "u1", "traits": {"email": "a@example.com", "birthday": "1990-01-01"}},
    {"type": "track", "userId": "u1", "event": "Mystery Event", "properties": {"x": 1}},
]


def _send(tmp_path: Path, store_url: str, policy: str) -> tuple[httpx.Response, list[dict[str, Any]], dict[str, Any]]:
    house = write_house(tmp_path, data_map=data_map(policy), journeys={})
    rt = build(Settings(house_file=house, store_url=store_url), follow=False)
    try:
        key = create_key(rt, "web")
        with live_server(rt) as url:
            r = httpx.post(f"{url}/v1/batch", json={"batch": MESSAGES}, auth=(key, ""))
        with rt.engines.read.connect() as conn:
            rows = [
                dict(x._mapping)
                for x in conn.execute(sa.text("SELECT event, properties, traits, context FROM events ORDER BY seq"))
            ]
        (status,) = status_of_store(rt.engines, ["shop"])
    finally:
        rt.close()
    return r, rows, status


def test_undeclared_fields_are_stripped_and_counted(tmp_path: Path, store_url: str):
    r, rows, status = _send(tmp_path, store_url, "strip")
    assert r.status_code == 200 and r.json()["accepted"] == 3
    order, ident, mystery = rows
    assert json.loads(order["properties"]) == {"revenue": 10}
    assert json.loads(order["context"]) == {"locale": "ja-JP", "library": {"name": "x"}}
    assert json.loads(ident["traits"]) == {"email": "a@example.com"}
    assert mystery["properties"] is None
    assert status["undeclared"] == {
        "context ip": 1,
        "event Mystery Event": 1,
        "property Mystery Event.x": 1,
        "property Order Completed.coupon": 1,
        "trait birthday": 1,
    }


def test_keep_policy_keeps_but_still_names_them(tmp_path: Path, store_url: str):
    r, rows, status = _send(tmp_path, store_url, "keep")
    assert r.status_code == 200
    assert json.loads(rows[0]["properties"]) == {"revenue": 10, "coupon": "SECRET"}
    assert status["undeclared"]["property Order Completed.coupon"] == 1


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_reject_policy_rejects_with_a_hint(tmp_path: Path, store_url: str):
    r, rows, _ = _send(tmp_path, store_url, "reject")
    assert r.status_code == 400
    reasons = {(x["field"], x["reason"]) for x in r.json()["rejected"]}
    assert ("Order Completed.coupon", "undeclared") in reasons
    assert all("data_map" in x["hint"] for x in r.json()["rejected"])
    assert rows == []

"""Churn risk, support-contact risk and next step scored from a workspace's own store, on SQLite and PostgreSQL: a
synthetic simulated company goes through intake, memory, journeys and friction; `omotenashi score` checks each
kind against its baseline, stores models per family and anticipations with reasons; they show in the briefing, the
staff pages, the portal and the export; consent withdrawal and erasure remove them; `omotenashi evaluate`."""

from __future__ import annotations

import io
import json
import zipfile
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from omotenashi.bootstrap import build
from omotenashi.cli.main import app
from omotenashi.config.settings import Settings
from omotenashi.core.purposes import ConsentMethod
from omotenashi.privacy.service import Identity
from omotenashi.simulator import WorldConfig, generate
from omotenashi.store import anticipations as repo
from tests.conftest import write_house
from tests.portal_support import link_path, portal_client
from tests.staff_support import add_staff, signed_in
from tests.support import live_server

WORLD = WorldConfig(customers=300, days=130, seed=4_711)  # synthetic; tests' own seed
SECTION: dict[str, Any] = {
    "purposes": ["care"],
    "churn": {"horizon_days": 30, "watch_above": 0.05},
    "support_contact": {"horizon_days": 7, "watch_above": 0.05},
    "next_step": True,
    "count_events": ["Payment Failed", "Error Shown"],
    "behaviour_holdout_days": 28,
}
KINDS = {"churn_risk", "support_contact_risk", "next_step"}


@cache
def _messages() -> tuple[bytes, ...]:
    return tuple(generate(WORLD).messages)


def _load(rt: Any) -> None:
    rt.intake.import_lines(iter(_messages()), rt.intake.source("shop", "web"))
    rt.follower.drain()
    rt.journeys.refresh("shop")
    rt.follower.drain()


@pytest.fixture
def scored(tmp_path: Path, store_url: str) -> Any:
    house = write_house(tmp_path, anticipation=SECTION)
    rt = build(Settings(house_file=house, store_url=store_url))
    _load(rt)
    run = rt.anticipation.score("shop")
    yield rt, run, house
    rt.close()


def _outcomes(run: Any) -> dict[str, Any]:
    return {o.kind: o for o in run.behaviour}


def test_each_kind_is_checked_against_its_baseline_stored_and_anticipated(scored: Any) -> None:
    rt, run, _ = scored
    assert run.scored is None and run.purchases == 0  # a software company: no purchases, behaviour only
    outcomes = _outcomes(run)
    assert set(outcomes) == KINDS and all(o.skipped is None for o in outcomes.values())
    with rt.engines.read.connect() as conn:
        live = repo.live_models(conn, "shop")
        counts = repo.counts(conn, "shop")
        history = repo.model_history(conn, "shop")
    assert set(live) == {"churn", "support_contact", "next_step"}
    for family, kind in (("churn", "churn_risk"), ("support_contact", "support_contact_risk")):
        o = outcomes[kind]
        assert live[family] == o.live and o.live.name in (f"{family}:boosted", f"{family}:baseline")
        report = o.report
        assert report["synthetic"] is True and report["kind"] == kind
        assert [m["model"] for m in report["models"]] == ["baseline", "boosted"]
        assert max(report["train_cutoffs"]) < min(report["test_cutoffs"])
        promoted = report["promotion"]["promoted"]
        assert o.live.name == f"{family}:{'boosted' if promoted else 'baseline'}"
        if promoted:
            assert o.rejected is None
        else:
            assert o.rejected is not None and o.rejected.status == "candidate"
            assert o.rejected.why == "; ".join(report["promotion"]["shortfalls"]) and o.rejected in history
    assert outcomes["next_step"].live.name in ("next_step:blend", "next_step:markov")
    assert counts == {kind: len(o.anticipations) for kind, o in outcomes.items()}
    assert counts["churn_risk"] > 30 and counts["support_contact_risk"] > counts["churn_risk"]
    for a in outcomes["churn_risk"].anticipations:
        assert a.horizon_days == 30 and a.facts["subscribed"] == 1 and 0 < a.score < 1
    for a in outcomes["support_contact_risk"].anticipations:
        assert a.horizon_days == 7 and a.facts["synthetic"] is True
    for o in outcomes.values():
        for a in o.anticipations:
            assert a.model_id == o.live.id and a.computed_at == o.live.fitted_at and a.as_of == o.live.as_of
            assert a.reasons and all(r["en"] and r["ja"] and r["en"] != r["ja"] for r in a.reasons)
    for a in outcomes["next_step"].anticipations:
        chances = [p for _, p in a.facts["steps"]]
        assert 1 <= len(chances) <= 3 and chances == sorted(chances, reverse=True) and a.score == chances[0]
    # Everyone anticipated is a customer known by a userId, under the record client memory keeps for them.
    users = {json.loads(m).get("userId") for m in _messages()} - {None}
    known = {rt.privacy.find("shop", Identity("user_id", u)) for u in sorted(users)[:: max(1, len(users) // 60)]}
    anticipated = {a.customer_id for o in outcomes.values() for a in o.anticipations}
    assert anticipated & known and len(known - anticipated) < len(known)
    with rt.engines.read.connect() as conn:
        assert all(repo.of_customer(conn, "shop", cid) for cid in list(anticipated)[:20])


def test_briefing_staff_pages_portal_and_export_show_them_labelled_synthetic(scored: Any) -> None:
    rt, run, _ = scored
    add_staff(rt, "lee@example.com", "lead")
    churn = _outcomes(run)["churn_risk"]
    top = max(churn.anticipations, key=lambda a: a.score)
    with live_server(rt) as url:
        client, _ = signed_in(url, "lee@example.com")
        body = client.get(f"/api/customers/{top.customer_id}/briefing").json()
        shown = {a["kind"]: a for a in body["anticipations"]}
        assert {"churn_risk", "support_contact_risk"} <= set(shown)
        assert [a["kind"] for a in body["anticipations"]][0] == "churn_risk"  # what to act on comes first
        risk = shown["churn_risk"]
        assert risk["title"] == "Chance of not renewing within 30 days" and risk["value"] == f"{top.score:.0%}"
        assert risk["level"] == "watch" and risk["tag"] == "At risk of not renewing" and risk["synthetic"] is True
        assert risk["reasons"] == [r["en"] for r in top.reasons] and risk["why"]["purpose"] == "care"
        if "next_step" in shown:
            steps = shown["next_step"]["steps"]
            assert steps and steps[0]["probability"] == shown["next_step"]["score"] and steps[0]["title"]
        japanese = client.get(f"/api/customers/{top.customer_id}/briefing", params={"lang": "ja"}).json()
        ja = {a["kind"]: a for a in japanese["anticipations"]}["churn_risk"]
        assert ja["title"] == "30日以内に契約が終了する可能性" and ja["reasons"] == [r["ja"] for r in top.reasons]
        page = client.get(f"/staff/customers/{top.customer_id}").text
        assert 'data-kind="churn_risk"' in page and "At risk of not renewing" in page and "synthetic data" in page
        report = client.get("/staff/anticipation").text
        for family in ("churn", "support_contact", "next_step"):
            assert f'id="behaviour-{family}"' in report
        assert 'id="not-scored"' not in report and "synthetic data" in report
        assert top.customer_id in report and 'id="holdout-churn"' in report and 'id="holdout-next-step"' in report
        client.close()
        portal = portal_client(url, link_path(rt, top.customer_id))
        me = portal.get("/portal/me").text
        assert 'data-anticipation="churn_risk"' in me and top.reasons[0]["en"] in me and "synthetic data" in me
        archive = zipfile.ZipFile(io.BytesIO(portal.get("/portal/export.zip").content))
        everything = json.loads(archive.read("everything.json"))
        kinds = {a["kind"] for a in everything["anticipations"]}
        assert {"churn_risk", "support_contact_risk"} <= kinds
        assert "churn_risk" in archive.read("anticipations.csv").decode()
        portal.close()


def test_withdrawal_and_erasure_remove_behaviour_anticipations(scored: Any) -> None:
    rt, run, _ = scored
    support = _outcomes(run)["support_contact_risk"].anticipations
    cid, other = support[0].customer_id, support[1].customer_id
    with rt.engines.read.connect() as conn:
        assert {a.kind for a in rt.anticipation.of_customer(conn, "shop", cid)} >= {"support_contact_risk"}
    rt.privacy.change_consent("shop", cid, "care", False, ConsentMethod.PORTAL, "portal")
    with rt.engines.read.connect() as conn:
        assert rt.anticipation.of_customer(conn, "shop", cid) == []
    again = rt.anticipation.score("shop")
    assert all(a.customer_id != cid for o in again.behaviour for a in o.anticipations)
    rt.privacy.erase("shop", other, via="cli")
    with rt.engines.read.connect() as conn:
        assert repo.of_customer(conn, "shop", other) == []


def test_scoring_again_from_the_command_line_retires_each_family_and_evaluate_reads_the_store(
    scored: Any, store_url: str
) -> None:
    rt, run, house = scored
    assert not rt.anticipation.due("shop")
    env = {"OMOTENASHI__STORE_URL": store_url}
    out = CliRunner().invoke(app, ["score", "--json", "-c", str(house)], env=env)
    assert out.exit_code == 0, out.output
    body = json.loads(out.output)
    assert "model" not in body and [b["kind"] for b in body["behaviour"]] == [o.kind for o in run.behaviour]
    assert all(b["customers"] > 0 and b["holdout"] for b in body["behaviour"])
    with rt.engines.read.connect() as conn:
        statuses = {m.id: m.status for m in repo.model_history(conn, "shop", limit=50)}
        live = repo.live_models(conn, "shop")
    for old, new in zip(run.behaviour, body["behaviour"], strict=True):
        assert statuses[old.live.id] == "retired" and statuses[new["model"]["id"]] == "live"
        assert live[repo.family_of(new["model"]["name"])].id == new["model"]["id"]
    assert repo.family_of("bgnbd") == "purchase" and repo.family_of("churn:boosted") == "churn"
    report = CliRunner().invoke(app, ["evaluate", "churn", "--history", "--json", "-c", str(house)], env=env)
    assert report.exit_code == 0, report.output
    figures = json.loads(report.output)
    stored = _outcomes(run)["churn_risk"].report
    assert figures["source"].startswith("workspace shop") and figures["synthetic"] is True
    assert figures["test_cutoffs"] == stored["test_cutoffs"] and figures["test_positives"] == stored["test_positives"]
    for mine, theirs in zip(figures["models"], stored["models"], strict=True):
        assert mine["auc"] == pytest.approx(theirs["auc"]) and mine["brier"] == pytest.approx(theirs["brier"])
    wrong = CliRunner().invoke(app, ["evaluate", "churn", "--transactions", "x.csv", "-c", str(house)], env=env)
    assert wrong.exit_code != 0 and "behaviour models" in wrong.output


def test_too_short_a_history_skips_the_kind_and_says_why(tmp_path: Path) -> None:
    house = write_house(tmp_path, anticipation=SECTION)
    rt = build(Settings(house_file=house, store_url=f"sqlite:///{tmp_path / 'short.db'}"))
    try:
        short = WorldConfig(customers=120, days=45, seed=4_712)
        rt.intake.import_lines(iter(generate(short).messages), rt.intake.source("shop", "web"))
        run = rt.anticipation.score("shop")
    finally:
        rt.close()
    churn = _outcomes(run)["churn_risk"]
    assert churn.live is None and churn.anticipations == []
    assert churn.skipped is not None and "too few" in churn.skipped and "days" in churn.skipped


def test_check_names_a_subscription_event_that_both_starts_and_ends_and_a_sensitive_counted_event(
    tmp_path: Path,
) -> None:
    section = {
        **SECTION,
        "churn": {"started_events": ["Subscription Started"], "ended_events": ["Subscription Started"]},
        "count_events": ["Payment Failed", "Health Status Updated"],
    }
    data_map = {
        "undeclared": "keep",
        "defaults": {
            "use": "essential.service",
            "legal_basis": "contract",
            "retention_days": 365,
            "description": {"en": "To serve you.", "ja": "サービスのためです。"},
        },
        "traits": {"health_status": {"category": "user.health_and_medical"}},
    }
    house = write_house(tmp_path, anticipation=section, data_map=data_map)
    out = CliRunner().invoke(app, ["check", str(house)])
    assert out.exit_code != 0
    assert "anticipation.churn.ended_events" in out.output and "both starts and ends" in out.output
    assert "anticipation.count_events" in out.output and "`health_status`" in out.output
    assert f"{house}:" in out.output


def test_evaluate_on_a_simulated_world_is_synthetic_and_puts_the_baseline_beside(tmp_path: Path) -> None:
    out = CliRunner().invoke(
        app, ["evaluate", "behaviour", "--customers", "300", "--days", "130", "--seed", "4711", "--json"]
    )
    assert out.exit_code == 0, out.output
    decoder = json.JSONDecoder()
    text, bodies = out.output.strip(), []
    while text:
        body, end = decoder.raw_decode(text)
        bodies.append(body)
        text = text[end:].strip()
    assert [b["kind"] for b in bodies] == ["churn_risk", "support_contact_risk", "next_step"]
    for b in bodies:
        assert b["synthetic"] is True and b["source"].startswith("synthetic: the simulator's made-up company")
    assert bodies[0]["models"][0]["parameters"]["features"] == "active_days_28"
    assert {"model_hit1", "baseline_hit1", "model_hit3", "baseline_hit3"} <= set(bodies[2])

"""The journey map over HTTP (page and JSON, with a staff session), the briefing's journey line, `omotenashi
journeys refresh`, and `omotenashi check` naming file:line and the fix for misconfigured journeys."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from omotenashi.bootstrap import Runtime
from omotenashi.cli.main import app
from omotenashi.store import customers as customers_repo
from tests.conftest import write_house
from tests.journey_support import DAY, MIN, T0, onboarding_with_a_leak
from tests.staff_support import add_staff, signed_in


def test_the_map_finds_the_first_moment_of_friction_with_its_signals(runtime: Runtime, server: str) -> None:
    onboarding_with_a_leak(runtime)
    add_staff(runtime, language="ja")
    client, _ = signed_in(server)
    assert httpx.get(f"{server}/api/journeys").status_code == 401
    body = client.get("/api/journeys", params={"lang": "en"}).json()
    assert [s["stage"] for s in body["stages"]] == [
        "discover",
        "purchase",
        "onboard",
        "use",
        "support",
        "renew",
        "recommend",
    ]
    stages = {s["stage"]: s for s in body["stages"]}
    assert stages["use"]["customers"] == 19 and stages["onboard"]["customers"] == 21
    (journey,) = stages["onboard"]["journeys"]
    assert journey["id"] == "onboarding" and journey["title"] == "Onboarding"
    assert body["as_of"] == T0 + 30 * DAY + 39 * MIN
    steps = journey["steps"]
    assert [(s["reached"], s["moved_on"]) for s in steps] == [(40, 38), (38, 20), (20, 19), (19, 0)]
    assert [(s["waiting"], s["stalled"], s["left"]) for s in steps[:3]] == [(0, 0, 2), (0, 0, 18), (0, 0, 1)]
    assert journey["friction_step"] == 1
    (finding,) = steps[1]["findings"]
    assert finding["kind"] == "drop_off" and finding["rate"] == pytest.approx(18 / 38)
    assert finding["others"] == pytest.approx(3 / 60)
    assert "left here" in finding["text"]
    assert steps[1]["signals"] == [{"kind": "stall", "status": "open", "signals": 1, "customers": 1}]
    assert steps[0]["p50_ms"] == 10 * MIN and steps[0]["conversion"] == pytest.approx(38 / 40)
    assert sum(b["customers"] for b in steps[0]["histogram"]) == 38
    assert steps[0]["histogram"][2]["label"] == "10–60 min" and steps[0]["histogram"][2]["customers"] == 38
    assert steps[2]["threshold_from"] == "deadline" and steps[2]["threshold_ms"] == 240 * 3_600_000

    one = client.get("/api/journeys/onboarding").json()  # the member's language: Japanese
    assert one["title"] == "オンボーディング" and one["friction_step"] == 1
    assert "離れました" in one["steps"][1]["findings"][0]["text"]
    missing = client.get("/api/journeys/checkout")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"

    page = client.get("/staff/journeys")
    assert page.status_code == 200
    assert "ジャーニーマップ" in page.text and 'data-friction-step="1"' in page.text
    # The signals found at the first moment of friction are named in the reader's language, not by their code.
    assert '<li data-kind="stall"><strong>ステップで停滞</strong>' in page.text
    assert "<code>stall</code>" not in page.text and "Content-Security-Policy" in page.headers
    assert re.search(r"data-chart='\{[^']*\"values\": \[40, 38, 20, 19\]", page.text)


def test_the_briefing_says_where_the_customer_is(runtime: Runtime, server: str) -> None:
    onboarding_with_a_leak(runtime)
    add_staff(runtime)
    client, _ = signed_in(server)
    with runtime.engines.read.connect() as conn:
        cid = customers_repo.find_identities(conn, "shop", [("user_id", "m05")])[("user_id", "m05")]
    journey = client.get(f"/api/customers/{cid}/briefing").json()["journey"]
    assert journey["why"]["purpose"] == "service"
    assert journey["value"].startswith("Onboarding: reached “Profile Completed” (step 2 of 4) on ")
    assert "next: “First Project Created”" in journey["value"] and "Stage now: Onboard, since" in journey["value"]
    ja = client.get(f"/api/customers/{cid}/briefing", params={"lang": "ja"}).json()["journey"]["value"]
    assert "オンボーディング" in ja and "現在の段階：導入" in ja


def test_refreshing_from_the_page_and_the_command_line(
    runtime: Runtime, server: str, house_file: Path, store_url: str
) -> None:
    onboarding_with_a_leak(runtime)
    add_staff(runtime)
    client, csrf = signed_in(server)
    assert client.post("/staff/journeys/refresh").status_code == 403  # no CSRF token: nothing happens
    done = client.post("/staff/journeys/refresh", data={"csrf": csrf})
    assert done.status_code == 303 and done.headers["location"] == "/staff/journeys?done=refreshed"
    result = CliRunner().invoke(
        app, ["journeys", "refresh", "-c", str(house_file)], env={"OMOTENASHI__STORE_URL": store_url}
    )
    assert result.exit_code == 0, result.output
    assert re.search(r"computed \d+ baselines", result.output)


JOURNEY_MISTAKES = """\
journeys:
  signup_event: Signed Up
  cohorts:
    plan: {first_of: [signup.plan, plan]}
  stages:
    onbaord:
      events: [Account Created]
    purchase:
      events: [Signed Up, Account Created]
      pages: [{}]
    use:
      events: [Signed Up]
  journeys:
    onboarding:
      steps: [Account Created, Profile Completed, Account Created]
      deadline_hours: {Account Created: 2, Teammate Invite: 3}
      cohort: [plans]
    lifecycle:
      stage: onbord
      steps: [Signed Up]
    setup:
      steps: [Integration Connected, Task Created]
"""


def test_check_names_each_misconfigured_journey_with_its_line_and_fix(tmp_path: Path) -> None:
    from ruamel.yaml import YAML

    path = write_house(tmp_path, journeys=YAML().load(JOURNEY_MISTAKES)["journeys"])
    offset = next(n for n, line in enumerate(path.read_text().splitlines(), 1) if line == "journeys:") - 1
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code == 1
    found = re.findall(r"^\S+?:(\d+): (.+)\n    hint: (.+)$", result.stderr, flags=re.MULTILINE)
    problems = sorted((int(line) - offset, what, hint) for line, what, hint in found)
    assert problems == [
        (
            4,
            "journeys.cohorts.plan.first_of: `plan` is not a place a cohort value can be read from",
            "use `signup.<property>`, `signup.context.<path>`, `signup_time` or `trait.<name>`",
        ),
        (
            6,
            "journeys.stages.onbaord: unknown stage `onbaord`",
            "did you mean `onboard`? the stages are discover, purchase, onboard, use, support, renew, recommend",
        ),
        (
            10,
            "journeys.stages.purchase.pages: this rule says nothing to match",
            "give `name`, `path` or `url` (globs: `*` for any characters), or a plain name such as `Help*`",
        ),
        (
            12,
            "journeys.stages.use.events: `Signed Up` is mapped to both `purchase` and `use`",
            "map each event to one stage; to split it by a property, use `{event: …, where: {property: [values]}}`",
        ),
        (
            15,
            "journeys.journeys.onboarding.steps: `Account Created` is step 1 already",
            "each step is a different event; remove the repeat",
        ),
        (
            16,
            "journeys.journeys.onboarding.deadline_hours: `Account Created` is the first step: nothing comes before "
            "it to count from",
            "a deadline counts from the step before: put it on a later step",
        ),
        (
            16,
            "journeys.journeys.onboarding.deadline_hours: `Teammate Invite` is not a step of `onboarding`",
            "the steps are Account Created, Profile Completed, Account Created",
        ),
        (17, "journeys.journeys.onboarding.cohort: unknown cohort field `plans`", "did you mean `plan`?"),
        (
            18,
            "journeys.journeys.lifecycle: `lifecycle` is reserved: it holds each customer's current stage",
            "give the journey another id",
        ),
        (
            19,
            "journeys.journeys.lifecycle.stage: unknown stage `onbord`",
            "did you mean `onboard`? the stages are discover, purchase, onboard, use, support, renew, recommend",
        ),
        (
            20,
            "journeys.journeys.lifecycle.steps: a journey needs at least two steps",
            "list the `track` events that mark each expected step, in order, e.g. [Account Created, Profile Completed]",
        ),
        (
            21,
            "journeys.journeys.setup: no stage: its first step's event is not mapped to a stage",
            "add `stage: onboard` (one of discover, purchase, onboard, use, support, renew, recommend) or map "
            "`Integration Connected` under `journeys.stages`",
        ),
    ]


def test_check_knows_what_the_data_map_strips_and_the_keys_of_journeys(tmp_path: Path) -> None:
    from ruamel.yaml import YAML

    demo = YAML().load((Path(__file__).parents[2] / "src/omotenashi/demo/house.yaml").read_text())
    journeys = demo["journeys"]
    journeys["cohorts"]["source"]["first_of"] = ["signup.campaign", "trait.source", "signup.context.utm.source"]
    journeys["stages"]["onboard"]["events"][1] = "Profile Complete"
    journeys["stages"]["recommend"]["events"][0]["where"] = {"rating": [5]}
    journeys["journeys"]["onboarding"]["stepz"] = ["x"]
    path = tmp_path / "demo.yaml"
    YAML().dump(demo, path)
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code == 1
    said = result.stderr
    assert "journeys.journeys.onboarding.stepz: unknown key `stepz`" in said and "did you mean `steps`?" in said
    del journeys["journeys"]["onboarding"]["stepz"]
    YAML().dump(demo, path)
    said = CliRunner().invoke(app, ["check", str(path)]).stderr
    assert "intake strips `campaign` from `Signed Up`" in said
    assert "intake strips the trait `source`" in said
    assert "intake strips `context.utm`" in said
    assert (
        "`Profile Complete` is not an event the data map declares" in said
        and "did you mean `Profile Completed`?" in said
    )
    assert "intake strips `rating` from `Survey Submitted`" in said

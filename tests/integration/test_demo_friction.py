"""The demo workspace's friction: its data map keeps what each detector reads, so every signal says what happened.

The synthetic software company is loaded through the demo's own house file (a smaller world than the demo's), and
each kind of signal must name its element, form, conversation or question: a data map that strips them leaves
detectors with nothing to say ("Clicked “?” on ?"). Robots are told apart by their user agent, which it keeps too.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from omotenashi.bootstrap import build
from omotenashi.config.settings import Settings
from omotenashi.demo.build import SEED, app_messages
from omotenashi.friction.explain import explain
from omotenashi.simulator import WorldConfig
from omotenashi.store import signals as repo
from omotenashi.store.schema import events
from tests.integration.test_friction import settle

DEMO_HOUSE = Path(__file__).resolve().parents[2] / "src" / "omotenashi" / "demo" / "house.yaml"
# What each kind of signal must name for its explanation to say something.
NAMED = {
    "rage_click": ("selector", "page"),
    "dead_click": ("selector", "page"),
    "error_click": ("selector", "page", "message"),
    "form_abandonment": ("form",),
    "bot_loop": ("conversation",),
    "asked_twice": ("question",),
    "repeated_question": ("question",),
}


def test_the_demo_data_map_keeps_what_the_detectors_read(tmp_path: Path) -> None:
    house = tmp_path / "omotenashi.yaml"
    house.write_text(DEMO_HOUSE.read_text(encoding="utf-8"), encoding="utf-8")
    runtime = build(Settings(house_file=house, store_url=f"sqlite:///{tmp_path / 'demo.db'}"), [house])
    try:
        wid = next(iter(runtime.houses))
        world = WorldConfig(customers=300, days=90, seed=SEED)
        report = runtime.intake.import_lines(app_messages(world), runtime.intake.source(wid, "app"))
        assert report.accepted > 10_000 and not report.rejected
        settle(runtime)
        with runtime.engines.read.connect() as conn:
            found = repo.all_signals(conn, wid)
            evidence = sorted({seq for s in found for seq in s.evidence})
            senders = {row[0] for row in conn.execute(select(events.c.anonymous_id).where(events.c.seq.in_(evidence)))}
    finally:
        runtime.close()
    # The simulator's crawlers say so in their user agent, which the data map keeps: none of theirs is evidence.
    assert senders and not any(a is not None and a.startswith("sim-bot-") for a in senders)
    kinds = {s.kind for s in found}
    assert set(NAMED) <= kinds, kinds
    for s in found:
        for key in NAMED.get(s.kind, ()):
            assert s.details.get(key), (s.kind, s.details)
        said = explain(s.kind, s.details, "en", resolved=s.resolved_at is not None)
        assert "“?”" not in said and " on ?" not in said, said

"""Client memory: identities, reversible merges, conflicts, traits, preferences, timeline, briefing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from omotenashi.bootstrap import Runtime, build
from omotenashi.config.settings import Settings
from omotenashi.memory import briefing as briefing_mod
from omotenashi.memory import merges, notes, profile, timeline
from omotenashi.store import customer_events
from omotenashi.store import customers as repo

T0 = 1_780_000_000_000  # a fixed clock for reproducible stores


def feed(rt: Runtime, *messages: dict[str, Any], source: str = "web") -> None:
    lines = []
    for i, m in enumerate(messages):
        m = dict(m)
        m.setdefault("timestamp", _iso(T0 + len(_fed(rt)) * 60_000))
        _fed(rt).append(m)
        lines.append(json.dumps(m).encode())
        del i
    report = rt.intake.import_lines(lines, rt.intake.source("shop", source))
    assert not report.rejected, report.rejected
    rt.follower.drain()


def _fed(rt: Runtime) -> list[dict[str, Any]]:
    return rt.extras.setdefault("fed", [])  # type: ignore[return-value]


def _iso(ms: int) -> str:
    from omotenashi.core.clock import iso

    return iso(ms)


def customer_of(rt: Runtime, kind: str, value: str) -> str:
    with rt.engines.read.connect() as conn:
        base = repo.find_identities(conn, "shop", [(kind, value)])[(kind, value)]
        return repo.root_of(conn, "shop", base)


def snapshot(rt: Runtime, kind: str, value: str) -> dict[str, Any]:
    """What staff would see of the person an identifier belongs to."""
    with rt.engines.read.connect() as conn:
        cid = customer_of(rt, kind, value)
        p = profile.load_profile(conn, "shop", cid)
        page = timeline.timeline(conn, "shop", p.members, "en", limit=1000, kinds={"event", "note", "consent"})
        return {
            "id": p.customer_id,
            "members": sorted(p.members),
            "identities": sorted((i.kind, i.value) for i in p.identities),
            "traits": {k: v.current.value for k, v in p.traits.items()},
            "conflicting": {k: sorted(json.dumps(c.value) for c in v.conflicts) for k, v in p.traits.items()},
            "preferences": {k: v.value for k, v in p.preferences.items()},
            "events": (p.events, p.first_ts, p.last_ts),
            "timeline": [(i.kind, i.at, i.text) for i in page.items],
        }


def test_an_anonymous_visitor_who_signs_in_keeps_their_history(runtime):
    feed(
        runtime,
        {"type": "page", "anonymousId": "a1", "name": "Pricing"},
        {"type": "identify", "anonymousId": "a1", "userId": "u1", "traits": {"name": "Aiko Tanaka"}},
        {"type": "track", "userId": "u1", "event": "Order Completed", "properties": {"revenue": 30}},
    )
    snap = snapshot(runtime, "user_id", "u1")
    assert snap["identities"] == [("anonymous_id", "a1"), ("user_id", "u1")]
    assert snap["events"][0] == 3
    assert len(snap["timeline"]) == 3 and snap["traits"]["name"] == "Aiko Tanaka"
    with runtime.engines.read.connect() as conn:
        assert customer_events.count_customers(conn, "shop") == 1


def test_a_shared_email_merges_with_evidence_and_shows_conflicting_traits(runtime):
    feed(
        runtime,
        {"type": "identify", "userId": "u1", "traits": {"email": "Ann@Example.com", "name": "Ann"}},
        {"type": "identify", "anonymousId": "support-7", "traits": {"email": "ann@example.com", "name": "Anne B."}},
        source="web",
    )
    snap = snapshot(runtime, "anonymous_id", "support-7")
    assert snap["id"] == customer_of(runtime, "user_id", "u1")
    assert ("email", "ann@example.com") in snap["identities"]
    assert snap["traits"]["name"] == "Anne B." and snap["conflicting"]["name"] == ['"Ann"']
    with runtime.engines.read.connect() as conn:
        (m,) = repo.merges_touching(conn, "shop", [snap["id"]])
    assert m.rule == "same_email" and m.survivor_id == snap["id"]
    assert m.evidence["identifier"] == "email:ann@example.com" and m.evidence["seq"] == 2


def test_one_anonymous_id_with_two_user_ids_is_a_conflict_not_a_merge(runtime):
    feed(
        runtime,
        {"type": "track", "anonymousId": "family-laptop", "userId": "mum", "event": "Signed In"},
        {"type": "track", "anonymousId": "family-laptop", "userId": "son", "event": "Signed In"},
    )
    mum, son = customer_of(runtime, "user_id", "mum"), customer_of(runtime, "user_id", "son")
    assert mum != son
    with runtime.engines.read.connect() as conn:
        (c,) = repo.conflicts_touching(conn, "shop", [mum])
        assert {c.customer_a, c.customer_b} == {mum, son}
        assert c.detail["why"] == "different_user_ids" and c.detail["user_ids"] == ["mum", "son"]
        assert repo.merges_touching(conn, "shop", [mum, son]) == []
        b = briefing_mod.build_briefing(conn, "shop", son, runtime.house_files["shop"], "en")
    assert b.open_matters and b.open_matters[0].detail["conflict_id"] == c.id


def _history(rt: Runtime, with_merge: bool) -> None:
    feed(
        rt,
        {"type": "identify", "userId": "u1", "traits": {"name": "Kenji", "language": "ja"}},
        {"type": "identify", "anonymousId": "kiosk-1", "traits": {"name": "K. Sato", "tone": "formal"}},
        {"type": "track", "userId": "u1", "event": "Order Completed", "properties": {"revenue": 12}},
    )
    if with_merge:
        with_merge_id = rt.writer.call(
            lambda conn: merges.merge_by_hand(
                conn,
                "shop",
                customer_of(rt, "user_id", "u1"),
                customer_of(rt, "anonymous_id", "kiosk-1"),
                "staff-1",
                "same person at the shop counter",
                T0,
            )
        )
        rt.extras["merge"] = with_merge_id
        assert customer_of(rt, "anonymous_id", "kiosk-1") == customer_of(rt, "user_id", "u1")
    feed(
        rt,
        {"type": "track", "anonymousId": "kiosk-1", "event": "Product Viewed", "properties": {"name": "Jazz"}},
        {"type": "identify", "userId": "u1", "traits": {"name": "Kenji Sato"}},
        {"type": "track", "userId": "u1", "event": "Signed In"},
    )


def test_undoing_a_merge_restores_both_customers_as_if_it_never_happened(tmp_path: Path, store_url: str, house_file):
    from omotenashi.core.clock import from_epoch_ms

    clock = lambda: from_epoch_ms(T0)  # noqa: E731
    merged = build(Settings(house_file=house_file, store_url=store_url), clock=clock, follow=False)
    try:
        _history(merged, with_merge=True)
        merged.writer.call(
            lambda conn: merges.undo_merge(conn, "shop", merged.extras["merge"], "lead-1", "two people", T0)
        )
        after = (snapshot(merged, "user_id", "u1"), snapshot(merged, "anonymous_id", "kiosk-1"))
    finally:
        merged.close()
    other = tmp_path / "never"
    other.mkdir()
    from tests.conftest import write_house

    never = build(Settings(house_file=write_house(other)), clock=clock, follow=False)
    try:
        _history(never, with_merge=False)
        expected = (snapshot(never, "user_id", "u1"), snapshot(never, "anonymous_id", "kiosk-1"))
    finally:
        never.close()
    assert after == expected
    assert after[0]["id"] != after[1]["id"]


def test_an_undone_merge_is_not_redone_by_the_same_evidence(runtime):
    feed(
        runtime,
        {"type": "identify", "userId": "u1", "traits": {"email": "x@example.com"}},
        {"type": "identify", "anonymousId": "a9", "traits": {"email": "x@example.com"}},
    )
    root = customer_of(runtime, "user_id", "u1")
    with runtime.engines.read.connect() as conn:
        (m,) = repo.merges_touching(conn, "shop", [root])
    undone = runtime.writer.call(lambda conn: merges.undo_merge(conn, "shop", m.id, "lead-1", "shared inbox", T0))
    assert undone.undone_at == T0 and undone.undo_reason == "shared inbox"
    feed(runtime, {"type": "identify", "anonymousId": "a9", "traits": {"email": "x@example.com", "plan": "pro"}})
    assert customer_of(runtime, "anonymous_id", "a9") != root
    with runtime.engines.read.connect() as conn:
        conflicts = repo.conflicts_touching(conn, "shop", [root])
    assert [c.detail["why"] for c in conflicts] == ["separated_by_staff"]
    with pytest.raises(Exception, match="already undone"):
        runtime.writer.call(lambda conn: merges.undo_merge(conn, "shop", m.id, "lead-1", "again", T0))


def test_staff_cannot_merge_two_different_accounts(runtime):
    feed(runtime, {"type": "identify", "userId": "u1"}, {"type": "identify", "userId": "u2"})
    a, b = customer_of(runtime, "user_id", "u1"), customer_of(runtime, "user_id", "u2")
    with pytest.raises(Exception, match="different userIds") as info:
        runtime.writer.call(lambda conn: merges.merge_by_hand(conn, "shop", a, b, "lead-1", "looks alike", T0))
    assert info.value.data["user_ids"] == ["u1", "u2"]  # type: ignore[attr-defined]
    assert customer_of(runtime, "user_id", "u2") == b


def test_preferences_explicit_choices_win_over_inferred_ones(runtime):
    feed(
        runtime,
        {
            "type": "identify",
            "userId": "u1",
            "traits": {"language": "ja", "quiet_hours": "21:30-08:00", "timezone": "Asia/Tokyo"},
        },
        {"type": "identify", "userId": "u1", "traits": {}, "context": {"locale": "en-US"}},
        {"type": "identify", "userId": "u1", "traits": {"preferred_channel": "email", "do_not_contact_first": "yes"}},
    )
    cid = customer_of(runtime, "user_id", "u1")
    with runtime.engines.read.connect() as conn:
        p = profile.load_profile(conn, "shop", cid)
    assert p.preferences["language"].value == "ja" and p.preferences["language"].origin == "customer"
    assert p.preferences["quiet_hours"].value == {"start": "21:30", "end": "08:00", "timezone": "Asia/Tokyo"}
    assert p.preferences["channel"].value == "email" and p.preferences["no_first_contact"].value is True
    runtime.writer.call(
        lambda conn: profile.set_preference_by_staff(
            conn, "shop", cid, "language", "en", "staff-1", "asked on the phone", T0 + 10**9
        )
    )
    with runtime.engines.read.connect() as conn:
        p = profile.load_profile(conn, "shop", cid)
    assert (p.preferences["language"].value, p.preferences["language"].origin) == ("en", "staff")
    assert p.preferences["language"].reason == "asked on the phone"
    with pytest.raises(Exception, match="not a valid"):
        runtime.writer.call(
            lambda conn: profile.set_preference_by_staff(conn, "shop", cid, "tone", "shouty", "s", "r", T0)
        )


def test_the_briefing_shows_only_service_and_care_data_each_with_its_purpose(runtime):
    feed(runtime, {"type": "identify", "userId": "u1", "traits": {"name": "Mei", "language": "ja"}})
    # Marketing pixel events (analytics and marketing only) never reach a briefing.
    feed(
        runtime,
        {
            "type": "identify",
            "userId": "u1",
            "traits": {"segment": "big spender"},
            "context": {"consent": {"categoryPreferences": {"marketing": True}}},
        },
        {
            "type": "track",
            "userId": "u1",
            "event": "Ad Clicked",
            "context": {"consent": {"categoryPreferences": {"marketing": True}}},
        },
        source="pixel",
    )
    feed(runtime, {"type": "track", "userId": "u1", "event": "Order Completed", "properties": {"revenue": 20}})
    cid = customer_of(runtime, "user_id", "u1")
    runtime.writer.call(
        lambda conn: notes.add_note(conn, "shop", cid, "staff-1", "Prefers calls after 6pm", T0, max_chars=100)
    )
    with runtime.engines.read.connect() as conn:
        b = briefing_mod.build_briefing(conn, "shop", cid, runtime.house_files["shop"], "ja")
    assert b.name is not None and b.name.value == "Mei" and b.name.why.purpose == "service"
    facts = {f.label: f for f in b.facts}
    assert facts["language"].value == "ja" and facts["language"].why.purpose == "service"
    assert "お客様" in facts["language"].why.text  # the purpose explained in the reader's language
    texts = [line.text for line in b.recent]
    assert len(texts) == 2 and not any("Ad Clicked" in t for t in texts)
    assert "segment" not in b.profile.traits
    assert [n.text for n in b.notes] == ["Prefers calls after 6pm"]


def test_timeline_pages_filters_and_notes(runtime):
    feed(
        runtime,
        *[
            {
                "type": "track",
                "userId": "u1",
                "event": "Song Played" if i % 3 else "Order Completed",
                "properties": {"n": i},
            }
            for i in range(70)
        ],
    )
    cid = customer_of(runtime, "user_id", "u1")
    runtime.writer.call(
        lambda conn: notes.add_note(
            conn, "shop", cid, "staff-1", "called about a refund", T0 + 30 * 60_000 + 1, max_chars=100
        )
    )
    seen: list[tuple[str, int, str]] = []
    cursor = None
    with runtime.engines.read.connect() as conn:
        members = repo.members_of(conn, "shop", cid)
        for _ in range(10):
            page = timeline.timeline(conn, "shop", members, "en", cursor=cursor, limit=30)
            seen.extend((i.kind, i.at, i.key) for i in page.items)
            cursor = page.next_cursor
            if cursor is None:
                break
        orders = timeline.timeline(
            conn, "shop", members, "en", kinds={"event"}, event_name="Order Completed", limit=100
        )
        only_notes = timeline.timeline(conn, "shop", members, "en", kinds={"note"})
    assert len(seen) == 71 and len(set(seen)) == 71
    assert seen == sorted(seen, key=lambda s: (s[1], -timeline._RANK[s[0]], s[2]), reverse=True)
    assert len(orders.items) == 24 and all(i.detail["event"] == "Order Completed" for i in orders.items)
    assert [i.text for i in only_notes.items] == ["called about a refund"]


def test_notes_keep_their_history_and_have_a_size_limit(runtime):
    feed(runtime, {"type": "identify", "userId": "u1"})
    cid = customer_of(runtime, "user_id", "u1")
    note = runtime.writer.call(lambda conn: notes.add_note(conn, "shop", cid, "s1", "first", T0, max_chars=50))
    runtime.writer.call(
        lambda conn: notes.edit_note(conn, "shop", note.id, "s1", "second", T0 + 1, max_chars=50, may_edit_others=False)
    )
    with pytest.raises(notes.NoteTooLong):
        runtime.writer.call(lambda conn: notes.add_note(conn, "shop", cid, "s1", "x" * 51, T0, max_chars=50))
    with pytest.raises(Exception, match="only the author"):
        runtime.writer.call(
            lambda conn: notes.edit_note(
                conn, "shop", note.id, "s2", "mine now", T0, max_chars=50, may_edit_others=False
            )
        )
    from omotenashi.store import notes as notes_repo

    with runtime.engines.read.connect() as conn:
        assert [v.body for v in notes_repo.versions(conn, "shop", note.id)] == ["first", "second"]
        assert len(notes_repo.of_customers(conn, "shop", [cid])) == 1


def test_the_follower_resumes_from_its_cursor_after_a_restart(tmp_path: Path, store_url: str, house_file):
    settings = Settings(house_file=house_file, store_url=store_url)
    first = build(settings, follow=False)
    feed(first, {"type": "identify", "userId": "u1"}, {"type": "track", "userId": "u1", "event": "A"})
    first.close()
    second = build(settings, follow=False)
    try:
        lines = [json.dumps({"type": "track", "userId": "u1", "event": "B", "messageId": "b1"}).encode()]
        second.intake.import_lines(lines, second.intake.source("shop", "web"))
        assert second.follower.drain() == 1  # the one new event (each follower applies it once)
        with second.engines.read.connect() as conn:
            cid = repo.root_of(conn, "shop", repo.find_identities(conn, "shop", [("user_id", "u1")])[("user_id", "u1")])
            assert customer_events.stats_of(conn, "shop", [cid])[0] == 3
    finally:
        second.close()

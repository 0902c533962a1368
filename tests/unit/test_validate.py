"""Judging single messages: pure, no I/O."""

from __future__ import annotations

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from omotenashi.core.errors import OmotenashiError, Rejection
from omotenashi.intake.body import inflate, read_batch, read_single
from omotenashi.intake.clock_skew import CLAMPED, corrected
from omotenashi.intake.validate import Prepared, Rules, prepare

RULES = Rules(
    max_message_bytes=32 * 1024,
    future_tolerance_ms=86_400_000,
    purpose_names={"service": "service", "analytics": "analytics", "performance": "analytics"},
)
NOW = 1_800_000_000_000

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)
fields = st.sampled_from(
    [
        "type",
        "messageId",
        "userId",
        "anonymousId",
        "event",
        "name",
        "properties",
        "traits",
        "context",
        "timestamp",
        "sentAt",
        "originalTimestamp",
        "previousId",
        "groupId",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(fields, json_values | st.sampled_from(["track", "identify", "2026-01-01T00:00:00Z"])))
def test_any_message_is_either_prepared_or_rejected_with_a_hint(message):
    result = prepare(msgspec.json.encode(message), 0, RULES, NOW)
    assert isinstance(result, Prepared | Rejection)
    if isinstance(result, Rejection):
        assert result.reason and result.hint
    else:
        assert result.user_id or result.anonymous_id


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_any_body_is_read_or_refused_with_our_error(body):
    for reader in (read_batch, read_single):
        try:
            envelope = reader(inflate(body, None, 500_000))
        except OmotenashiError as exc:
            assert exc.message
        else:
            for raw in envelope.messages:
                assert isinstance(prepare(bytes(raw), 0, RULES, NOW), Prepared | Rejection)


def test_clock_skew_follows_segment():
    # Received at 10000; the client sent at 5000 by its clock, the event was at 4000: it happened 1000 ms earlier.
    assert corrected(received=10_000, sent=5_000, original=4_000, tolerance_ms=0) == (9_000, 0)
    assert corrected(received=10_000, sent=None, original=4_000, tolerance_ms=0) == (4_000, 0)
    assert corrected(received=10_000, sent=None, original=None, tolerance_ms=0) == (10_000, 0)
    assert corrected(received=10_000, sent=None, original=10_000 + 86_400_001, tolerance_ms=86_400_000) == (
        10_000,
        CLAMPED,
    )


def test_integer_ids_are_kept_as_text_and_naive_times_read_as_utc():
    raw = b'{"type":"track","userId":42,"event":"E","timestamp":"2026-01-01T00:00:00"}'
    result = prepare(raw, 0, RULES, NOW)
    assert isinstance(result, Prepared)
    assert result.user_id == "42" and result.ts == 1_767_225_600_000


def test_consent_aliases_are_case_insensitive():
    raw = (
        b'{"type":"track","userId":"u","event":"E","context":{"consent":{"categoryPreferences":{"PERFORMANCE":true}}}}'
    )
    result = prepare(raw, 0, RULES, NOW)
    assert isinstance(result, Prepared)
    assert [(p, str(s)) for p, s, _ in result.consent] == [("analytics", "granted")]

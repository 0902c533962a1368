"""Churn and support-contact risk, pure: features never read the future, the split keeps training labels out of the
test window, the baseline and the promotion rule, ties at the top decile, reasons in both languages, and the
sensitive-feature guard. Worlds here are synthetic (the simulator)."""

from __future__ import annotations

import dataclasses
import re
from functools import cache

import numpy as np
import pytest

from omotenashi.anticipation import behaviour_features as bf
from omotenashi.anticipation import risk
from omotenashi.anticipation.activity import Activity, from_messages
from omotenashi.anticipation.behaviour_log import DAY_MS, BehaviourLog, BehaviourSpec, SignalMark
from omotenashi.anticipation.reasons import Contribution
from omotenashi.anticipation.risk_model import RiskMeasures, fit_boosted, top_share
from omotenashi.anticipation.risk_reasons import risk_reasons, sentence
from omotenashi.anticipation.sensitive import SensitiveFeatureRefused
from omotenashi.config.anticipation import AnticipationSection, ChurnSection, SupportContactSection
from omotenashi.simulator import WorldConfig, generate

WORLD = WorldConfig(customers=400, days=150, seed=31_337)  # synthetic; not the bench seed, not the figures' seeds
SECTION = AnticipationSection(
    churn=ChurnSection(), support_contact=SupportContactSection(), count_events=["Payment Failed", "Error Shown"]
)
SPEC = BehaviourSpec.of(SECTION)
JA = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


@cache
def _activities() -> tuple[Activity, ...]:
    return tuple(from_messages(generate(WORLD).messages))


def _signals(activities: tuple[Activity, ...]) -> list[SignalMark]:
    """Signals as a detector would leave them: some open, some resolved, at activity times."""
    out = []
    for i, a in enumerate(activities[::97]):
        resolved = a.ts + 3 * DAY_MS if i % 3 else None
        out.append(SignalMark(a.customer_id, ("quiet_decline", "rage_click", "stall")[i % 3], a.ts, resolved))
    return out


def _by_id(frame: bf.Frame, log: BehaviourLog) -> dict[str, list[float]]:
    return {log.ids[c]: frame.values[i].tolist() for i, c in enumerate(frame.customer.tolist())}


def test_features_at_a_cutoff_read_nothing_from_it_on() -> None:
    activities = _activities()
    signals = _signals(activities)
    cutoff = WORLD.start_ms + 100 * DAY_MS
    full = BehaviourLog.build(activities, SPEC, signals=signals)
    # Invent a future: every customer contacts support, fails a payment and cancels after the cutoff.
    invented = [
        Activity(a.customer_id, cutoff + k, "track", name)
        for k, a in enumerate(activities[:300])
        for name in ("Ticket Created", "Payment Failed", "Subscription Cancelled")
    ]
    future = BehaviourLog.build(
        (*activities, *invented), SPEC, signals=[*signals, SignalMark(activities[0].customer_id, "stall", cutoff, None)]
    )
    # What was known at the cutoff: earlier activities, and signals seen before it, open if not ended by then.
    past = BehaviourLog.build(
        [a for a in activities if a.ts < cutoff],
        SPEC,
        signals=[
            dataclasses.replace(s, resolved_at=s.resolved_at if s.resolved_at and s.resolved_at <= cutoff else None)
            for s in signals
            if s.first_seen < cutoff
        ],
    )
    results = []
    for log in (full, future, past):
        rows = np.flatnonzero(bf.seen_recently(log, cutoff) | bf.subscribers(log, cutoff))
        results.append(_by_id(bf.features_at(log, cutoff, rows), log))
    assert len(results[0]) > 100
    assert results[0].keys() == results[1].keys() == results[2].keys()
    for cid, values in results[0].items():
        np.testing.assert_array_equal(values, results[1][cid], err_msg=cid)
        np.testing.assert_array_equal(values, results[2][cid], err_msg=cid)
    # The labels, by contrast, do see the invented future.
    assert bf.contacted_within(future, cutoff, 7).sum() > bf.contacted_within(full, cutoff, 7).sum()


def test_training_labels_end_before_the_test_window_and_test_events_do_not_change_the_fitted_models() -> None:
    log = BehaviourLog.build(_activities(), SPEC)
    task = risk.support_task(7)
    plan = risk.schedule(log, 7, 28)
    assert plan.train and plan.test
    assert max(plan.train) + 7 * DAY_MS <= min(plan.test)
    assert all(c + 7 * DAY_MS <= plan.as_of for c in plan.labelled)
    checked = risk.check(log, task, 28)
    # Everyone seen lately contacts support inside the test window: the test labels change, the models do not.
    first_test = min(plan.test)
    last = log.last_ts
    extra = [
        Activity(a.customer_id, min(first_test + 1_000 + i, last), "track", "Ticket Created")
        for i, a in enumerate(_activities()[:2_000:5])
    ]
    moved = BehaviourLog.build((*_activities(), *extra), SPEC)
    assert moved.last_ts == log.last_ts
    again = risk.check(moved, task, 28)
    assert again.report.test_positives > checked.report.test_positives
    assert again.report.train_positives == checked.report.train_positives
    probe, _ = risk.rows_at(log, task, plan.train[-1:])
    for name in ("boosted", "baseline"):
        before, after = getattr(checked, name), getattr(again, name)
        assert np.array_equal(before.predict(probe), after.predict(probe)), name


def test_the_report_puts_the_baseline_beside_the_candidate_and_promotes_only_a_winner() -> None:
    log = BehaviourLog.build(_activities(), SPEC, signals=_signals(_activities()))
    checked = risk.check(log, risk.support_task(7), 28, synthetic=True)
    report = checked.report
    assert report.synthetic and [m.model for m in report.models] == ["baseline", "boosted"]
    base, boosted = report.model("baseline"), report.model("boosted")
    assert base.parameters["features"] == "contacts_30"
    assert 0 < report.base_rate < 0.2 and report.test_positives >= risk.MIN_POSITIVES
    for m in (base, boosted):
        assert 0 <= m.auc <= 1 and 0 <= m.brier <= 1 and 0 <= m.precision_at_top <= 1 and 0 <= m.recall_at_top <= 1
    wins = boosted.auc > base.auc and boosted.brier < base.brier
    assert report.promotion.promoted == wins and checked.chosen == ("boosted" if wins else "baseline")
    assert len(report.promotion.shortfalls) == (boosted.auc <= base.auc) + (boosted.brier >= base.brier)


def test_promotion_needs_both_auc_and_brier() -> None:
    def m(auc: float, brier: float) -> RiskMeasures:
        return RiskMeasures("x", "v", auc, brier, 0.1, 0.1, 0.1, {})

    assert risk.promote(m(0.7, 0.05), m(0.6, 0.06)).promoted
    lost = risk.promote(m(0.7, 0.07), m(0.6, 0.06))
    assert not lost.promoted and lost.shortfalls == ["brier 0.07000 is not better than the baseline's 0.06000"]
    assert not risk.promote(m(0.6, 0.05), m(0.6, 0.06)).promoted  # a tie is not a win
    assert not risk.promote(m(float("nan"), 0.05), m(0.6, 0.06)).promoted


def test_too_little_history_is_said_not_guessed() -> None:
    short = [a for a in _activities() if a.ts < WORLD.start_ms + 40 * DAY_MS]
    with pytest.raises(risk.NotEnoughBehaviour) as caught:
        risk.check(BehaviourLog.build(short, SPEC), risk.churn_task(30), 28)
    assert "too few" in caught.value.message and "days" in (caught.value.hint or "")


def test_top_decile_counts_ties_in_proportion() -> None:
    score = np.array([0.9, 0.5, 0.5, 0.5, 0.5] + [0.1] * 15)
    happened = np.zeros(20, dtype=bool)
    happened[[0, 1, 2]] = True  # the top one, and two of the four tied at 0.5
    precision, recall = top_share(score, happened)  # top 10 % = 2 rows: the 0.9, and one of four 0.5s
    assert precision == pytest.approx((1 + 0.25 * 2) / 2)
    assert recall == pytest.approx((1 + 0.25 * 2) / 3)
    flat = np.full(20, 0.3)  # a model that tells nobody apart finds the base rate, whatever the row order
    assert top_share(flat, happened)[0] == pytest.approx(3 / 20)


def test_reasons_are_the_models_own_and_read_in_english_and_japanese() -> None:
    facts = {
        "active_days_28": 2.0,
        "active_days_prior_28": 11.0,
        "days_since_active": 3.0,
        "tenure_days": 200.0,
        "contacts_30": 2.0,
        "contacts_90": 3.0,
        "days_since_contact": 1.4,
        "signals_45": 2.0,
        "open_signals": 1.0,
        "open_quiet_decline": 1.0,
        "subscribed": 1.0,
        "subscribed_days": 120.0,
        "days_since_renewal": 25.0,
        "count_payment_failed_7": 1.0,
        "count_payment_failed_30": 1.0,
        "stage_support": 1.0,
        "journey_steps_done": 0.75,
    }
    contributions = [
        Contribution("usage", 0.9),
        Contribution("support", 1.2),
        Contribution("count:payment_failed", 0.4),
        Contribution("tenure", -0.1),
    ]
    reasons = risk_reasons(contributions, facts, {"payment_failed": "Payment Failed"})
    assert [r.topic for r in reasons] == ["support", "usage", "count:payment_failed"]
    assert [r.direction for r in reasons] == ["raises", "raises", "raises"]
    assert reasons[0].en == "Contacted support 2 times in the last 30 days, last 1 day ago"
    assert reasons[0].ja == "直近30日間にサポートへ2回問い合わせ（最後は1日前）"
    assert reasons[1].en == "Active on 2 of the last 28 days, 11 in the 4 weeks before"
    assert reasons[1].ja == "直近28日間の利用は2日（その前の4週間は11日）"
    assert reasons[2].en == "“Payment Failed” once in the last 30 days (1 in the last 7)"
    assert reasons[2].ja == "直近30日間に「Payment Failed」が1回（直近7日間に1回）"
    for topic in ("usage", "tenure", "support", "friction", "decline", "stall", "subscription", "journey", "stage"):
        en, ja = sentence(topic, facts, {})
        assert en and JA.search(ja) and en != ja, topic
    typical = risk_reasons([Contribution("usage", 0.0)], facts)
    assert [(r.direction, r.weight) for r in typical] == [("typical", 0.0)]
    assert typical[0].en == "Active on 2 of the last 28 days, 11 in the 4 weeks before, as is typical"
    assert typical[0].ja == "直近28日間の利用は2日（その前の4週間は11日）（標準的な水準）"
    assert sentence("decline", facts, {})[0] == "Use has been quietly declining (noticed, still open)"
    assert sentence("stage", facts, {})[1] == "直近の行動は「サポート」の段階"
    assert sentence("usage", {"days_since_active": 20.0}, {})[0] == "Not seen using the product for 20 days"
    assert sentence("support", {"contacts_90": 0.0}, {})[1] == "直近90日間、サポートへの問い合わせなし"


def test_every_scored_customer_gets_reasons_from_the_fitted_model_in_both_languages() -> None:
    log = BehaviourLog.build(_activities(), SPEC, signals=_signals(_activities()))
    task = risk.churn_task(30)
    checked = risk.check(log, task, 28)
    scores = risk.fit_and_score(log, task, dataclasses.replace(checked, chosen="boosted"))
    assert len(scores.frame) > 20 and bool((scores.frame.column("subscribed") == 1).all())
    contributions = scores.model.contributions(scores.frame)
    assert len(contributions) == len(scores.frame)
    for i, row in enumerate(contributions):
        assert {c.feature for c in row} >= {"usage", "support", "friction", "subscription", "count:payment_failed"}
        reasons = risk_reasons(row, scores.frame.facts(i), {"payment_failed": "Payment Failed"})
        assert reasons and all(r.en and JA.search(r.ja) for r in reasons)
    # The contributions are the model's own: a customer whose usage is the typical customer's owes nothing to usage,
    # and the usage effect of another is what the model says when usage alone is set to typical.
    model = scores.model
    usage = [j for j, f in enumerate(model.features) if bf.TOPICS.get(f) == "usage"]
    typical_row = scores.frame.values[:2].copy()
    typical_row[0, usage] = model.typical[usage]
    probe = dataclasses.replace(scores.frame, values=typical_row, customer=scores.frame.customer[:2])
    effects = {c.feature: c.effect for c in model.contributions(probe)[0]}
    assert effects["usage"] == pytest.approx(0.0, abs=1e-12)
    other = {c.feature: c.effect for c in model.contributions(probe)[1]}
    p = model.predict(probe)[1]
    occluded = dataclasses.replace(probe, values=np.vstack([typical_row[1], typical_row[1]]))
    occluded.values[0, usage] = model.typical[usage]
    q = model.predict(occluded)[0]
    assert other["usage"] == pytest.approx(np.log(p / (1 - p)) - np.log(q / (1 - q)), rel=1e-9)


def test_fitting_refuses_a_feature_named_for_a_sensitive_attribute_and_names_it() -> None:
    section = AnticipationSection(support_contact=SupportContactSection(), count_events=["Health Condition Updated"])
    log = BehaviourLog.build(_activities(), BehaviourSpec.of(section))
    with pytest.raises(SensitiveFeatureRefused) as caught:
        risk.check(log, risk.support_task(7), 28, sensitive=["health_condition"])
    assert caught.value.data["features"] == [
        "count_health_condition_updated_7",
        "count_health_condition_updated_30",
    ]
    assert "count_health_condition_updated_7" in caught.value.message and "health_condition" in caught.value.message
    frame, label = risk.rows_at(log, risk.support_task(7), risk.schedule(log, 7, 28).train)
    with pytest.raises(SensitiveFeatureRefused):
        fit_boosted(frame, label, sensitive=["tenure"])  # our own feature, were the data map to mark it
    risk.check(log, risk.support_task(7), 28, sensitive=["age"])  # `age` is in no feature's words: fits

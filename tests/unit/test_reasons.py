from __future__ import annotations

from omotenashi.anticipation.reasons import Contribution, reasons_for, sentence

REGULAR = {
    "frequency": 8.0,
    "tenure": 38.0,
    "recency": 28.0,
    "weeks_since_last": 10.0,
    "mean_gap": 3.5,
    "purchases_4w": 0.0,
    "purchases_13w": 1.0,
    "mean_spend": 24.6,
    "last_spend": 15.0,
}


def test_the_rhythm_reads_like_a_person_would_say_it() -> None:
    en, ja = sentence("rhythm", REGULAR)
    assert en == "Bought every 3–4 weeks until 10 weeks ago"
    assert ja == "10週間前まで3〜4週間ごとに購入"
    en, ja = sentence("rhythm", {**REGULAR, "mean_gap": 4.05, "weeks_since_last": 0.0})
    assert en == "Buys every 4 weeks, most recently this week" and ja == "4週間ごとに購入、今週も購入"
    en, _ = sentence("rhythm", {**REGULAR, "frequency": 1.0, "recency": 2.0, "weeks_since_last": 1.0})
    assert en == "Came back once, 2 weeks after the first purchase; last bought 1 week ago"


def test_contributions_choose_and_order_the_facts() -> None:
    contributions = [
        Contribution("mean_gap", 0.4),
        Contribution("weeks_since_last", -1.2),  # pooled with mean_gap: the rhythm moved it by −0.8
        Contribution("mean_spend", 0.3),
        Contribution("purchases_13w", 0.05),
        Contribution("support_contacts", -0.5),
    ]
    reasons = reasons_for(contributions, {**REGULAR, "support_contacts": 3.0}, top=3)
    assert [r.topic for r in reasons] == ["rhythm", "extra:support_contacts", "spend"]
    assert reasons[0].direction == "lowers" and abs(reasons[0].weight - 0.8) < 1e-9
    assert reasons[1].text("en") == "Support contacts: 3" and reasons[1].text("ja") == "サポートへの問い合わせ：3"
    assert reasons[2].direction == "raises"
    assert reasons[2].en == "Spends about 25 per purchase day (last time 15)"


def test_a_customer_who_never_came_back_gets_one_plain_reason() -> None:
    facts = {"frequency": 0.0, "tenure": 38.0, "weeks_since_last": 38.0}
    reasons = reasons_for([Contribution("frequency", -0.7), Contribution("weeks_since_last", -0.2)], facts)
    assert len(reasons) == 1
    assert reasons[0].en == "Has not bought again since the first purchase 38 weeks ago"
    assert reasons[0].ja == "38週間前の初回購入以来、再購入なし"
    assert reasons[0].as_dict()["direction"] == "lowers"


def test_recent_activity_and_unknown_extras() -> None:
    assert sentence("recent", {"purchases_4w": 2.0})[0] == "Bought on 2 days in the last 4 weeks"
    assert sentence("recent", {"purchases_4w": 0.0, "purchases_13w": 1.0})[1] == "直近13週間に1日購入"
    assert sentence("recent", {})[0] == "No purchase in the last 26 weeks"
    assert sentence("extra:journey_stage", {}) == ("Journey stage: unknown", "ジャーニーの段階：不明")

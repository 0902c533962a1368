"""The first-order (Markov) baseline of the next-step model: counts, ranking and tie-breaking."""

from omotenashi.anticipation.next_step import MarkovBaseline


def test_transition_counts_and_ranking() -> None:
    base = MarkovBaseline().fit_sequences([["a", "b", "c"], ["a", "b", "b"], ["a", "c"], ["d", "b"]])
    assert base.transitions["a"] == {"b": 2, "c": 1}
    assert base.transitions["b"] == {"c": 1, "b": 1}
    assert base.first == {"a": 3, "d": 1}
    ranked = base.rank("a", k=2)
    assert ranked == [("b", 2 / 3), ("c", 1 / 3)]


def test_ties_broken_by_global_frequency() -> None:
    # After "b", "c" and "b" follow once each; "b" is more common overall (4 vs 2), so it ranks first.
    base = MarkovBaseline().fit_sequences([["a", "b", "c"], ["a", "b", "b"], ["a", "c"], ["d", "b"]])
    assert [s for s, _ in base.rank("b", k=3)] == ["b", "c", "a"]


def test_no_history_ranks_first_steps() -> None:
    base = MarkovBaseline().fit_sequences([["a", "b"], ["a"], ["d"]])
    assert base.rank(None, k=1) == [("a", 2 / 3)]

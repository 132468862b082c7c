"""Cosine similarity over TF-IDF weights of `normalise.features`, against a set of documents.

An `Index` holds the documents' unit vectors and an inverted list per feature, so a query
touches only the documents that share a feature with it. The IDF is the smoothed one
(log((N + 1) / (df + 1)) + 1): a feature in every document still counts a little, and one the
documents never saw counts the most (it lowers the query's cosine with all of them).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from app.services.text.normalise import features

K = TypeVar("K", bound=Hashable)


def _unit(weights: dict[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(w * w for w in weights.values()))
    return {f: w / norm for f, w in weights.items()} if norm else {}


@dataclass
class Index(Generic[K]):
    """TF-IDF unit vectors of documents by key, with an inverted list per feature."""

    size: int = 0
    document_frequency: dict[str, int] = field(default_factory=dict)
    postings: dict[str, list[tuple[K, float]]] = field(default_factory=dict)

    @classmethod
    def build(cls, documents: Iterable[tuple[K, str]]) -> Index[K]:
        """Index the (key, text) documents."""
        counted = [(key, features(text)) for key, text in documents]
        frequency: defaultdict[str, int] = defaultdict(int)
        for _, counts in counted:
            for feature in counts:
                frequency[feature] += 1
        index: Index[K] = cls(size=len(counted), document_frequency=dict(frequency))
        postings: defaultdict[str, list[tuple[K, float]]] = defaultdict(list)
        for key, counts in counted:
            vector = index.weigh(counts)
            for feature, weight in vector.items():
                postings[feature].append((key, weight))
        index.postings = dict(postings)
        return index

    def add(self, key: K, text: str) -> None:
        """Add one document, weighed by the IDF as it stands (the others keep their weights)."""
        counts = features(text)
        self.size += 1
        for feature in counts:
            self.document_frequency[feature] = self.document_frequency.get(feature, 0) + 1
        for feature, weight in self.weigh(counts).items():
            self.postings.setdefault(feature, []).append((key, weight))

    def idf(self, feature: str) -> float:
        """The smoothed inverse document frequency of a feature."""
        df = self.document_frequency.get(feature, 0)
        return math.log((self.size + 1) / (df + 1)) + 1

    def weigh(self, counts: dict[str, float]) -> dict[str, float]:
        """The unit TF-IDF vector of term counts (sub-linear TF: 1 + log tf)."""
        return _unit({f: (1 + math.log(tf)) * self.idf(f) for f, tf in counts.items() if tf > 0})

    def scores(self, text: str, *, max_features: int | None = None) -> dict[K, float]:
        """The cosine (0–1) of the text with every document that shares a feature with it.

        `max_features` keeps only the query's heaviest features that some document has (a long
        text's many common ones cost most and weigh least), bounding the time a long query takes.
        """
        query = self.weigh(features(text))
        if max_features is not None and len(query) > max_features:
            present = [item for item in query.items() if item[0] in self.postings]
            query = dict(sorted(present, key=lambda item: -item[1])[:max_features])
        totals: defaultdict[K, float] = defaultdict(float)
        for feature, weight in query.items():
            for key, doc_weight in self.postings.get(feature, ()):
                totals[key] += weight * doc_weight
        return {key: min(1.0, score) for key, score in totals.items()}

    def most_similar(
        self, text: str, *, min_score: float, limit: int, max_features: int | None = None
    ) -> list[tuple[K, float]]:
        """The documents at or above `min_score`, best first, at most `limit`."""
        scored = self.scores(text, max_features=max_features)
        ranked = [(k, s) for k, s in scored.items() if s >= min_score]
        ranked.sort(key=lambda item: -item[1])  # stable: equal scores keep the index's order
        return ranked[:limit]


def similarity(a: str, b: str) -> float:
    """The cosine of two texts, with IDF over just the two (for measuring pairs)."""
    index: Index[int] = Index.build([(0, b), (1, a)])
    return index.scores(a).get(0, 0.0)

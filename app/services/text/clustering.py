"""Groups of similar texts, each labelled with its characteristic words (issue 13: themes).

The method, in three steps, all deterministic (ties go to the lower key):

1. Each text is the TF-IDF vector of `similarity.Index` (stems and character 4-grams), cut to its
   `TOP_FEATURES` heaviest features and made a unit vector again. The cut keeps what tells a
   text apart (a common gram has a low IDF and drops out), and it keeps the pairwise products
   sparse: only texts that share one of their heavy features are compared.
2. Average-linkage agglomerative clustering (UPGMA) on the cosines with a threshold: the two
   groups whose average pairwise cosine is highest are joined, as long as it is at or above
   `THRESHOLD` (pairs that share no heavy feature count as 0 in the average).
3. A group's label: the word stems its texts share most, weighed by their IDF in the whole set
   (class-based TF-IDF: the fraction of the group's texts with the stem × the stem's IDF), a stem
   counted only when at least two of the group's texts have it; each stem shown as the word
   form the group's texts use most.

The threshold and the feature cut come from the labelled set in `tests/themes/labelled.py`
(docs/themes.md).
"""

from __future__ import annotations

import heapq
import math
from collections import Counter, defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from app.services.text.normalise import stem, words
from app.services.text.similarity import Index

K = TypeVar("K", bound=Hashable)

THRESHOLD = 0.08
TOP_FEATURES = 24
LABEL_WORDS = 5
LABEL_MIN_WORDS = 3
# Texts clustered pair by pair; beyond this many, a sample is and the rest join its groups.
SAMPLE = 400


@dataclass(frozen=True)
class Group(Generic[K]):
    """A group of texts by key (in the order given), and its label words (most telling first)."""

    keys: tuple[K, ...]
    words: tuple[str, ...]


def _heavy(vector: dict[str, float]) -> dict[str, float]:
    """The vector's `TOP_FEATURES` heaviest features (ties by name), as a unit vector."""
    kept = sorted(vector.items(), key=lambda item: (-item[1], item[0]))[:TOP_FEATURES]
    norm = math.sqrt(sum(w * w for _, w in kept))
    return {f: w / norm for f, w in kept} if norm else {}


def _pair_sums(vectors: list[dict[str, float]]) -> list[dict[int, float]]:
    """The cosine of every two texts that share a heavy feature (by position, both ways)."""
    postings: defaultdict[str, list[tuple[int, float]]] = defaultdict(list)
    for i, vector in enumerate(vectors):
        for feature, weight in vector.items():
            postings[feature].append((i, weight))
    sums: list[dict[int, float]] = [{} for _ in vectors]
    for i, vector in enumerate(vectors):
        row: defaultdict[int, float] = defaultdict(float)
        for feature, weight in vector.items():
            for j, other in postings[feature]:
                if j != i:
                    row[j] += weight * other
        sums[i] = dict(row)
    return sums


def _average_linkage(sums: list[dict[int, float]], threshold: float) -> list[list[int]]:
    """UPGMA on the sparse pair sums: the members (positions) of each group, in order."""
    members = [[i] for i in range(len(sums))]
    alive = [True] * len(sums)
    heap = [(-s, i, j) for i, row in enumerate(sums) for j, s in row.items() if i < j]
    heap = [item for item in heap if -item[0] >= threshold]
    heapq.heapify(heap)
    while heap:
        negative, a, b = heapq.heappop(heap)
        if not (alive[a] and alive[b]):
            continue
        current = sums[a].get(b, 0.0) / (len(members[a]) * len(members[b]))
        if not math.isclose(current, -negative):
            continue  # an entry from before one of the two grew
        # b joins a: a's sums with every other group are the two groups' sums added.
        alive[b] = False
        members[a] += members[b]
        del sums[a][b]
        for c, s in sums[b].items():
            if c == a:
                continue
            sums[a][c] = sums[a].get(c, 0.0) + s
            sums[c][a] = sums[a][c]
            del sums[c][b]
        sums[b] = {}
        for c, s in sums[a].items():
            average = s / (len(members[a]) * len(members[c]))
            if average >= threshold:
                heapq.heappush(heap, (-average, min(a, c), max(a, c)))
    return [sorted(members[i]) for i in range(len(sums)) if alive[i]]


def _label(texts: Sequence[str], index: Index[int]) -> tuple[str, ...]:
    """The group's characteristic words: shared stems by fraction × IDF, as the word used most."""
    having: Counter[str] = Counter()
    forms: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for text in texts:
        seen = set()
        for word in words(text):
            word_stem = stem(word)
            forms[word_stem][word] += 1
            seen.add(word_stem)
        having.update(seen)
    least = 2 if len(texts) > 1 else 1
    scored = [
        (-(count / len(texts)) * index.idf("s:" + word_stem), word_stem)
        for word_stem, count in having.items()
        if count >= least
    ]
    scored.sort()
    if len(scored) < LABEL_MIN_WORDS:  # too few shared: the group's rarest words fill up
        once = [
            (-index.idf("s:" + word_stem), word_stem)
            for word_stem, count in having.items()
            if count < least
        ]
        scored += sorted(once)[: LABEL_MIN_WORDS - len(scored)]
    shown = []
    for _, word_stem in scored[:LABEL_WORDS]:
        form = sorted(forms[word_stem].items(), key=lambda item: (-item[1], item[0]))[0][0]
        shown.append(form)
    return tuple(shown)


def _sample(count: int) -> list[int]:
    """Every so many positions, evenly spread, at most `SAMPLE` of them (all when fewer)."""
    if count <= SAMPLE:
        return list(range(count))
    return sorted({n * count // SAMPLE for n in range(SAMPLE)})


def _join_nearest(
    vectors: list[dict[str, float]], clusters: list[list[int]], rest: list[int], threshold: float
) -> list[list[int]]:
    """Each text not in the sample joins the group (of two or more) whose members it is most
    like on average, if that average is at or above the threshold; the others stay alone.

    The average cosine of a text with a group's members is its dot product with the mean of
    their vectors: the average-linkage rule, against the groups the sample made."""
    groups = [members for members in clusters if len(members) > 1]
    centroid_postings: defaultdict[str, list[tuple[int, float]]] = defaultdict(list)
    for g, members in enumerate(groups):
        mean: defaultdict[str, float] = defaultdict(float)
        for member in members:
            for feature, weight in vectors[member].items():
                mean[feature] += weight / len(members)
        for feature, weight in mean.items():
            centroid_postings[feature].append((g, weight))
    joined: list[list[int]] = [list(members) for members in groups]
    alone = [[p] for members in clusters if len(members) == 1 for p in members]
    for p in rest:
        totals: defaultdict[int, float] = defaultdict(float)
        for feature, weight in vectors[p].items():
            for g, other in centroid_postings.get(feature, ()):
                totals[g] += weight * other
        best = min(totals.items(), key=lambda item: (-item[1], item[0]), default=None)
        if best is not None and best[1] >= threshold:
            joined[best[0]].append(p)
        else:
            alone.append([p])
    return [sorted(members) for members in joined + alone]


def group(
    documents: Sequence[tuple[K, str]], *, threshold: float = THRESHOLD
) -> tuple[list[Group[K]], list[K]]:
    """The texts' groups (two or more texts; largest first, then by first key) and the keys of
    the texts left alone.

    Up to `SAMPLE` texts are clustered exactly; beyond that, an evenly spread sample of them is
    clustered and every other text joins its nearest group (Buckshot, Cutting et al. 1992), so
    the cost grows with the texts, not with their pairs."""
    index: Index[int] = Index.build((n, text) for n, (_, text) in enumerate(documents))
    whole: list[dict[str, float]] = [{} for _ in documents]
    for feature, postings in index.postings.items():
        for n, weight in postings:
            whole[n][feature] = weight
    vectors = [_heavy(vector) for vector in whole]
    sample = _sample(len(vectors))
    clusters = [
        [sample[m] for m in members]
        for members in _average_linkage(_pair_sums([vectors[p] for p in sample]), threshold)
    ]
    if len(sample) < len(vectors):
        chosen = set(sample)
        rest = [p for p in range(len(vectors)) if p not in chosen]
        clusters = _join_nearest(vectors, clusters, rest, threshold)
    clusters.sort(key=lambda positions: (-len(positions), positions[0]))
    groups = [
        Group(
            keys=tuple(documents[p][0] for p in positions),
            words=_label([documents[p][1] for p in positions], index),
        )
        for positions in clusters
        if len(positions) > 1
    ]
    alone = [documents[positions[0]][0] for positions in clusters if len(positions) == 1]
    return groups, alone

"""Norwegian text similarity: the normaliser, pair scores, and the labelled set's precision and
recall at the default threshold against a pg_trgm-like trigram baseline."""

from __future__ import annotations

import pytest

from app.services.similar_needs import DEFAULT_THRESHOLD
from app.services.text.normalise import features, grams, stem, words
from app.services.text.similarity import Index, similarity
from tests.similarity.labelled import NEEDS, QUERIES


def test_words_are_lower_cased_letters_with_aeoa_and_no_stop_words() -> None:
    assert words("Brøyting av FORTAU på Ålgård, 2 ganger i året!") == [
        "brøyting",
        "fortau",
        "ålgård",
        "ganger",
        "året",
    ]
    assert words("Eg veit ikkje kva dei skal gjere") == ["veit", "gjere"]


def test_stems_meet_across_inflection() -> None:
    assert stem("tjenester") == stem("tjenesten") == stem("tjeneste")
    assert stem("fortauene") == stem("fortau")


def test_a_compound_shares_grams_with_its_parts() -> None:
    compound = set(grams("hjemmetjenesten"))
    assert set(grams("tjenester")) & compound >= {"tjen", "jene", "enes", "nest", "este"}
    assert set(grams("hjemmet")) & compound >= {"hjem", "jemm", "emme", "mmet"}
    assert grams("vei") == ["vei"]
    assert features("") == {}


@pytest.mark.parametrize(
    ("a", "b", "low", "high"),
    [
        # Compound against its parts (bokmål).
        ("Bedre hjemmetjenesten for eldre", "Tjenester i hjemmet for de eldste", 0.2, 1.0),
        # Inflection: definite plural and passive.
        ("Brøyting av fortau om vinteren", "Fortauene brøytes for sjelden om vinteren", 0.3, 1.0),
        # Inflection and a derived compound.
        ("Lengre åpningstid på biblioteket", "Bibliotekets åpningstider bør utvides", 0.4, 1.0),
        # Unrelated texts score low.
        ("Digitale skjema for byggesøknad", "Bedre brøyting av gang- og sykkelveier", 0.0, 0.05),
        ("Skolebussen kommer for sent", "Sykehjemmet mangler ansatte på natta", 0.0, 0.05),
    ],
)
def test_pair_scores(a: str, b: str, low: float, high: float) -> None:
    assert low <= similarity(a, b) <= high
    assert similarity(a, b) == pytest.approx(similarity(b, a))


def test_a_text_is_most_similar_to_itself() -> None:
    assert similarity("Skolebussen kommer for sent", "Skolebussen kommer for sent") == (
        pytest.approx(1.0)
    )


def _trigrams(text: str) -> set[str]:
    """pg_trgm's trigrams: each lower-cased word padded with two spaces before, one after."""
    found: set[str] = set()
    for word in text.lower().split():
        token = "".join(c for c in word if c.isalnum())
        if token:
            padded = f"  {token} "
            found |= {padded[i : i + 3] for i in range(len(padded) - 2)}
    return found


def _trigram_similarity(a: str, b: str) -> float:
    ta, tb = _trigrams(a), _trigrams(b)
    return len(ta & tb) / len(ta | tb) if ta | tb else 0.0


def _precision_recall(best: dict[str, list[int]]) -> tuple[float, float]:
    """Precision over suggested (query, need) pairs and recall over the labelled duplicates."""
    suggested = sum(len(found) for found in best.values())
    right = sum(1 for query, expected in QUERIES if expected in best[query])
    duplicates = sum(1 for _, expected in QUERIES if expected is not None)
    return (right / suggested if suggested else 1.0), right / duplicates


def evaluate() -> dict[str, tuple[float, float]]:
    """Precision and recall of Pivotal's similarity and of the trigram baseline on the set."""
    index: Index[int] = Index.build(NEEDS)
    ours = {
        query: [key for key, _ in index.most_similar(query, min_score=DEFAULT_THRESHOLD, limit=5)]
        for query, _ in QUERIES
    }
    baseline = {
        query: [key for key, text in NEEDS if _trigram_similarity(query, text) >= 0.25]
        for query, _ in QUERIES
    }
    return {"pivotal": _precision_recall(ours), "trigram": _precision_recall(baseline)}


def test_the_labelled_set_reaches_the_issue_targets_and_beats_trigrams() -> None:
    figures = evaluate()
    precision, recall = figures["pivotal"]
    assert precision >= 0.8
    assert recall >= 0.7
    base_precision, base_recall = figures["trigram"]
    assert precision + recall > base_precision + base_recall

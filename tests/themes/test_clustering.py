"""Automatic themes on the labelled set: the groups match the known subjects (purity), the
needs on a subject of their own stay alone, and the labels are readable words of the group."""

from __future__ import annotations

from collections import Counter

from app.services.text.clustering import group
from tests.themes.labelled import NEEDS, SUBJECTS

DOCUMENTS = [(need_id, text) for need_id, _, text in NEEDS]
SUBJECT = {need_id: subject for need_id, subject, _ in NEEDS}


def test_every_group_holds_needs_of_one_subject() -> None:
    groups, _ = group(DOCUMENTS)
    grouped = sum(len(g.keys) for g in groups)
    agreeing = sum(Counter(SUBJECT[k] for k in g.keys).most_common(1)[0][1] for g in groups)
    assert agreeing / grouped == 1.0  # purity (docs/themes.md)
    assert all(SUBJECT[k] is not None for g in groups for k in g.keys)


def test_each_subject_is_at_most_two_groups_and_no_subject_need_is_left_alone() -> None:
    groups, alone = group(DOCUMENTS)
    per_subject = Counter(SUBJECT[g.keys[0]] for g in groups)
    assert set(per_subject) == set(SUBJECTS)
    assert max(per_subject.values()) <= 2
    assert sum(per_subject.values()) <= len(SUBJECTS) + 1
    assert sorted(alone) == [k for k, subject in SUBJECT.items() if subject is None]


def test_bokmal_and_nynorsk_needs_on_home_care_meet_in_one_group() -> None:
    groups, _ = group(DOCUMENTS)
    home = next(g for g in groups if SUBJECT[g.keys[0]] == "home")
    assert set(home.keys) == {k for k, subject in SUBJECT.items() if subject == "home"}


def test_labels_are_three_to_five_words_from_the_groups_own_texts() -> None:
    groups, _ = group(DOCUMENTS)
    texts = {need_id: text.lower() for need_id, text in DOCUMENTS}
    for g in groups:
        assert 3 <= len(g.words) <= 5
        for word in g.words:
            assert sum(word in texts[k] for k in g.keys) >= 1
    winter = next(g for g in groups if SUBJECT[g.keys[0]] == "winter")
    assert "vinteren" in winter.words
    library = next(g for g in groups if SUBJECT[g.keys[0]] == "library")
    assert library.words[0] == "biblioteket"


def test_grouping_is_deterministic_whatever_the_order_of_the_needs() -> None:
    forwards, _ = group(DOCUMENTS)
    backwards, _ = group(list(reversed(DOCUMENTS)))
    assert {frozenset(g.keys) for g in forwards} == {frozenset(g.keys) for g in backwards}
    assert forwards == group(DOCUMENTS)[0]


def test_no_needs_no_groups_and_one_need_alone() -> None:
    assert group([]) == ([], [])
    assert group([(1, "Brøyting av fortau om vinteren")]) == ([], [1])


def test_beyond_the_sample_the_other_needs_join_the_sampled_groups(monkeypatch) -> None:
    from app.services.text import clustering

    monkeypatch.setattr(clustering, "SAMPLE", 12)
    groups, alone = group(DOCUMENTS)
    grouped = sum(len(g.keys) for g in groups)
    agreeing = sum(Counter(SUBJECT[k] for k in g.keys).most_common(1)[0][1] for g in groups)
    assert agreeing / grouped >= 0.9
    assert grouped + len(alone) == len(DOCUMENTS)

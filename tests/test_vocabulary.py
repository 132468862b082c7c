"""Every enum with labels (the vocabulary's, and those the models register) has a label for every
member, translated in every language of the interface."""

from __future__ import annotations

from enum import StrEnum

import pytest

from app import i18n
from app.models.base import NeedStatus, OrganisationKind, Phase, Role
from app.models.document import DocumentAudience, DocumentKind
from app.models.membership import MembershipRole, MembershipStatus, VouchedBy
from app.models.proposal import ClaimDecision, ProposalStatus
from app.models.vocabulary import (
    LABELS,
    NOT_CONTRIBUTIONS,
    AuditAction,
    LiveKind,
    Verb,
    label_for,
    label_of,
)

ENUMS = sorted(LABELS, key=lambda enum: enum.__name__)


@pytest.mark.parametrize("enum", ENUMS, ids=lambda enum: enum.__name__)
def test_every_member_has_a_label(enum: type[StrEnum]) -> None:
    missing = [member.value for member in enum if member not in LABELS[enum]]
    assert missing == []


@pytest.mark.parametrize(
    "lang",
    sorted(set(i18n.LANGUAGES) - {"en"}),
)
@pytest.mark.parametrize("enum", ENUMS, ids=lambda enum: enum.__name__)
def test_every_label_is_translated(enum: type[StrEnum], lang: str) -> None:
    # In the catalog, not merely different: some words read the same ("Administrator").
    translated = i18n.catalog(lang)._catalog
    untranslated = [m.value for m in enum if LABELS[enum][m] not in translated]
    assert untranslated == []


def test_labels_read_in_the_current_language() -> None:
    with i18n.use_language("nb"):
        assert label_of(AuditAction.claim_decided) == "Krav om forretningshemmelighet avgjort"
    with i18n.use_language("en"):
        assert label_of(AuditAction.claim_decided) == "Secrecy claim decided"


def test_undoing_and_moderating_are_not_contributions() -> None:
    assert not Verb.hid_comment.is_contribution
    assert Verb.posted_need.is_contribution
    assert set(Verb) > NOT_CONTRIBUTIONS


def test_live_kinds_keep_their_wire_names() -> None:
    assert LiveKind.need_created == "need.created"
    assert LiveKind("event.counts") is LiveKind.event_counts


def test_the_models_enums_are_registered_with_their_labels() -> None:
    assert {Role, Phase, NeedStatus, OrganisationKind, DocumentKind, DocumentAudience} <= set(
        LABELS
    )
    assert {MembershipRole, MembershipStatus, VouchedBy, ProposalStatus, ClaimDecision} <= set(
        LABELS
    )


def test_a_stored_value_reads_as_its_enums_label() -> None:
    with i18n.use_language("en"):
        assert label_for(Role, "supplier") == "Supplier"
        assert label_for(MembershipRole, "supplier") == "Supplier staff"
        assert label_for(Phase, "no_such_phase") == "no_such_phase"

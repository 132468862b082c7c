"""Organisation numbers: nine digits, the last a mod-11 check digit (weights 3 2 7 6 5 4 3 2)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.demo import ORGANISATIONS
from app.models.organisation import OrganisationCreate, is_valid_org_number

VALID = ["942110464", "974767880"]  # Trondheim kommune, NTNU (remainder 0 gives check digit 0)


@pytest.mark.parametrize("number", VALID)
def test_real_organisation_numbers_are_valid(number: str) -> None:
    assert is_valid_org_number(number)


@pytest.mark.parametrize(
    "number",
    [
        "942110465",  # wrong check digit
        "974767881",
        "94211046",  # eight digits
        "9421104640",  # ten digits
        "94211046a",
        "",
        "12345678²",  # a digit to str.isdigit, not to int()
    ],
)
def test_malformed_or_wrong_check_digit_is_invalid(number: str) -> None:
    assert not is_valid_org_number(number)


def test_no_number_is_valid_where_the_check_digit_would_have_to_be_10() -> None:
    # 4*3 = 12, remainder 1, so the check digit would be 11 - 1 = 10
    assert not any(is_valid_org_number(f"40000000{digit}") for digit in range(10))


def test_the_demo_organisations_have_valid_numbers() -> None:
    for _key, name, _kind, number in ORGANISATIONS:
        assert is_valid_org_number(number), name


def test_organisation_create_accepts_a_number_written_with_spaces() -> None:
    org = OrganisationCreate(
        name="Trondheim kommune", kind="municipality", org_number="942 110 464"
    )
    assert org.org_number == "942110464"


def test_organisation_create_without_a_number_is_fine() -> None:
    org = OrganisationCreate(name="Forskergruppe", kind="research", org_number="")
    assert org.org_number is None


@pytest.mark.parametrize("number", ["942110465", "12345", "abcdefghi"])
def test_organisation_create_refuses_an_invalid_number(number: str) -> None:
    with pytest.raises(ValidationError, match="valid check digit"):
        OrganisationCreate(name="Feil AS", kind="supplier", org_number=number)

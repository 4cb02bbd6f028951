import pytest
from django.core.exceptions import ValidationError

from records.codes import make_uscc, validate_uscc
from records.personal_data import (
    make_id_number,
    mask_id_number,
    mask_id_numbers_in_text,
    validate_id_number,
)

# Real codes of public bodies, as published on their own sites.
REAL_CODES = [
    "11100000000013127D",  # 国家发展和改革委员会
    "91110000600037341L",  # a company (prefix 91)
]


@pytest.mark.parametrize("code", REAL_CODES)
def test_it_accepts_real_codes(code: str) -> None:
    validate_uscc(code)


def test_it_accepts_codes_that_start_with_letters_unlike_stdnum() -> None:
    from stdnum.cn import uscc

    code = make_uscc("N2330100123456789")
    validate_uscc(code)
    assert not uscc.is_valid(code), "stdnum rejects letter-prefixed codes: the reason for our wrapper"


def test_it_accepts_lower_case_and_spaces() -> None:
    validate_uscc(" 11100000000013127d ")


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("11100000000013127E", "uscc_check"),  # wrong check character
        ("1110000000001312", "uscc_length"),
        ("11100000000013127DD", "uscc_length"),
        ("1110000000001312IO", "uscc_alphabet"),  # I and O are not in the alphabet
        ("11AB0000000013127D", "uscc_alphabet"),  # region code must be digits
        ("Z1100000000013127D", "uscc_alphabet"),
    ],
)
def test_it_refuses_bad_codes_with_a_reason(code: str, error: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_uscc(code)
    assert caught.value.code == error


def test_it_refuses_prefixes_outside_the_configured_table(settings: object) -> None:
    code = make_uscc("B1330100123456789")
    with pytest.raises(ValidationError) as caught:
        validate_uscc(code)
    assert caught.value.code == "uscc_prefix"
    settings.USCC_PREFIXES = ["B1"]  # type: ignore[attr-defined]
    validate_uscc(code)


def test_it_accepts_id_numbers_ending_in_x() -> None:
    validate_id_number("33010219850312130X")
    validate_id_number("33010219850312130x")


def test_it_accepts_generated_id_numbers_whatever_the_county() -> None:
    import datetime

    # A county code created after the birth year: stdnum's validate() wrongly refuses such real numbers.
    validate_id_number(make_id_number("330110", datetime.date(1950, 5, 1), 17))


@pytest.mark.parametrize(
    ("number", "error"),
    [
        ("330102198503121301", "id_check"),  # wrong check digit
        ("33010219850312130", "id_number_format"),  # 17 characters
        ("3301021985031213XX", "id_number_format"),
        ("330102198502301301", "id_birth"),  # 30 February
        ("330102230001011234", "id_birth"),  # born in 2300
    ],
)
def test_it_refuses_bad_id_numbers(number: str, error: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_id_number(number)
    assert caught.value.code == error


def test_it_masks_all_but_the_first_and_last_four() -> None:
    assert mask_id_number("33010219850312130X") == "3301**********130X"


def test_it_masks_id_numbers_inside_free_text() -> None:
    text = "lookup 33010219850312130X failed; order 1234567890123456789012 untouched"
    assert mask_id_numbers_in_text(text) == "lookup 3301**********130X failed; order 1234567890123456789012 untouched"

import pytest
from django.core.exceptions import ValidationError
from stdnum.cn import ric as stdnum_ric

from subjects.codes import make_uscc, validate_uscc
from subjects.personal_data import (
    id_number_check_digit,
    make_id_number,
    mask_id_number,
    mask_id_numbers_in_text,
    validate_id_number,
)
from tests import published_ids

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


@pytest.mark.parametrize("number", published_ids.VALID)
def test_it_accepts_numbers_whose_check_character_follows_the_standard(number: str) -> None:
    validate_id_number(number)
    validate_id_number(f" {number.lower()} ")


@pytest.mark.parametrize("number", published_ids.WRONG_CHECK)
def test_it_refuses_numbers_whose_check_character_breaks_the_standard(number: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_id_number(number)
    assert caught.value.code == "id_check"
    assert caught.value.messages == ["身份证号码的校验码错误。"]


def test_the_check_character_is_that_of_the_standard_s_examples() -> None:
    for number in (published_ids.STANDARD_EXAMPLE, published_ids.STANDARD_SECOND_EXAMPLE):
        assert id_number_check_digit(number[:17]) == number[17]


@pytest.mark.parametrize(
    "first_17", ["1101051949123100", "110105194912310022", "1101051949123100Ｘ", "１１０１０５１９４９１２３１００２"]
)
def test_the_check_character_needs_exactly_17_ascii_digits(first_17: str) -> None:
    with pytest.raises(ValueError):
        id_number_check_digit(first_17)


def test_generated_numbers_carry_the_standard_check_character() -> None:
    import datetime

    # Checked with python-stdnum, called as it expects (the whole number): an oracle independent of our code.
    for sequence in range(1, 23):
        number = make_id_number("110105", datetime.date(1949, 12, 31), sequence)
        assert stdnum_ric.calc_check_digit(number) == number[17], number
    assert make_id_number("110105", datetime.date(1949, 12, 31), 2) == published_ids.STANDARD_EXAMPLE


def test_it_accepts_generated_id_numbers_whatever_the_county() -> None:
    import datetime

    # A county code created after the birth year: stdnum's validate() wrongly refuses such real numbers.
    validate_id_number(make_id_number("330110", datetime.date(1950, 5, 1), 17))


@pytest.mark.parametrize(
    ("number", "error"),
    [
        ("33010219850312148", "id_number_format"),  # 17 characters
        ("3301021985031214XX", "id_number_format"),
        ("３３０１０２１９８５０３１２１４８X", "id_number_format"),  # full-width digits
        ("330102198502301301", "id_birth"),  # 30 February
        ("330102230001011234", "id_birth"),  # born in 2300
    ],
)
def test_it_refuses_bad_id_numbers(number: str, error: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_id_number(number)
    assert caught.value.code == error


def test_it_masks_all_but_the_first_and_last_four() -> None:
    assert mask_id_number("33010219850312148X") == "3301**********148X"


def test_it_masks_id_numbers_inside_free_text() -> None:
    text = "lookup 33010219850312148X failed; order 1234567890123456789012 untouched"
    assert mask_id_numbers_in_text(text) == "lookup 3301**********148X failed; order 1234567890123456789012 untouched"

"""How a civil servant appears on the public site (subjects/masking.py)."""

import pytest

from subjects.masking import mask_person_name, redact_person_text
from tests import published_ids


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("张伟", "张某"),
        ("李娜娜", "李某"),
        ("欧阳娜娜", "欧阳某"),
        ("司马光", "司马某"),
        ("欧阳", "欧某"),  # two characters: a surname and a given name, not a compound surname alone
        (" 王五 ", "王某"),
        ("", "某"),
    ],
)
def test_a_name_becomes_surname_and_mou(name: str, shown: str) -> None:
    assert mask_person_name(name) == shown


def test_free_text_loses_the_full_name_and_any_id_number() -> None:
    text = "张伟（身份证号33010219850312148X，又记作33010219850312148x）违规收受礼金，张伟已退还。"

    assert (
        redact_person_text(text, full_name="张伟") == "张某（身份证号******，又记作******）违规收受礼金，张某已退还。"
    )


@pytest.mark.parametrize("number", published_ids.VALID)
def test_every_number_with_the_standard_check_character_is_removed(number: str) -> None:
    text = f"当事人身份证号{number}，已核实。"

    assert redact_person_text(text, full_name="") == "当事人身份证号******，已核实。"


def test_a_number_typed_in_full_width_digits_is_removed_too() -> None:
    full_width = published_ids.STANDARD_EXAMPLE[:17].translate(str.maketrans("0123456789", "０１２３４５６７８９"))

    assert redact_person_text(f"身份证号{full_width}X。", full_name="") == "身份证号******。"


def test_codes_that_are_not_id_numbers_stay() -> None:
    # An organ's 18-character code and a number whose "birth date" is impossible are not ID numbers.
    text = "决定机关代码11330100MB1234567X，案号123456199913451234。"

    assert redact_person_text(text, full_name="") == text


def test_a_number_inside_a_longer_code_is_left_alone() -> None:
    text = "A33010219850312148X9"

    assert redact_person_text(text, full_name="") == text

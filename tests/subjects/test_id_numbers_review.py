"""`manage.py id_numbers_review`: stored ID numbers that break GB 11643, listed masked for an administrator."""

import io

import pytest
from django.core.management import CommandError, call_command

from subjects.models import CivilServant
from tests import published_ids
from tests.conftest import City
from tests.factories import make_person


def stored_as(person: CivilServant, number: str) -> CivilServant:
    # What the old check-character defect let in: written under the model, past today's validator.
    person.set_id_number(number)
    person.save(update_fields=["id_number_digest", "id_number_cipher", "id_number_masked"])
    return person


def review(*args: str) -> str:
    out = io.StringIO()
    call_command("id_numbers_review", *args, stdout=out)
    return out.getvalue()


def test_it_lists_each_invalid_number_masked_with_the_person_and_the_reason(world: City) -> None:
    wrong = stored_as(make_person(world.agency_a, "刘洋"), published_ids.STANDARD_EXAMPLE_WRONG)
    old_persona = stored_as(make_person(world.unit_a, "陈静"), "33010219850312130X")
    make_person(world.agency_a, "王芳", id_number=published_ids.STANDARD_EXAMPLE)

    lines = review().splitlines()

    assert lines[0].split("\t") == ["人员编号", "姓名", "单位", "身份证号码", "问题"]
    assert lines[1].split("\t") == [
        str(wrong.pk),
        "刘洋",
        f"东城区财政局 ({world.agency_a.uscc})",
        "1101**********0022",
        "身份证号码的校验码错误。",
    ]
    assert lines[2].split("\t") == [
        str(old_persona.pk),
        "陈静",
        f"东城区财政局国库支付中心 ({world.unit_a.uscc})",
        "3301**********130X",
        "身份证号码的校验码错误。",
    ]
    # person_a, person_b and 王芳 carry valid numbers: 2 of the 5 stored are listed.
    assert lines[3:] == ["5 个已存身份证号码中有 2 个无效。"]


def test_it_never_prints_a_full_number(world: City) -> None:
    stored_as(make_person(world.agency_a), published_ids.STANDARD_EXAMPLE_WRONG)
    stored_as(make_person(world.agency_b), "110105194912310012")

    output = review()

    for number in (published_ids.STANDARD_EXAMPLE_WRONG, "110105194912310012", "33010219850312148X"):
        assert number not in output
    assert "1101**********0012" in output


def test_it_says_so_when_every_number_is_valid(world: City) -> None:
    assert review().splitlines() == ["2 个已存身份证号码中有 0 个无效。"]


def test_it_can_be_limited_to_an_agency_and_those_below_it(world: City) -> None:
    below = stored_as(make_person(world.unit_a), published_ids.STANDARD_EXAMPLE_WRONG)
    stored_as(make_person(world.agency_b), "110105194912310012")

    lines = review("--agency", world.agency_a.uscc.lower()).splitlines()

    assert [line.split("\t")[0] for line in lines[1:-1]] == [str(below.pk)]
    assert lines[-1] == "2 个已存身份证号码中有 1 个无效。"  # person_a and the one below agency A


def test_an_unknown_agency_is_an_error(world: City) -> None:
    with pytest.raises(CommandError, match="没有统一社会信用代码为 11330100000000000X 的单位"):
        review("--agency", "11330100000000000X")


def test_a_number_encrypted_under_another_key_is_listed_not_fatal(world: City, settings: object) -> None:
    person = make_person(world.agency_a, "刘洋")
    settings.PERSONAL_DATA_KEY = "a-key-rotated-since"  # type: ignore[attr-defined]
    stored_as(person, published_ids.STANDARD_EXAMPLE)  # encrypted under the new key; the others are not

    lines = review().splitlines()

    others = CivilServant.objects.exclude(pk=person.pk).order_by("pk").values_list("pk", flat=True)
    assert [int(line.split("\t")[0]) for line in lines[1:-1]] == list(others)
    assert lines[1].endswith("已存号码无法用当前的 PERSONAL_DATA_KEY 解密。")

"""How a civil servant appears on the public site: surname + 某, and never an ID number (docs/domain.md §2).

The public site never shows a person's full name or any form of their resident ID number, masked or not; a record
about a civil servant names them as 张某 / 欧阳某. The same rule covers the record's free text, where an entry clerk
may have written the name or the number out.
"""

import datetime
import re

from subjects.personal_data import id_number_check_digit

# 复姓 still in use: the surname is the first two characters. Anything else takes the first character.
COMPOUND_SURNAMES = frozenset(
    (  # noqa: SIM905 - a list of sixty two-character surnames reads better as text
        "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 司空 夏侯 轩辕 令狐 端木 独孤 南宫 西门 "
        "百里 呼延 万俟 申屠 太史 闻人 东郭 公冶 濮阳 澹台 单于 钟离 赫连 拓跋 第五 左丘 谷梁 宗政 公羊 梁丘 "
        "闾丘 亓官 司寇 子车 颛孙 巫马 公西 漆雕 乐正 壤驷 公良 夹谷 宰父 微生 羊舌 东门 公仪 段干 呼和"
    ).split()
)
MASK = "某"
# 18 characters shaped like a resident ID number, not part of a longer code.
ID_NUMBER_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
ID_REDACTED = "******"


def surname_of(name: str) -> str:
    name = name.strip()
    if len(name) > 2 and name[:2] in COMPOUND_SURNAMES:
        return name[:2]
    return name[:1]


def mask_person_name(name: str) -> str:
    """张伟 → 张某, 欧阳娜娜 → 欧阳某; an empty name is just 某."""
    return surname_of(name) + MASK


def _looks_like_id_number(candidate: str) -> bool:
    # An 18-digit code can be something else (an organ's USCC): a real birth date and check character make an ID.
    # \d matched any decimal digit, full-width ones included (a clerk's IME types those): read them as ASCII.
    number = "".join(str(int(c)) if c.isdecimal() else c for c in candidate.upper())
    try:
        born = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        return born.year >= 1900 and id_number_check_digit(number[:17]) == number[17]
    except ValueError:
        return False


def redact_person_text(text: str, *, full_name: str) -> str:
    """The record's free text with the subject's full name masked and any ID number removed."""
    if full_name.strip():
        text = text.replace(full_name.strip(), mask_person_name(full_name))
    return ID_NUMBER_IN_TEXT.sub(lambda m: ID_REDACTED if _looks_like_id_number(m.group(0)) else m.group(0), text)

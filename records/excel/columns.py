"""The columns of the dishonesty-record workbook and the Chinese labels of their allowed values.

Headers and allowed values are Chinese and fixed: they are data shared with the agencies' own spreadsheets, not
interface text, so they do not change with the interface language. A choice is accepted by its Chinese label, its
code (`breach_of_contract`) or its label in the interface's Chinese catalogue.
"""

import unicodedata
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from accounts.models import Sector
from records.models import RecordSource, RecordStatus, Severity, SpecialField
from records.rules import MAX_LENGTHS

DATA_SHEET = "失信记录"
HELP_SHEET = "填写说明"
LISTS_SHEET = "可选值"

SOURCE_LABELS: dict[str, str] = {
    RecordSource.JUDICIAL_JUDGMENT: "司法判决",
    RecordSource.ADMINISTRATIVE_PENALTY: "行政处罚",
    RecordSource.DISCIPLINARY_SANCTION: "纪律处分",
    RecordSource.GOVERNMENT_SANCTION: "政务处分",
    RecordSource.ACCOUNTABILITY: "问责处理",
    RecordSource.DISHONEST_DEBTOR: "被列为失信被执行人",
    RecordSource.UTILITY_ARREARS: "水电费欠缴",
    RecordSource.BREACH_OF_CONTRACT: "违约毁约",
    RecordSource.BROKEN_COMMITMENT: "违背公开承诺",
    RecordSource.SECTOR_FINDING: "重点领域认定",
    RecordSource.OTHER: "其他",
}
SECTOR_LABELS: dict[str, str] = {
    Sector.PROCUREMENT: "政府采购",
    Sector.PPP: "政府和社会资本合作（PPP）",
    Sector.TENDERING: "招标投标",
    Sector.INVESTMENT: "招商引资",
    Sector.DEBT: "政府债务",
    Sector.STREETS_TOWNS: "街道和乡镇",
    Sector.ENVIRONMENT: "环境保护",
    Sector.SUBSIDIES: "财政补贴",
    Sector.LAW_ENFORCEMENT: "行政执法",
    Sector.OTHER: "其他",
}
SEVERITY_LABELS: dict[str, str] = {Severity.MINOR: "轻微", Severity.GENERAL: "一般", Severity.SERIOUS: "严重"}
SPECIAL_FIELD_LABELS: dict[str, str] = {
    SpecialField.NONE: "无",
    SpecialField.WORK_SAFETY: "安全生产",
    SpecialField.FIRE_SAFETY: "消防安全",
    SpecialField.SPECIAL_EQUIPMENT: "特种设备",
}
STATUS_LABELS: dict[str, str] = {
    RecordStatus.DRAFT: "草稿",
    RecordStatus.AWAITING_REVIEW: "待审核",
    RecordStatus.SUBMITTED: "已提交",
    RecordStatus.RETURNED: "已退回",
    RecordStatus.PUBLISHED: "已发布",
    RecordStatus.CORRECTED: "已更正",
    RecordStatus.REVOKED: "已撤销",
    RecordStatus.REPAIRED: "已信用修复",
    RecordStatus.EXPIRED: "已到期",
}
CHOICES: dict[str, tuple[type[models.TextChoices], dict[Any, str]]] = {
    "source": (RecordSource, SOURCE_LABELS),
    "sector": (Sector, SECTOR_LABELS),
    "severity": (Severity, SEVERITY_LABELS),
    "special_field": (SpecialField, SPECIAL_FIELD_LABELS),
}

CODE, ID_NUMBER, TEXT, CHOICE, DATE, AMOUNT = "code", "id_number", "text", "choice", "date", "amount"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str
    required: bool
    help: Promise
    max_length: int | None = None
    width: int = 16
    # The record's input (records.rules' name) the column gives, when it is not `key`: its rules and messages apply.
    gives: str = ""
    # What the explanation sheet lists as the allowed values, when the column's kind does not say it.
    allowed: Promise | None = None

    @property
    def field(self) -> str:
        return self.gives or self.key


COLUMNS: tuple[Column, ...] = (
    Column(
        "subject_uscc",
        "被记录单位统一社会信用代码",
        CODE,
        True,
        gettext_lazy("The 18-character Unified Social Credit Code of the agency the record is about."),
        width=24,
        gives="subject_agency",
    ),
    Column(
        "subject_name",
        "被记录单位名称",
        TEXT,
        True,
        gettext_lazy("The agency's name as registered in this system; it must match the code."),
        200,
        width=24,
    ),
    Column(
        "person_id_number",
        "公务人员身份证号",
        ID_NUMBER,
        False,
        gettext_lazy(
            "Only for a record about a civil servant: his or her resident ID number. The person must be registered "
            "in the agency above. Leave empty for a record about the agency."
        ),
        width=22,
        gives="subject_person",
    ),
    Column("source", "失信来源", CHOICE, True, gettext_lazy("Where the finding comes from.")),
    Column("sector", "行业领域", CHOICE, True, gettext_lazy("The field the dishonest conduct belongs to.")),
    Column(
        "severity",
        "严重程度",
        CHOICE,
        True,
        gettext_lazy("The tier decides how long the record is disclosed (the rule in force on the decision date)."),
        width=10,
    ),
    Column(
        "special_field",
        "特殊领域",
        CHOICE,
        False,
        gettext_lazy("Fields with longer minimum disclosure under some rules; leave empty if none."),
        width=10,
    ),
    Column(
        "document_number",
        "文书号",
        TEXT,
        True,
        gettext_lazy("The number of the deciding document; unique for each deciding body."),
        MAX_LENGTHS["document_number"],
        width=22,
    ),
    Column(
        "deciding_body_name",
        "决定机关名称",
        TEXT,
        True,
        gettext_lazy("The body that took the decision."),
        MAX_LENGTHS["deciding_body_name"],
    ),
    Column(
        "deciding_body_uscc",
        "决定机关统一社会信用代码",
        CODE,
        True,
        gettext_lazy("The deciding body's Unified Social Credit Code."),
        width=24,
    ),
    Column(
        "decision_date",
        "决定日期",
        DATE,
        True,
        gettext_lazy("The date of the deciding document: an Excel date or text such as 2026-06-01; not in the future."),
        width=12,
    ),
    Column("facts", "失信事实", TEXT, True, gettext_lazy("What happened."), MAX_LENGTHS["facts"], width=40),
    Column(
        "legal_basis",
        "法律依据",
        TEXT,
        True,
        gettext_lazy("The provisions the decision relies on."),
        MAX_LENGTHS["legal_basis"],
        width=30,
    ),
    Column("categories", "类别", TEXT, False, gettext_lazy("Free categories, optional."), MAX_LENGTHS["categories"]),
    Column(
        "fine_amount",
        "罚款金额（万元）",
        AMOUNT,
        False,
        gettext_lazy("In units of 10,000 yuan, zero or more; optional."),
        width=14,
    ),
    Column(
        "other_amount",
        "其他金额（万元）",
        AMOUNT,
        False,
        gettext_lazy("In units of 10,000 yuan, zero or more; optional."),
        width=14,
    ),
    Column(
        "loss_description",
        "损失情况",
        TEXT,
        False,
        gettext_lazy("The loss caused; optional."),
        MAX_LENGTHS["loss_description"],
        width=30,
    ),
    Column("social_impact", "社会影响", TEXT, False, gettext_lazy("The social impact; optional."), width=30),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
TEXT_FORMAT_KINDS = frozenset({CODE, ID_NUMBER, TEXT, CHOICE})


def choice_labels(key: str) -> dict[str, str]:
    """Code → the Chinese label the template offers."""
    _enum, labels = CHOICES[key]
    return {str(code): label for code, label in labels.items()}


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().lower()


def choice_lookup(key: str) -> dict[str, str]:
    """Folded Chinese label, code or catalogue label → code."""
    enum, labels = CHOICES[key]
    return labels_lookup(enum, labels)


def labels_lookup(enum: type[models.TextChoices], labels: dict[Any, str]) -> dict[str, str]:
    """Folded Chinese label (`labels`: code → label), code or catalogue label of `enum` → code."""
    lookup: dict[str, str] = {}
    with translation.override("zh-hans"):
        for choice in enum:
            lookup[fold(str(choice.label))] = choice.value
    for choice in enum:
        lookup[fold(choice.value)] = choice.value
        lookup[fold(labels[choice])] = choice.value
        lookup[labels[choice]] = choice.value  # as typed: found without folding
    lookup.pop("", None)
    return lookup

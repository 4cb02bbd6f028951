"""The columns of the commitments workbook, the Chinese labels of their allowed values, and the import template."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commitments import rules
from commitments.models import CommitmentKind, CommitmentStatus, ServiceArea
from records.excel.columns import CHOICE, CODE, DATE, ID_NUMBER, TEXT, Column
from records.excel.template import workbook_template

DATA_SHEET = "公开承诺"
HELP_SHEET = "填写说明"
LISTS_SHEET = "可选值"
TEMPLATE_NAME = "公开承诺导入模板.xlsx"
EXPORT_NAME = "公开承诺导出"
NUMBER, YEAR = "number", "year"

# Allowed values in Chinese, fixed: they are data shared with the agencies' own spreadsheets, not interface text (as
# records/excel/columns.py says of its own). A value is accepted by its label here, its code or its catalogue label.
KIND_LABELS: dict[str, str] = {
    CommitmentKind.SERVICE_QUALITY: "服务质量承诺",
    CommitmentKind.TIME_LIMIT: "办理时限承诺",
    CommitmentKind.GUARANTEE: "保障承诺",
    CommitmentKind.INVESTMENT_POLICY: "招商引资政策承诺",
    CommitmentKind.ENVIRONMENT_TARGET: "环境保护目标承诺",
    CommitmentKind.TOWN_SERVICE: "街道乡镇公共服务承诺",
    CommitmentKind.PUBLIC_INSTITUTION: "事业单位承诺",
    CommitmentKind.WORK_REPORT_TARGET: "政府工作报告目标",
}
SERVICE_AREA_LABELS: dict[str, str] = {
    ServiceArea.EMPLOYMENT: "就业",
    ServiceArea.PROPERTY: "物业",
    ServiceArea.SCHOOLING: "就学",
    ServiceArea.HOUSEKEEPING: "家政",
    ServiceArea.FAMILY_PLANNING: "计生",
    ServiceArea.ELDERLY_CARE: "养老",
    ServiceArea.DISABILITY: "助残",
    ServiceArea.POVERTY: "扶贫",
    ServiceArea.MEDICAL_INSURANCE: "医保",
    ServiceArea.HOUSING: "住房",
    ServiceArea.TRANSPORT: "出行",
    ServiceArea.PARKING: "停车",
    ServiceArea.SAFETY: "防火防盗",
    ServiceArea.MILITARY_FAMILIES: "拥军优属",
    ServiceArea.CONVENIENCE: "便民服务",
}
STATUS_LABELS: dict[str, str] = {
    CommitmentStatus.DRAFT: "草稿",
    CommitmentStatus.SUBMITTED: "已提交",
    CommitmentStatus.PUBLISHED: "已公开",
    CommitmentStatus.IN_PROGRESS: "推进中",
    CommitmentStatus.STALLED: "停滞",
    CommitmentStatus.KEPT: "已兑现",
    CommitmentStatus.PARTLY_KEPT: "部分兑现",
    CommitmentStatus.BROKEN: "未兑现",
    CommitmentStatus.CHANGED: "依法变更",
    CommitmentStatus.WITHDRAWN: "已撤回",
}
CHOICES: dict[str, tuple[type[models.TextChoices], dict[str, str]]] = {
    "kind": (CommitmentKind, KIND_LABELS),
    "service_area": (ServiceArea, SERVICE_AREA_LABELS),
}


def _limit(name: str) -> int:
    return rules.LIMITS[name]


COLUMNS: tuple[Column, ...] = (
    Column(
        "agency_uscc",
        "承诺单位统一社会信用代码",
        CODE,
        False,
        gettext_lazy(
            "The promising agency's Unified Social Credit Code. Give the code or the name (or both, which must match)."
        ),
        width=24,
        gives="agency",
    ),
    Column(
        "agency_name",
        "承诺单位名称",
        TEXT,
        False,
        gettext_lazy(
            "The agency's name as registered in this system; the name alone is enough when no other agency has it."
        ),
        200,
        width=24,
        gives="agency",
    ),
    Column("kind", "承诺类型", CHOICE, True, gettext_lazy("What kind of promise it is."), width=18),
    Column(
        "service_area",
        "服务事项",
        CHOICE,
        False,
        gettext_lazy("Only for a sub-district or town public-service commitment, which must give one."),
        width=12,
    ),
    Column("title", "承诺事项", TEXT, True, gettext_lazy("A short title."), _limit("title"), width=24),
    Column("content", "承诺内容", TEXT, True, gettext_lazy("What is promised."), _limit("content"), width=40),
    Column(
        "baseline",
        "基准值",
        NUMBER,
        False,
        gettext_lazy("Where a measurable target starts from; optional."),
        allowed=gettext_lazy("A number"),
        width=10,
    ),
    Column(
        "target_value",
        "目标值",
        NUMBER,
        False,
        gettext_lazy("The measurable target. Give a target value or a recurring standard."),
        allowed=gettext_lazy("A number"),
        width=10,
    ),
    Column(
        "unit", "计量单位", TEXT, False, gettext_lazy("The unit of the values; optional."), _limit("unit"), width=10
    ),
    Column(
        "recurring_standard",
        "常态化标准",
        TEXT,
        False,
        gettext_lazy("For example: at most 5 working days a case. Give a target value or a recurring standard."),
        _limit("recurring_standard"),
        width=24,
    ),
    Column(
        "source_document_number",
        "承诺文件文号",
        TEXT,
        True,
        gettext_lazy("The number of the document that made the promise."),
        _limit("source_document_number"),
        width=20,
    ),
    Column("source_date", "承诺文件日期", DATE, True, gettext_lazy("The date of that document."), width=12),
    Column(
        "source_url",
        "文件链接",
        TEXT,
        False,
        gettext_lazy("Where the document is published (http or https); optional."),
        _limit("source_url"),
        width=24,
    ),
    Column("promised_on", "承诺日期", DATE, True, gettext_lazy("The date of the promise."), width=12),
    Column(
        "due_on",
        "兑现期限",
        DATE,
        True,
        gettext_lazy("The date by which the promise is kept; not before the date of the promise."),
        width=12,
    ),
    Column(
        "year",
        "年度",
        YEAR,
        True,
        gettext_lazy("The year of the commitment: the year it is due or the year before."),
        allowed=gettext_lazy("A year such as 2026"),
        width=8,
    ),
    Column(
        "liability",
        "违诺责任",
        TEXT,
        True,
        gettext_lazy("What liability breaking the promise carries."),
        _limit("liability"),
        width=30,
    ),
    Column(
        "person_name",
        "责任人姓名",
        TEXT,
        False,
        gettext_lazy("The responsible civil servant of the promising agency, by name; optional."),
        50,
        width=10,
        gives="responsible_person",
    ),
    Column(
        "person_id_number",
        "责任人身份证号",
        ID_NUMBER,
        False,
        gettext_lazy(
            "The responsible person's resident ID number, needed when two people of the agency share the name. "
            "A number masked as the export writes it is checked against the person named."
        ),
        width=22,
        gives="responsible_person",
    ),
    Column(
        "counterparty_name",
        "相对人名称",
        TEXT,
        False,
        gettext_lazy("The party the promise was made to, if any; optional."),
        _limit("counterparty_name"),
        width=20,
    ),
    Column(
        "counterparty_uscc",
        "相对人统一社会信用代码",
        CODE,
        False,
        gettext_lazy("The counterparty's code; with a code, the name is needed too."),
        width=24,
    ),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
# Written by the export after the template's columns; the import ignores them.
EXPORT_EXTRA_HEADERS = ("承诺编号", "状态", "进度（%）", "最近进展日期")
# The rules of commitments.rules that a row can break across its columns, in its words, for the explanation sheet.
TEMPLATE_RULES = (
    "target",
    "due_before_promise",
    "year_of_due",
    "service_area_needed",
    "service_area_only_towns",
    "counterparty_code",
    "person_elsewhere",
)


def choice_labels(key: str) -> dict[str, str]:
    _enum, labels = CHOICES[key]
    return {str(code): label for code, label in labels.items()}


def import_max_rows() -> int:
    return int(settings.COMMITMENT_IMPORT_MAX_ROWS)


# The template -------------------------------------------------------------------------------------------------


def build_template() -> bytes:
    """The import workbook: the data sheet with drop-down lists for the kind and the service area, the explanation
    sheet (every column, then the rules of commitments.rules) and the hidden lists."""
    return workbook_template(
        columns=COLUMNS,
        labels=choice_labels,
        data_sheet=DATA_SHEET,
        help_sheet=HELP_SHEET,
        lists_sheet=LISTS_SHEET,
        intro=[
            _("Fill in one public commitment per row of the sheet “%(sheet)s”.") % {"sheet": DATA_SHEET},
            _(
                "Do not change the first row, merge cells or use formulas. Type codes and ID numbers as text. "
                "Columns in red are required. Name the promising agency by its code or its name. Nothing is "
                "imported until every row is correct; the check lists every error with its row. The rows become "
                "drafts that the agency's reviewer submits."
            ),
            _("At most %(rows)d rows can be imported at once.") % {"rows": import_max_rows()},
        ],
        rules=[str(rules.OTHER[name]) for name in TEMPLATE_RULES],
        max_rows=import_max_rows(),
    )

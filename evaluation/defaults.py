"""The default indicator set (docs/evaluation.md, DOMAIN-ROUND2 §3): 6 first-level and 22 second-level indicators,
weights summing to 100, modelled on Tianjin DB12/T 1407-2024; grades A ≥ 90, B ≥ 80, C ≥ 60, D; five veto rules."""

from decimal import Decimal
from typing import Any

from django.db import transaction

from evaluation.models import GradeRule, Indicator, IndicatorSet, VetoKind, VetoRule
from subjects.models import AgencyKind

UNIT_KINDS = [
    AgencyKind.GOVERNMENT,
    AgencyKind.DEPARTMENT,
    AgencyKind.PUBLIC_INSTITUTION,
    AgencyKind.SUBDISTRICT,
    AgencyKind.TOWN,
    AgencyKind.DEVELOPMENT_ZONE,
]
STREETS: list[str] = [AgencyKind.SUBDISTRICT, AgencyKind.TOWN]

# (code, name, weight, basis, [(code, name, weight, formula, source, params, applies_to, basis)])
L2 = tuple[str, str, int, str, str, dict[str, Any], list[str], str]
TABLE: list[tuple[str, str, int, str, list[L2]]] = [
    (
        "A",
        "基本诚信状况",
        25,
        "DB12/T 1407-2024 一级指标",
        [
            (
                "A1",
                "失信记录",
                10,
                "deduction",
                "records.published_by_severity",
                {"per_item": {"serious": 5, "general": 2, "minor": "0.5"}},
                [],
                "种子000§(五)：按失信程度扣分",
            ),
            (
                "A2",
                "失信被执行人及欠缴公用事业费",
                5,
                "deduction",
                "records.dishonest_debtor",
                {"per_item": {"listed": 5, "delisted": "2.5"}},
                [],
                "种子003§四(四)；发改财金〔2023〕1103号",
            ),
            (
                "A3",
                "诚信教育培训覆盖",
                5,
                "manual",
                "",
                {},
                [],
                "种子000§(四)：3×培训覆盖率+2×(1−有记录人员占比)，暂人工评分",
            ),
            ("A4", "限期整改按时完成", 5, "rate", "records.rectifications_on_time", {}, [], "种子000§(六)"),
        ],
    ),
    (
        "B",
        "信用合规",
        15,
        "DB12/T 1407-2024 一级指标",
        [
            ("B1", "生效判决按期履行", 5, "rate", "supervision.judgments_performed", {}, [], "种子001§7"),
            ("B2", "负责人出庭应诉", 4, "rate", "supervision.heads_in_court", {}, [], "法释〔2020〕3号"),
            ("B3", "行政诉讼胜诉", 3, "rate", "supervision.litigation_won", {}, [], "河南做法（其他地区实践）"),
            ("B4", "报送信息准确（异议成立率）", 3, "rate", "repair.objections_upheld", {}, [], "种子002§三(二)3"),
        ],
    ),
    (
        "C",
        "履约践诺",
        30,
        "DB12/T 1407-2024 一级指标",
        [
            (
                "C1",
                "政务承诺兑现",
                8,
                "rate",
                "commitments.kept",
                {"partial": "0.5"},
                [],
                "种子003§四(七)：部分兑现计一半",
            ),
            (
                "C2",
                "中小企业账款按期支付",
                8,
                "rate",
                "sectors.sme_paid_on_time",
                {"penalty": {"arrears": 2}},
                [],
                "《保障中小企业款项支付条例》：按金额计按期支付率，期末拖欠每笔扣2分",
            ),
            ("C3", "PPP、招商引资合同义务履行", 6, "rate", "sectors.obligations_met", {}, [], "种子000§(九)(十一)"),
            (
                "C4",
                "政府债务风险与信息公开",
                5,
                "tier",
                "sectors.debt_tier",
                {"tiers": [[120, 1], [200, "0.6"], [300, "0.2"]], "else": 0, "penalty": {"late_disclosure": 1}},
                [AgencyKind.GOVERNMENT],
                "种子000§(十三)：绿/黄/橙/红 5/3/1/0 分，迟延公开每次扣1分",
            ),
            (
                "C5",
                "街镇服务承诺兑现",
                3,
                "rate",
                "commitments.street_service_kept",
                {"partial": "0.5"},
                STREETS,
                "种子000§(十四)",
            ),
        ],
    ),
    (
        "D",
        "失信惩戒",
        10,
        "DB12/T 1407-2024 一级指标",
        [
            ("D1", "惩戒措施落实", 4, "rate", "records.measures_executed", {}, [], "种子001§二(一)"),
            (
                "D2",
                "违约投诉按时办结",
                3,
                "rate",
                "supervision.breach_complaints_on_time",
                {},
                [],
                "发改财金〔2023〕1103号",
            ),
            ("D3", "异议、投诉、修复按时办理", 3, "rate", "repair.cases_on_time", {}, [], "种子002§三"),
        ],
    ),
    (
        "E",
        "社会监督",
        15,
        "本系统建议（P）",
        [
            (
                "E1",
                "人大建议政协提案按时办复",
                4,
                "rate",
                "supervision.suggestion_replies_on_time",
                {},
                [],
                "种子001§6",
            ),
            ("E2", "人大建议政协提案办理满意", 3, "rate", "supervision.suggestion_satisfaction", {}, [], "种子001§6"),
            (
                "E3",
                "12345热线及举报按时办结满意",
                4,
                "rate",
                "supervision.hotline_on_time_satisfied",
                {},
                [],
                "本系统建议（P）",
            ),
            ("E4", "督查台账任务完成", 4, "rate", "supervision.tasks_done", {}, [], "种子004附件"),
        ],
    ),
    (
        "F",
        "信用创新",
        5,
        "DB12/T 1407-2024 一级指标",
        [
            ("F1", "信用创新与经验推广", 3, "manual", "", {}, [], "种子004§三(四)：人工评分并附证明"),
            (
                "F2",
                "诚信街道（乡镇）命名",
                2,
                "tier",
                "sectors.honest_named",
                {"tiers": [[1, 0]], "else": 1},
                STREETS,
                "种子000§(十四)、004§二(三)6",
            ),
        ],
    ),
]
GRADES = [("A", "优秀", 90), ("B", "良好", 80), ("C", "合格", 60), ("D", "不合格", 0)]
VETOES = [
    ("V1", VetoKind.DISHONEST_DEBTOR, "records.dishonest_debtor", "listed", "种子001§14、003§四(四)"),
    ("V2", VetoKind.SERIOUS_RECORD, "records.published_by_severity", "serious", "种子001§二(一)3"),
    ("V3", VetoKind.RECTIFICATION_OVERDUE, "records.rectifications_on_time", "overdue", "种子001§14"),
    ("V4", VetoKind.BOND_DEFAULT, "sectors.debt_tier", "default", "本系统建议（P）"),
    ("V5", VetoKind.FALSIFIED_DATA, "", "", "本系统建议（P）：信用办认定并附证明"),
]


def default_set(year: int) -> IndicatorSet:
    """The default set for `year` (version 1), created once; an existing set of that year is returned as it is."""
    found = IndicatorSet.objects.filter(year=year).order_by("-version").first()
    if found is not None:
        return found
    with transaction.atomic():
        indicator_set = IndicatorSet.objects.create(
            year=year,
            version=1,
            name=f"{year}年度政务诚信评价指标体系",
            unit_kinds=[str(k) for k in UNIT_KINDS],
            basis="参照天津市地方标准 DB12/T 1407-2024，6个一级指标、22个二级指标，权重合计100分",
        )
        position = 0
        for code, name, weight, basis, children in TABLE:
            position += 1
            parent = Indicator.objects.create(
                indicator_set=indicator_set,
                code=code,
                level=1,
                name=name,
                weight=Decimal(weight),
                formula="group",
                basis=basis,
                position=position * 10,
            )
            for c_code, c_name, c_weight, formula, source_code, params, applies, c_basis in children:
                position += 1
                Indicator.objects.create(
                    indicator_set=indicator_set,
                    code=c_code,
                    level=2,
                    parent=parent,
                    name=c_name,
                    weight=Decimal(c_weight),
                    formula=formula,
                    source_code=source_code,
                    params=params,
                    applies_to=[str(k) for k in applies],
                    basis=c_basis,
                    position=position * 10,
                )
        GradeRule.objects.bulk_create(
            GradeRule(indicator_set=indicator_set, grade=g, label=label, min_score=Decimal(m)) for g, label, m in GRADES
        )
        VetoRule.objects.bulk_create(
            VetoRule(indicator_set=indicator_set, code=c, kind=k, source_code=s, level=lv, basis=b)
            for c, k, s, lv, b in VETOES
        )
    return indicator_set

"""Seeds the national disclosure rules (2019, 2023, 2026) and the measure catalogue with its default rules.

Later changes are new rows (an administrator's edit or a new migration), never edits of these.
"""

import datetime

from django.db import migrations

D = datetime.date

RULES = [
    # 发改办财金〔2019〕527号. Also governs every older decision still on file.
    ("发改办财金〔2019〕527号", D(2000, 1, 1), D(2023, 5, 1), [
        ("minor", "", False, 0, 0, "适用简易程序作出的行政处罚信息不公示"),
        ("general", "", True, 3, 12, ""),
        ("serious", "", True, 6, 36, ""),
    ]),
    # 《失信行为纠正后的信用信息修复管理办法（试行）》国家发展改革委令2023年第58号.
    ("国家发展改革委令2023年第58号", D(2023, 5, 1), D(2026, 4, 1), [
        ("minor", "", False, 0, 0, "适用简易程序作出的行政处罚信息不公示"),
        ("general", "", True, 3, 36, ""),
        ("serious", "", True, 3, 36, ""),
        ("general", "work_safety", True, 12, 36, "安全生产领域最短公示期一年"),
        ("serious", "work_safety", True, 12, 36, "安全生产领域最短公示期一年"),
        ("general", "fire_safety", True, 12, 36, "消防安全领域最短公示期一年"),
        ("serious", "fire_safety", True, 12, 36, "消防安全领域最短公示期一年"),
        ("general", "special_equipment", True, 12, 36, "特种设备领域最短公示期一年"),
        ("serious", "special_equipment", True, 12, 36, "特种设备领域最短公示期一年"),
    ]),
    # 《信用修复管理办法》国家发展改革委令第36号, in force from 1 April 2026 (国办发〔2025〕22号).
    ("国家发展改革委令第36号《信用修复管理办法》", D(2026, 4, 1), None, [
        ("minor", "", False, 0, 3, "轻微失信信息原则上不公示；确需公示的，最长不超过3个月"),
        ("general", "", True, 3, 12, ""),
        ("serious", "", True, 12, 36, ""),
    ]),
]

BASIS_76 = "《国务院关于加强政务诚信建设的指导意见》（国发〔2016〕76号）"
MEASURES = [
    # code, name, class, target, legal basis, duration months, rectification working days
    ("written_explanation", "书面说明失信原因", "整改类", "unit",
     BASIS_76 + "：对具体失信情况书面说明原因", None, None),
    ("rectification", "限期整改", "整改类", "unit", BASIS_76 + "：限期加以整改", None, 20),
    ("honours_ineligible", "取消荣誉评选资格（文明单位评选一票否决）", "资格限制类", "unit",
     BASIS_76 + "：依规取消相关政府部门参加各类荣誉评选资格", 12, None),
    ("public_criticism", "公开通报批评", "通报类", "unit", BASIS_76 + "：予以公开通报批评", None, None),
    ("principal_liability", "追究主要负责人责任", "责任追究类", "principal",
     BASIS_76 + "：对造成政务失信行为的主要负责人依法依规追究责任", None, None),
    ("performance_assessment", "纳入绩效考核扣分", "考核类", "unit",
     BASIS_76 + "：将政务诚信评价结果应用于绩效考核", 12, None),
    ("no_honours", "限制评优评先", "个人惩戒类", "person",
     BASIS_76 + "：对存在政务失信记录的公务员，按照相关规定采取限制评优评先等处理措施", 12, None),
    ("no_excellent_rating", "当年度考核不得确定为优秀等次", "个人惩戒类", "person",
     "政务诚信建设实施意见：有政务失信记录的公务员当年度考核不得确定为优秀等次", None, None),
    ("credit_review", "招录、晋升信用审查", "个人惩戒类", "person",
     BASIS_76 + "：实行公务员招录信用审核制度，将诚信记录作为职务晋升的重要参考", None, None),
]

MEASURE_RULES = {
    # (severity, for person records): measure codes applied when a record is published.
    ("minor", False): ["written_explanation", "rectification"],
    ("general", False): ["written_explanation", "rectification", "performance_assessment"],
    ("serious", False): [
        "written_explanation", "rectification", "performance_assessment", "honours_ineligible",
        "public_criticism", "principal_liability",
    ],
    ("minor", True): ["credit_review"],
    ("general", True): ["no_honours", "no_excellent_rating", "credit_review"],
    ("serious", True): ["no_honours", "no_excellent_rating", "credit_review"],
}


def seed(apps, schema_editor):
    DisclosureRule = apps.get_model("records", "DisclosureRule")
    MeasureType = apps.get_model("records", "MeasureType")
    MeasureRule = apps.get_model("records", "MeasureRule")
    for citation, start, end, rows in RULES:
        for severity, field, disclosed, min_months, max_months, notes in rows:
            DisclosureRule.objects.create(
                citation=citation, effective_from=start, effective_to=end, severity=severity, special_field=field,
                disclosed=disclosed, min_months=min_months, max_months=max_months, notes=notes,
            )
    types = {}
    for code, name, measure_class, target, basis, months, working_days in MEASURES:
        types[code] = MeasureType.objects.create(
            code=code, name=name, measure_class=measure_class, target=target, legal_basis=basis,
            duration_months=months, rectification_working_days=working_days,
        )
    for (severity, for_person), codes in MEASURE_RULES.items():
        for code in codes:
            MeasureRule.objects.create(measure_type=types[code], severity=severity, for_person_records=for_person)


def unseed(apps, schema_editor):
    apps.get_model("records", "MeasureRule").objects.all()._raw_delete(schema_editor.connection.alias)
    apps.get_model("records", "MeasureType").objects.all()._raw_delete(schema_editor.connection.alias)
    apps.get_model("records", "DisclosureRule").objects.all()._raw_delete(schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("records", "0002_dishonesty_records_and_measures")]

    operations = [migrations.RunPython(seed, unseed)]

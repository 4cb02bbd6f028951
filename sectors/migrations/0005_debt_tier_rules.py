"""The default risk tiers of local government debt: a configurable example (docs/sectors.md § Local government debt).

Debt ratio: the four tiers commonly reported for regions' debt ratios (green below 120 %, yellow from 120 %, orange
from 200 %, red from 300 %). The other three indicators' thresholds are examples to be replaced by the finance bureau's
own, by adding a rule with a later effective date."""

import datetime
from decimal import Decimal

from django.db import migrations

FROM = datetime.date(2020, 1, 1)
# Read by the finance bureau in the admin and on the staff pages: written in Chinese.
DEBT_RATIO_SOURCE = (
    "地区债务率常见的分级口径（300%及以上为红色，200%至300%为橙色，120%至200%为黄色，120%以下为绿色）；"
    "未经官方文件核实，仅为可配置的示例。"
)
EXAMPLE = "可配置的示例阈值，请按财政部门的口径替换。"
RULES = [
    ("debt_ratio", "1.2", "2.0", "3.0", DEBT_RATIO_SOURCE),
    ("limit_use", "0.9", "0.95", "1.0", EXAMPLE),
    ("repayment_ratio", "0.1", "0.15", "0.2", EXAMPLE),
    ("overdue_ratio", "0.01", "0.05", "0.1", EXAMPLE),
]


def seed(apps, schema_editor):
    Rule = apps.get_model("sectors", "RiskTierRule")
    for indicator, yellow, orange, red, source in RULES:
        Rule.objects.get_or_create(
            indicator=indicator,
            effective_from=FROM,
            defaults={
                "yellow_from": Decimal(yellow),
                "orange_from": Decimal(orange),
                "red_from": Decimal(red),
                "source": source,
            },
        )


def unseed(apps, schema_editor):
    Rule = apps.get_model("sectors", "RiskTierRule")
    Rule.objects.filter(effective_from=FROM, indicator__in=[rule[0] for rule in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("sectors", "0004_debt")]
    operations = [migrations.RunPython(seed, unseed)]

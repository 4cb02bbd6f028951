"""The default debt-ratio tiers cite where they come from (docs/sectors.md § Local government debt): the indicators are
the ones 国发〔2014〕43号 tells the Ministry of Finance to compute for its risk warnings, and the thresholds are the
provincial risk grading as published for Shandong. Only the wording of the default rule changes, and only while it
still reads as the first default did."""

from django.db import migrations

OLD_PREFIX = "地区债务率常见的分级口径"
NEW = (
    "指标依据《国务院关于加强地方政府性债务管理的意见》（国发〔2014〕43号）“建立地方政府性债务风险预警机制”："
    "财政部测算债务率、新增债务率、偿债率、逾期债务率等指标，评估各地区债务风险状况。"
    "阈值采用公开发布的省级风险等级划分（山东省：债务率300%及以上为红色，200%至300%为橙色，120%至200%为黄色，"
    "120%以下为绿色；m.0000183.cc/tags-19577.html）。财政部的风险评估和预警办法未公开发布，"
    "如财政部门下达的口径不同，请新增一条生效日期更晚的规则。"
)


def cite(apps, schema_editor):
    Rule = apps.get_model("sectors", "RiskTierRule")
    Rule.objects.filter(indicator="debt_ratio", source__startswith=OLD_PREFIX).update(source=NEW)


class Migration(migrations.Migration):
    dependencies = [("sectors", "0008_tendering_sanction_revoke")]

    operations = [migrations.RunPython(cite, migrations.RunPython.noop)]

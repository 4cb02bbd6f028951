"""The 2023 rule's periods are those of administrative penalties: they stop governing records of other sources.

国家发展改革委令2023年第58号 fixes the disclosure periods of 行政处罚信息 (at least 3 months, at most 3 years; a year at
least in work safety, fire safety and special equipment); it sets none for the other kinds of dishonesty information.
0003 seeded its rows for every source, so a general-tier judgment or sanction decided between 1 May 2023 and 31 March
2026 stayed public three years. Here those rows are narrowed to administrative penalties, and records of every other
source decided in those years get the tiered periods the product applied before the 2023 rule (发改办财金〔2019〕527号:
general 3 months to 1 year, serious 6 months to 3 years). docs/disclosure-periods.md gives the reasoning.

Records keep their stored rule and window here: `manage.py records_recompute_windows` moves the records not yet closed
to the rule that now governs them and tells the platform, which a data migration cannot do (the payload is built by
the application's code). The reverse widens the rows to every source again and hands back to them the records the
command moved; it leaves their windows as they are.
"""

import datetime

from django.db import migrations

CITATION_2023 = "国家发展改革委令2023年第58号"
START_2023 = datetime.date(2023, 5, 1)
END_2023 = datetime.date(2026, 4, 1)
PENALTY = "administrative_penalty"
PENALTY_NOTE = "第58号令的公示期限仅适用于行政处罚信息"
OTHER_SOURCES_CITATION = "发改办财金〔2019〕527号分级期限（第58号令施行期间行政处罚以外的失信信息）"
OTHER_SOURCES_NOTE = "第58号令未规定行政处罚以外失信信息的公示期限，沿用此前的分级期限。见 docs/disclosure-periods.md"
# severity: (min months, max months) for the sources the 2023 rule does not cover.
OTHER_SOURCES = {"general": (3, 12), "serious": (6, 36)}


def _rules_2023(DisclosureRule):
    return DisclosureRule.objects.filter(
        citation=CITATION_2023, effective_from=START_2023, severity__in=list(OTHER_SOURCES)
    )


def narrow(apps, schema_editor):
    DisclosureRule = apps.get_model("records", "DisclosureRule")
    penalty_rules = list(_rules_2023(DisclosureRule).filter(source=""))
    if not penalty_rules:
        return  # a database whose rules an administrator rebuilt: nothing of 0003's to narrow
    for rule in penalty_rules:
        rule.source = PENALTY
        rule.notes = f"{rule.notes}；{PENALTY_NOTE}" if rule.notes else PENALTY_NOTE
        rule.save(update_fields=["source", "notes"])
    for severity, (min_months, max_months) in OTHER_SOURCES.items():
        DisclosureRule.objects.get_or_create(
            effective_from=START_2023,
            severity=severity,
            source="",
            special_field="",
            defaults={
                "citation": OTHER_SOURCES_CITATION,
                "effective_to": END_2023,
                "disclosed": True,
                "min_months": min_months,
                "max_months": max_months,
                "notes": OTHER_SOURCES_NOTE,
            },
        )


def widen(apps, schema_editor):
    DisclosureRule = apps.get_model("records", "DisclosureRule")
    DishonestyRecord = apps.get_model("records", "DishonestyRecord")
    others = DisclosureRule.objects.filter(citation=OTHER_SOURCES_CITATION, effective_from=START_2023, source="")
    penalty_rules = list(_rules_2023(DisclosureRule).filter(source=PENALTY))
    for rule in penalty_rules:
        DishonestyRecord.objects.filter(
            disclosure_rule__in=others, severity=rule.severity, special_field=rule.special_field
        ).update(disclosure_rule=rule)
    # Before the rows widen: each would clash with the new row of its tier (one rule per start, tier, source, field).
    others.delete()
    for rule in penalty_rules:
        rule.source = ""
        rule.notes = rule.notes.removesuffix(PENALTY_NOTE).removesuffix("；")
        rule.save(update_fields=["source", "notes"])


class Migration(migrations.Migration):
    dependencies = [("records", "0016_disclosure_rules_by_source")]

    operations = [migrations.RunPython(narrow, widen)]

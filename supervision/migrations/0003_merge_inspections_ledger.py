from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0002_merge_suggestions_complaints"),
        ("supervision", "0001_inspections_ledger"),
    ]

    operations: list[migrations.operations.base.Operation] = []

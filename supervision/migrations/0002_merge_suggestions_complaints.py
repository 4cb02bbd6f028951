from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0001_suggestions_courts"),
        ("supervision", "0001_complaints_hotline"),
    ]

    operations: list[migrations.operations.base.Operation] = []

# Tendering was built beside government debt and the honest streets and towns: this joins its migration to theirs.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("sectors", "0004_tendering"),
        ("sectors", "0006_merge_debt_streets"),
    ]

    operations = []

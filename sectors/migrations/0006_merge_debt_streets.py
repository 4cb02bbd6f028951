# Government debt and the honest streets and towns were built side by side: this joins their migrations.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("sectors", "0004_streets"),
        ("sectors", "0005_debt_tier_rules"),
    ]

    operations = []

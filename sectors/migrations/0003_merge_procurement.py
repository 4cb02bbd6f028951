# The procurement module was built beside investment promotion and PPP: this joins its first migration to theirs.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("sectors", "0001_procurement"),
        ("sectors", "0002_merge_investment_ppp"),
    ]

    operations = []

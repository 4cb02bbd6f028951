# The sector modules were built side by side, each with its own first migration: this joins them.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("sectors", "0001_investment"),
        ("sectors", "0001_ppp"),
    ]

    operations = []

"""After a disclosure rule was put right: every record not yet closed follows the rule that governs it now.

Run once after `migrate` applies a migration that corrects the rules (0017); running it again changes nothing.
"""

from typing import Any

from django.core.management.base import BaseCommand

from records.services import records_expire_due, records_windows_recompute


class Command(BaseCommand):
    help = "Recomputes the disclosure window of every record not yet closed under the rules now in force."

    def handle(self, *args: Any, **options: Any) -> None:
        changed = records_windows_recompute()
        # A window that now ends before today closes at once rather than at the next hourly run.
        expired = records_expire_due()
        self.stdout.write(f"Recomputed {changed} disclosure windows; {expired} records expired.")

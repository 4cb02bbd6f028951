"""The admin console of the records app, split by subject: dishonesty records and what hangs off them, the rules
behind records. Importing the package registers every admin."""

from records.admin import dishonesty, rules

__all__ = ["dishonesty", "rules"]

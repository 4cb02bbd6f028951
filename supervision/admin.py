"""Admin of supervision: each kind registers its models from `supervision/admin.py` below."""

# Inspections and the work ledger (docs/supervision.md § 督导检查, § 工作台账)
from supervision.admin_ledger import register as _register_ledger

_register_ledger()

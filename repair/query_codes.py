"""Query codes (查询码): how a filer without an account follows a case.

128 random bits, shown once; only a digest is stored. Guessing is hopeless (2^128) and throttled besides, and a wrong
code reveals nothing about which codes exist.
"""

import hashlib
import secrets


def new_query_code() -> tuple[str, str]:
    """A fresh code and its digest."""
    code = secrets.token_urlsafe(16)
    return code, query_code_digest(code)


def query_code_digest(code: str) -> str:
    return hashlib.sha256(code.strip().encode()).hexdigest()


def new_verification_code() -> str:
    """Printed on a repair decision; anyone holding the document can check it online."""
    return secrets.token_hex(8).upper()

"""Shared vocabulary of the role × URL permission matrix (tests/test_permission_matrix.py).

A row is `url name -> (kwargs builder, expected status per persona[, HTTP method])`; the kwargs
builder receives the `personas` fixture and may create the objects the URL needs.
"""

PERSONAS = ["anonymous", "hr", "head_a", "head_b", "judge", "finance", "leader", "inspector", "staff", "outsider"]

# URL namespaces governed elsewhere: Django's admin (is_staff) and the language switch (POST only, public).
EXEMPT_NAMESPACES = {"admin"}
EXEMPT_NAMES = {"set_language", "login", "logout", "health", "password_change_done", "api-root"}


def everyone(status: int, anonymous: int = 302) -> dict[str, int]:
    return {persona: (anonymous if persona == "anonymous" else status) for persona in PERSONAS}


def only(allowed: dict[str, int], denied: int = 403, anonymous: int = 302) -> dict[str, int]:
    return {persona: anonymous if persona == "anonymous" else allowed.get(persona, denied) for persona in PERSONAS}

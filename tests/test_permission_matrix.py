"""Role × page/endpoint matrix. Every named URL must have a row here: a new page
without one fails `test_every_url_is_in_the_matrix`."""

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests import (
    matrix_assessment_api,
    matrix_assessment_conduct,
    matrix_assessment_pages,
    matrix_payroll,
    matrix_recruitment_api,
    matrix_recruitment_campaign,
    matrix_recruitment_results,
    matrix_recruitment_scoring,
)
from tests.factories import ArchivalEventFactory
from tests.matrix import EXEMPT_NAMES, EXEMPT_NAMESPACES, PERSONAS, everyone, only

ROSTER_VIEWERS = {"hr": 200, "head_a": 200, "head_b": 200, "finance": 200, "leader": 200}

# url name -> (kwargs builder taking the personas fixture, expected status per persona[, HTTP method])
MATRIX = {
    "dashboard": (lambda p: {}, everyone(200)),
    "password_change": (lambda p: {}, everyone(200)),
    "audit_trail": (lambda p: {}, only({"inspector": 200, "leader": 200})),
    # The export answers to exactly the readers of the audit trail page.
    "audit_trail_export": (lambda p: {}, only({"inspector": 200, "leader": 200})),
    "staffing:roster": (lambda p: {}, only(ROSTER_VIEWERS)),
    "staffing:person_create": (lambda p: {}, only({"hr": 200})),
    # A person of department A: his own head sees him, the other head gets 404 (not 403) so IDs cannot be probed.
    "staffing:person_detail": (
        lambda p: {"pk": p.staff_person.pk},
        only({"hr": 200, "head_a": 200, "finance": 200, "leader": 200, "staff": 200}, denied=404),
    ),
    "staffing:person_action": (lambda p: {"pk": p.staff_person.pk, "action": "transfer"}, only({"hr": 200})),
    "staffing:roster_export": (lambda p: {}, only(ROSTER_VIEWERS)),
    "staffing:roster_import": (lambda p: {}, only({"hr": 200})),
    "staffing:roster_import_template": (lambda p: {}, only({"hr": 200})),
    # Another officer's (or a made-up) token finds no file: 404, never someone else's upload.
    "staffing:roster_import_errors": (lambda p: {"token": "0123456789abcdef"}, only({"hr": 404})),
    "staffing:departments": (lambda p: {}, only(ROSTER_VIEWERS)),
    "staffing:department_create": (lambda p: {}, only({"hr": 200})),
    "staffing:department_edit": (lambda p: {"pk": p.department_a.pk}, only({"hr": 200})),
    "staffing:departments_merge": (lambda p: {}, only({"hr": 200})),
    "staffing:post_create": (lambda p: {}, only({"hr": 200})),
    "staffing:post_edit": (lambda p: {"pk": p.staff_person.appointments.get().post_id}, only({"hr": 200})),
    "staffing:contract_terms": (lambda p: {}, only(ROSTER_VIEWERS)),
    "api-schema": (lambda p: {}, everyone(200, anonymous=401)),
    "api-docs": (lambda p: {}, everyone(200, anonymous=401)),
    "department-list": (lambda p: {}, only(ROSTER_VIEWERS, anonymous=401)),
    "department-detail": (lambda p: {"pk": p.department_a.pk}, only(ROSTER_VIEWERS, anonymous=401)),
    "post-list": (lambda p: {}, only(ROSTER_VIEWERS, anonymous=401)),
    "post-detail": (lambda p: {"pk": p.staff_person.appointments.get().post_id}, only(ROSTER_VIEWERS, anonymous=401)),
    # People lists are narrowed, not refused: a judge or an outsider gets an empty list.
    "person-list": (lambda p: {}, everyone(200, anonymous=401)),
    "person-detail": (
        lambda p: {"pk": p.staff_person.pk},
        only({"hr": 200, "head_a": 200, "finance": 200, "leader": 200, "staff": 200}, denied=404, anonymous=401),
    ),
    "appointment-list": (lambda p: {}, only({**ROSTER_VIEWERS, "staff": 200}, anonymous=401)),
    # Finance reads appointments and grades, not the archival track.
    "archivalevent-list": (
        lambda p: {},
        only({"hr": 200, "head_a": 200, "head_b": 200, "leader": 200, "staff": 200}, anonymous=401),
    ),
    "archivalevent-detail": (
        lambda p: {"pk": ArchivalEventFactory(record__person=p.staff_person).pk},
        {**only({"hr": 200, "head_a": 200, "leader": 200, "staff": 200}, anonymous=401), "head_b": 404},
    ),
    # Lifecycle actions are POST-only and HR's: an empty body reaches validation (400), nobody else gets past 403.
    **{
        f"person-{name}": (lambda p: {"pk": p.staff_person.pk}, only({"hr": 400}, anonymous=401), "post")
        for name in ("transfer", "send-to-waiting", "return-from-waiting", "separate", "renew", "archival-event")
    },
    "appointment-detail": (
        lambda p: {"pk": p.staff_person.appointments.get().pk},
        {**only({"hr": 200, "head_a": 200, "finance": 200, "leader": 200, "staff": 200}, anonymous=401), "head_b": 404},
    ),
}


# Each area of the app keeps its rows in a module of its own.
for _rows in (
    matrix_recruitment_campaign,
    matrix_recruitment_scoring,
    matrix_recruitment_results,
    matrix_recruitment_api,
    matrix_assessment_pages,
    matrix_assessment_conduct,
    matrix_assessment_api,
    matrix_payroll,
):
    MATRIX.update(_rows.ROWS)


def named_urls(patterns=None, namespace: str = "") -> set[str]:
    names = set()
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            if pattern.namespace not in EXEMPT_NAMESPACES:
                names |= named_urls(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_url_is_in_the_matrix():
    missing = named_urls() - set(MATRIX) - EXEMPT_NAMES
    assert not missing, f"URLs without a permission matrix entry: {sorted(missing)}"


@pytest.mark.parametrize("url_name", sorted(MATRIX))
def test_role_matrix(personas, url_name):
    """Every persona against one URL, each in a savepoint rolled back afterwards, so what one
    persona's request changes (a POST that succeeds) never decides the next one's answer."""
    kwargs_for, expected, *method = MATRIX[url_name]
    answers = {}
    for persona in PERSONAS:
        with transaction.atomic():
            client = Client()
            if persona != "anonymous":
                client.force_login(getattr(personas, persona))
            send = getattr(client, method[0] if method else "get")
            answers[persona] = send(reverse(url_name, kwargs=kwargs_for(personas))).status_code
            transaction.set_rollback(True)
    wrong = {
        persona: (answers[persona], expected[persona]) for persona in PERSONAS if answers[persona] != expected[persona]
    }
    assert not wrong, f"{url_name}: persona → (answered, expected) {wrong}"

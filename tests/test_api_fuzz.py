"""Every operation of the OpenAPI schema, fuzzed with schemathesis against a small demo zone.

The operations come from the schema that /api/schema/ serves (the same generator, read when the
tests are collected), so a new endpoint is fuzzed as soon as it is in the schema. Requests go
through Django's WSGI handler in-process, inside the test's transaction: POST, PUT, PATCH and
DELETE change only the test database, and each operation starts again from the demo zone.
"""

import hypothesis
import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, transaction
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from assessment import demo as assessment_demo
from recruitment import demo as recruitment_demo
from staffing import demo as zone_demo
from zonehr.models import User

PERSONAS = ["hr", "staff"]  # demo logins: the HR officer and a staff member
# Bounded and repeatable: ten examples per operation (valid and invalid) from a fixed seed, no
# example database. The coverage phase is off: it sends hundreds of requests per operation.
CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 2026,
        "generation": {"max-examples": 10, "deterministic": True, "database": "none"},
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
    }
)
schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True), config=CONFIG)


@schemathesis.check
def error_shape(ctx, response, case):
    """Every refusal (400, 401, 403, 404, 405...) answers in the one error shape, documented or not."""
    if 400 <= response.status_code < 500:
        where = f"{response.status_code} {response.request.method} {response.request.url}"
        content_type = response.headers.get("content-type", [""])[0]
        assert content_type.startswith("application/json"), f"{where} is {content_type}: {response.text[:200]}"
        body = response.json()
        assert isinstance(body, dict), f"{where} is not an object: {body!r}"
        assert set(body) == {"message", "fields"}, f"{where} is not the error shape: {body!r}"
        assert isinstance(body["message"], str), f"{where}: message is not text"
        assert isinstance(body["fields"], dict), f"{where}: fields is not an object"
    return None


CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance, error_shape]


@pytest.fixture(scope="module")
def demo_tokens(django_db_setup, django_db_blocker) -> dict[str, str]:
    """One demo zone for the module, rolled back at its end; each test runs in a savepoint inside it."""
    with django_db_blocker.unblock(), transaction.atomic():
        zone_demo.demo_zone_build(staff=zone_demo.MIN_STAFF, seed=11)
        recruitment_demo.demo_campaigns_build(seed=11)
        assessment_demo.demo_assessment_build(seed=11)
        yield {username: Token.objects.create(user=User.objects.get(username=username)).key for username in PERSONAS}
        transaction.set_rollback(True)


@pytest.fixture
def app(settings, db):
    """Django's WSGI handler, kept on the test's connection as Django's own test client does."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]  # the host schemathesis sends
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(params=PERSONAS)
def token(request, demo_tokens) -> str:
    return demo_tokens[request.param]


def test_the_schema_offers_operations_to_fuzz():
    assert len(list(schema.get_all_operations())) > 50


@schema.parametrize()
# The examples of one operation share its database on purpose: each may build on what the last left.
@hypothesis.settings(suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture])
def test_the_api_answers_within_its_schema(case, app, token):
    case.call_and_validate(app=app, headers={"Authorization": f"Token {token}"}, checks=CHECKS)

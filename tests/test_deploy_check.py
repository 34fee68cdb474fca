"""The production configuration passes Django's deployment checklist and sends the security headers.

Each case starts a fresh interpreter with only the production environment, since this process
has loaded the development settings already.
"""

import json
import os
import subprocess
import sys

from django.conf import settings

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x7Qm2vR9tLp4Kc8Zw1Nb6Hy3Jd5Fs0Ga-ProductionLike-SecretKey-ForTests",
    "ALLOWED_HOSTS": "hr.example.cn",
    "CSRF_TRUSTED_ORIGINS": "https://hr.example.cn",
    "DATABASE_URL": "sqlite:///:memory:",
}

# Asks /health/ (no login, no templates) once as plain HTTP and once as the TLS proxy forwards it.
REQUEST = """
import json, django
django.setup()
from django.test import Client
client = Client(HTTP_HOST="hr.example.cn")
plain = client.get("/health/")
forwarded = client.get("/health/", HTTP_X_FORWARDED_PROTO="https")
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location")],
    "forwarded": [forwarded.status_code, dict(forwarded.headers)],
}))
"""


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    clean = {"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": "zonehr.settings", **env}
    return subprocess.run(
        [sys.executable, *args], env=clean, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=120
    )


def test_the_deployment_checklist_passes_without_a_warning():
    completed = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION)

    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "System check identified no issues (0 silenced)." in completed.stdout
    assert "WARNING" not in completed.stdout + completed.stderr


def test_a_weak_secret_key_fails_the_checklist():
    completed = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **{**PRODUCTION, "SECRET_KEY": "short"}
    )

    assert completed.returncode != 0
    assert "security.W009" in completed.stderr


def test_production_redirects_to_https_and_sends_the_security_headers():
    completed = _run(["-c", REQUEST], **PRODUCTION)
    assert completed.returncode == 0, completed.stderr
    answers = json.loads(completed.stdout)

    assert answers["plain"] == [301, "https://hr.example.cn/health/"]
    status, headers = answers["forwarded"]
    assert status == 200
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"

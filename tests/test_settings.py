"""Settings come from the environment and fail loudly on a bad one.

Each case loads the settings in a fresh interpreter with a controlled
environment, since this process has loaded them once already.
"""

import json
import os
import subprocess
import sys

from django.conf import settings

PRODUCTION_SECRET = "x7Qm2vR9tLp4Kc8Zw1Nb6Hy3Jd5Fs0Ga-ProductionLike-SecretKey-ForTests"

REPORT = """
import json, django
django.setup()
from django.conf import settings as s
db = s.DATABASES["default"]
print(json.dumps({
    "debug": s.DEBUG, "engine": db["ENGINE"], "name": str(db["NAME"]), "host": db.get("HOST"),
    "port": db.get("PORT"), "user": db.get("USER"), "language": s.LANGUAGE_CODE, "time_zone": s.TIME_ZONE,
}))
"""


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    clean = {"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": "zonehr.settings", **env}
    return subprocess.run(
        [sys.executable, *args], env=clean, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=60
    )


def _settings(**env: str) -> dict:
    completed = _run(["-c", REPORT], **env)
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


def test_production_refuses_to_start_without_a_secret_key():
    completed = _run(["-c", REPORT], DEBUG="false")

    assert completed.returncode != 0
    assert "ImproperlyConfigured" in completed.stderr
    assert "SECRET_KEY is not set" in completed.stderr


def test_debug_defaults_to_off_so_a_missing_secret_key_is_caught():
    completed = _run(["-c", REPORT])

    assert completed.returncode != 0
    assert "SECRET_KEY" in completed.stderr


def test_development_runs_on_sqlite_under_var():
    loaded = _settings(DEBUG="true")

    assert loaded["debug"] is True
    assert loaded["engine"] == "django.db.backends.sqlite3"
    assert loaded["name"] == str(settings.BASE_DIR / "var" / "zonehr.sqlite3")


def test_database_url_is_honoured():
    loaded = _settings(DEBUG="true", DATABASE_URL="postgres://hr:s3cret@db.internal:6543/zonehr_prod")

    assert loaded["engine"] == "django.db.backends.postgresql"
    assert loaded["name"] == "zonehr_prod"
    assert (loaded["user"], loaded["host"], loaded["port"]) == ("hr", "db.internal", 6543)


def test_a_secret_key_allows_production_settings():
    loaded = _settings(DEBUG="false", SECRET_KEY=PRODUCTION_SECRET)

    assert loaded["debug"] is False


def test_an_unreadable_debug_value_fails_loudly():
    completed = _run(["-c", REPORT], DEBUG="maybe", SECRET_KEY=PRODUCTION_SECRET)

    assert completed.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in completed.stderr


def test_an_unreadable_integer_fails_loudly():
    completed = _run(["-c", REPORT], DEBUG="true", CONN_MAX_AGE="a minute")

    assert completed.returncode != 0
    assert "CONN_MAX_AGE='a minute' is not an integer" in completed.stderr


def test_the_office_works_in_chinese_on_beijing_time():
    loaded = _settings(DEBUG="true")

    assert loaded["language"] == "zh-hans"
    assert loaded["time_zone"] == "Asia/Shanghai"


def test_system_checks_pass_in_development():
    completed = _run(["manage.py", "check", "--fail-level", "WARNING"], DEBUG="true")

    assert completed.returncode == 0, completed.stderr


def test_production_settings_pass_the_deployment_security_checks():
    completed = _run(
        ["manage.py", "check", "--deploy", "--tag", "security", "--fail-level", "WARNING"],
        DEBUG="false",
        SECRET_KEY=PRODUCTION_SECRET,
        ALLOWED_HOSTS="hr.example.cn",
    )

    assert completed.returncode == 0, completed.stderr

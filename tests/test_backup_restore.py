"""bin/backup and bin/restore: a demo zone backed up and restored into an empty database reads the same.

Two scratch databases beside the test database (never the test database itself): the source gets
the migrations and a small demo zone, the target only what bin/restore puts in it. Both are
dropped at the end.
"""

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings

pytestmark = pytest.mark.postgres

SOURCE, TARGET = "zonehr_backup_src", "zonehr_backup_dst"
BIN = Path(settings.BASE_DIR) / "bin"


def _url(database: str) -> str:
    db = settings.DATABASES["default"]
    credentials = quote(db["USER"] or "", safe="") + (f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{database}"


def _recreate(*databases: str, create: bool = True) -> None:
    with psycopg.connect(_url("postgres"), autocommit=True) as connection:
        for database in databases:
            connection.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
            if create:
                connection.execute(f"CREATE DATABASE {database}")


def _run(args: list, **env: str) -> subprocess.CompletedProcess:
    clean = {"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": "zonehr.settings", "DEBUG": "true", **env}
    return subprocess.run(
        [str(arg) for arg in args], env=clean, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=600
    )


def _ok(completed: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed


@dataclass
class Copies:
    source: psycopg.Connection
    restored: psycopg.Connection

    def both(self, sql: str) -> tuple[list, list]:
        return self.source.execute(sql).fetchall(), self.restored.execute(sql).fetchall()

    def has_table(self, name: str) -> bool:
        return self.source.execute("SELECT to_regclass(%s) IS NOT NULL", [name]).fetchone()[0]


@pytest.fixture(scope="module")
def copies(tmp_path_factory) -> Iterator[Copies]:
    _recreate(SOURCE, TARGET)
    try:
        _ok(_run([sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], DATABASE_URL=_url(SOURCE)))
        _ok(_run([sys.executable, "manage.py", "demo_zone", "--staff", "40"], DATABASE_URL=_url(SOURCE)))
        backup = tmp_path_factory.mktemp("backup") / "zonehr.dump"
        _ok(_run([BIN / "backup", backup], DATABASE_URL=_url(SOURCE)))
        _ok(_run([BIN / "restore", backup, _url(TARGET)]))
        with psycopg.connect(_url(SOURCE)) as source, psycopg.connect(_url(TARGET)) as restored:
            yield Copies(source, restored)
    finally:
        _recreate(SOURCE, TARGET, create=False)


def test_every_table_has_the_same_rows(copies):
    tables = [
        name
        for (name,) in copies.source.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        ).fetchall()
    ]
    assert len(tables) > 30
    counts = {table: copies.both(f'SELECT count(*) FROM "{table}"') for table in tables}
    assert {table: source for table, (source, restored) in counts.items() if source != restored} == {}
    assert counts["staffing_person"][0][0][0] == 40
    assert counts["auditlog_logentry"][0][0][0] > 0


def test_the_sequences_continue_where_they_were(copies):
    source, restored = copies.both(
        "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public' ORDER BY sequencename"
    )
    assert restored == source
    assert source


def test_archival_salaries_add_up_the_same(copies):
    source, restored = copies.both("SELECT count(*), sum(archival_salary) FROM staffing_archivalrecord")
    assert restored == source
    assert source[0][1] > 0


def test_score_sheet_hash_chains_are_the_same(copies):
    source, restored = copies.both(
        "SELECT round_id, count(*), md5(string_agg(digest, '' ORDER BY sequence)) "
        "FROM recruitment_sheetdigest GROUP BY round_id ORDER BY round_id"
    )
    assert restored == source
    assert source


def test_score_sheets_and_assessment_scores_are_the_same(copies):
    sheets = (
        "SELECT md5(string_agg(marks::text || coalesce(total::text, ''), '|' ORDER BY id)) FROM recruitment_scoresheet"
    )
    ratings = "SELECT count(*), sum(score), md5(string_agg(grade, '' ORDER BY id)) FROM assessment_rating"
    for sql in (sheets, ratings):
        source, restored = copies.both(sql)
        assert restored == source
        assert source[0][0]


def test_net_pay_per_period_is_the_same(copies):
    if not copies.has_table("payroll_payline"):
        pytest.skip("no payroll_payline table in this schema yet")
    source, restored = copies.both(
        "SELECT period_id, count(*), sum(net_pay) FROM payroll_payline GROUP BY period_id ORDER BY period_id"
    )
    assert restored == source


def test_the_audit_trail_stays_append_only_after_a_restore(copies):
    entry = copies.restored.execute("SELECT min(id) FROM auditlog_logentry").fetchone()[0]
    with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
        copies.restored.execute("DELETE FROM auditlog_logentry WHERE id = %s", [entry])
    copies.restored.rollback()


def test_the_restored_database_needs_no_migration(copies):
    _ok(_run([sys.executable, "manage.py", "migrate", "--check", "--no-input"], DATABASE_URL=_url(TARGET)))


def test_restore_refuses_a_database_that_is_not_empty(copies, tmp_path):
    backup = tmp_path / "again.dump"
    _ok(_run([BIN / "backup", backup], DATABASE_URL=_url(TARGET)))
    refused = _run([BIN / "restore", backup, _url(SOURCE)])
    assert refused.returncode == 1
    assert "not empty" in refused.stderr


def test_backup_explains_what_it_needs():
    assert _run([BIN / "backup"]).returncode == 2
    unset = _run([BIN / "backup", "/tmp/never-written.dump"])
    assert (unset.returncode, "DATABASE_URL is not set" in unset.stderr) == (1, True)
    sqlite = _run([BIN / "backup", "/tmp/never-written.dump"], DATABASE_URL="sqlite:///var/zonehr.sqlite3")
    assert (sqlite.returncode, "not a PostgreSQL URL" in sqlite.stderr) == (1, True)
    assert not Path("/tmp/never-written.dump").exists()

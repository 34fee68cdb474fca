"""manage.py demo_zone: build the demo zone and print its logins (the work is in staffing.demo)."""

import time
import unicodedata

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from assessment import demo as assessment_demo
from payroll import demo as payroll_demo
from recruitment import demo as recruitment_demo
from staffing import demo
from staffing.models import Person


def _width(text: str) -> int:
    """Columns a terminal gives `text`: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def logins_table(logins: list[demo.DemoLogin]) -> str:
    rows = [("username", "role", "password", "person")]
    rows += [
        (login.username, ", ".join(str(role.label) for role in login.roles), login.password, login.person)
        for login in logins
    ]
    widths = [max(_width(row[column]) for row in rows) for column in range(4)]
    lines = ["  ".join(_pad(cell, width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Build the demo zone: departments, pay scale, posts, people on both tracks and one login per role."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--staff", type=int, default=demo.DEFAULT_STAFF, help="People to generate (default 250).")
        parser.add_argument("--seed", type=int, default=demo.DEFAULT_SEED, help="The same seed gives the same people.")
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing if any department exists (still print the logins)."
        )
        parser.add_argument("--flush", action="store_true", help="Delete the existing staffing data first.")

    def handle(self, *args, staff: int, seed: int, if_empty: bool, flush: bool, **options) -> None:
        if if_empty and flush:
            raise CommandError("--if-empty and --flush contradict each other; give one.")
        if staff < demo.MIN_STAFF:
            raise CommandError(f"--staff must be at least {demo.MIN_STAFF}.")
        started = time.perf_counter()
        with transaction.atomic():
            if flush:
                assessment_demo.demo_assessment_flush()  # its cycles outlive the zone's TRUNCATE
                recruitment_demo.demo_campaigns_flush()  # it points at the zone's people and posts
                demo.demo_zone_flush()
            if demo.demo_zone_exists():
                if not if_empty:
                    raise CommandError("The database already has departments: use --flush to rebuild, or --if-empty.")
                summary = None
            else:
                summary = demo.demo_zone_build(staff=staff, seed=seed)
                campaigns = recruitment_demo.demo_campaigns_build(seed=seed)
                assessment = assessment_demo.demo_assessment_build(seed=seed)
                payroll = payroll_demo.demo_payroll_build(seed=seed)
        if summary is None:
            self.stdout.write("The database already has departments; the demo zone was left as it is.")
        else:
            statuses = ", ".join(
                f"{status} {summary.status_counts[status]}"
                for status in Person.Status.values
                if status in summary.status_counts
            )
            self.stdout.write(
                self.style.SUCCESS(
                    f"Built the demo zone in {time.perf_counter() - started:.1f} s: {summary.staff} people "
                    f"({statuses}); {summary.departments} departments, {summary.posts} posts with "
                    f"{summary.headcount} places, {summary.held} held; {summary.archival_events} archival events; "
                    f"campaigns “{campaigns.finished}” ({campaigns.candidates} candidates, {campaigns.appointed} "
                    f"appointed) and “{campaigns.open}” (interview open); “{assessment.annual}” confirmed "
                    f"({assessment.ratings} ratings), “{assessment.quarter}” at scoring "
                    f"({assessment.overdue_tasks} tasks overdue); pay months "
                    f"{', '.join(str(period) for period in payroll.closed)} closed ({payroll.lines} pay lines), "
                    f"{payroll.open} open."
                )
            )
        self.stdout.write("")
        self.stdout.write(logins_table(demo.demo_logins()))
        if note := recruitment_demo.open_panel_note():
            self.stdout.write(note)

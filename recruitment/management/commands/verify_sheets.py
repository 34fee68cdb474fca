"""Check the score sheets of rounds against their hash chain, from cron or by hand.

Exit status 0 when every sheet matches, 1 when a problem is found (each one named on stderr),
so a scheduled check can alert on it.
"""

from django.core.management.base import BaseCommand, CommandError

from recruitment.exports import chain_report
from recruitment.models import Round


class Command(BaseCommand):
    help = "Check a round's score sheets against their hash chain and name every sheet altered after submission."

    def add_arguments(self, parser) -> None:
        parser.add_argument("round_ids", nargs="+", type=int, metavar="round_id", help="id of a round to check")

    def handle(self, *args, round_ids: list[int], **options) -> None:
        rounds = Round.objects.select_related("campaign").in_bulk(round_ids)
        missing = [str(round_id) for round_id in round_ids if round_id not in rounds]
        if missing:
            raise CommandError(f"No round with id {', '.join(missing)}.")
        failed = 0
        for round_id in round_ids:
            report = chain_report(round_=rounds[round_id])
            label = f"{report.round.campaign.name} · {report.round.name} (round {round_id})"
            if report.intact:
                self.stdout.write(
                    self.style.SUCCESS(f"{label}: {report.sheets} sheets match the chain of {report.links} links.")
                )
                continue
            failed += 1
            self.stderr.write(f"{label}: {len(report.problems)} problem(s)")
            for problem in report.problems:
                self.stderr.write(f"  - {problem}")
        if failed:
            raise CommandError(f"The sheets of {failed} round(s) do not match their hash chain.", returncode=1)

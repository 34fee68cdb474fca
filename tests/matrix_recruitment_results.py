"""Permission matrix rows for recruitment (results); see tests/matrix.py.

Results, rankings and spreadsheets are for the oversight roles; single sheets and their check
for HR and the inspector; staff read the publicity of a published campaign and lodge objections;
a department head ranks his own department's posts only. Judges see none of it.
"""

import datetime as dt

from recruitment.models import Application, ApplicationChoice, Campaign, CampaignPost, Objection, Result, Round
from staffing.models import Appointment
from tests.factories import PostFactory
from tests.matrix import only

OVERSIGHT = {"hr": 200, "leader": 200, "inspector": 200}
SHEETS = {"hr": 200, "inspector": 200}
STAFF_AND_OVERSIGHT = {**OVERSIGHT, "head_a": 200, "head_b": 200, "staff": 200}
STAFF = {"head_a": 200, "head_b": 200, "staff": 200}


def _campaign(p, *, method: str = Appointment.Method.COMPETITIVE, status: str = Campaign.Status.PUBLICITY) -> Campaign:
    """A campaign offering a post of department A, the staff member its selected candidate."""
    campaign = Campaign.objects.create(
        name="矩阵竞聘",
        method=method,
        status=status,
        publicity_start=dt.date(2025, 9, 29),
        publicity_end=dt.date(2025, 10, 11),
    )
    offered = CampaignPost.objects.create(campaign=campaign, post=PostFactory(department=p.department_a))
    application = Application.objects.create(
        campaign=campaign, person=p.staff_person, status=Application.Status.QUALIFIED, declared_truthful=True
    )
    ApplicationChoice.objects.create(application=application, campaign_post=offered, preference=1)
    Result.objects.create(campaign_post=offered, application=application, rank=1, selected=True)
    return campaign


def _closed_round(p) -> Round:
    return Round.objects.create(
        campaign=_campaign(p), order=1, kind=Round.Kind.INTERVIEW, name="现场面试", status=Round.Status.CLOSED
    )


def _two_way(p) -> Campaign:
    return _campaign(p, method=Appointment.Method.TWO_WAY, status=Campaign.Status.RESULTS)


def _objection(p) -> Objection:
    return Objection.objects.create(campaign=_campaign(p), text="测评票数有误", lodged_by=p.staff)


ROWS: dict = {
    "recruitment:results_index": (lambda p: {}, only(OVERSIGHT)),
    "recruitment:results": (lambda p: {"pk": _campaign(p).pk}, only(OVERSIGHT)),
    # POST-only: HR is sent back to the results page with the service's verdict.
    "recruitment:results_compute": (lambda p: {"pk": _campaign(p).pk}, only({"hr": 302}), "post"),
    "recruitment:ranking_export": (lambda p: {"pk": _campaign(p).pk}, only(OVERSIGHT)),
    "recruitment:round_sheets_export": (lambda p: {"pk": _closed_round(p).pk}, only(SHEETS)),
    "recruitment:round_results_export": (lambda p: {"pk": _closed_round(p).pk}, only(OVERSIGHT)),
    "recruitment:round_verify": (lambda p: {"pk": _closed_round(p).pk}, only(SHEETS)),
    "recruitment:rankings_index": (lambda p: {}, only({"head_a": 200, "head_b": 200})),
    # Every head opens the selection page; he sees only his own department's posts on it.
    "recruitment:two_way": (lambda p: {"pk": _two_way(p).pk}, only({**OVERSIGHT, "head_a": 200, "head_b": 200})),
    "recruitment:two_way_match": (lambda p: {"pk": _two_way(p).pk}, only({"hr": 302}), "post"),
    # The post is department A's: department B's head is refused.
    "recruitment:two_way_rank": (lambda p: {"pk": _two_way(p).posts.get().pk}, only({"head_a": 200})),
    "recruitment:publicity_index": (lambda p: {}, only(STAFF_AND_OVERSIGHT)),
    "recruitment:publicity": (lambda p: {"pk": _campaign(p).pk}, only(STAFF_AND_OVERSIGHT)),
    # An empty form comes back with its errors.
    "recruitment:publicity_start": (lambda p: {"pk": _campaign(p).pk}, only({"hr": 200}), "post"),
    "recruitment:publicity_notice": (lambda p: {"pk": _campaign(p).pk}, only(STAFF_AND_OVERSIGHT)),
    "recruitment:objection_lodge": (lambda p: {"pk": _campaign(p).pk}, only(STAFF), "post"),
    "recruitment:objection_resolve": (lambda p: {"pk": _objection(p).pk}, only({"hr": 200})),
    "recruitment:appointments_create": (lambda p: {"pk": _campaign(p).pk}, only({"hr": 302}), "post"),
}

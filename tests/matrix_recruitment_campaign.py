"""Permission matrix rows for recruitment (campaign); see tests/matrix.py.

Campaign management is HR's; leadership and the inspector read a campaign and its rounds;
staff (department heads are staff too) apply and see their own applications; a judge,
finance and an outsider see nothing of it.
"""

from recruitment import services
from recruitment.models import Campaign, Round
from staffing.models import Appointment
from tests.matrix import only
from tests.recruitment_fixtures import build_competition

HR = {"hr": 200}
OVERSIGHT = {"hr": 200, "leader": 200, "inspector": 200}
APPLICANTS = {"staff": 200, "head_a": 200, "head_b": 200}
# POST-only HR actions answer with a redirect back to the page, the refusal (if any) as a message.
HR_REDIRECT = {"hr": 302}


def _competition():
    return build_competition(candidates=1, judges=5)


def _campaign(p) -> dict:
    return {"pk": _competition().campaign.pk}


def _social(p) -> dict:
    campaign = Campaign.objects.create(
        name="2025年公开招聘", method=Appointment.Method.SOCIAL, status=Campaign.Status.APPLICATIONS_OPEN
    )
    return {"pk": campaign.pk}


def _interview_after_written(p) -> dict:
    """A panel whose round follows a closed written exam, so its candidates are known."""
    competition = _competition()
    Round.objects.filter(pk=competition.written.pk).update(status=Round.Status.CLOSED)
    return {"pk": competition.panel.pk}


def _own_application(p) -> dict:
    competition = _competition()
    application = services.application_submit(
        actor=p.staff,
        campaign=competition.campaign,
        person=p.staff_person,
        posts=[competition.offered],
        declared_truthful=True,
    )
    return {"pk": application.pk}


ROWS: dict = {
    "recruitment:campaigns": (lambda p: {}, only({**OVERSIGHT, **APPLICANTS})),
    "recruitment:campaign_create": (lambda p: {}, only(HR)),
    "recruitment:campaign_detail": (_campaign, only(OVERSIGHT)),
    "recruitment:campaign_edit": (_campaign, only(HR)),
    "recruitment:campaign_advance": (_campaign, only(HR_REDIRECT), "post"),
    "recruitment:campaign_post_add": (_campaign, only(HR)),
    "recruitment:campaign_post_remove": (lambda p: {"pk": _competition().offered.pk}, only(HR_REDIRECT), "post"),
    "recruitment:external_register": (_social, only(HR)),
    "recruitment:application_review": (
        lambda p: {"pk": _competition().candidates[0].pk},
        only(HR_REDIRECT),
        "post",
    ),
    "recruitment:integrity_flag": (lambda p: {"pk": _competition().candidates[0].pk}, only(HR)),
    "recruitment:round_create": (lambda p: {"campaign_pk": _competition().campaign.pk}, only(HR)),
    "recruitment:round_setup": (lambda p: {"pk": _competition().interview.pk}, only(OVERSIGHT)),
    "recruitment:round_edit": (lambda p: {"pk": _competition().interview.pk}, only(HR)),
    "recruitment:round_remove": (lambda p: {"pk": _competition().interview.pk}, only(HR_REDIRECT), "post"),
    "recruitment:round_open": (lambda p: {"pk": _competition().written.pk}, only(HR_REDIRECT), "post"),
    "recruitment:round_close": (lambda p: {"pk": _competition().written.pk}, only(HR_REDIRECT), "post"),
    # An empty criterion comes back on the round page with its errors.
    "recruitment:criterion_add": (lambda p: {"pk": _competition().interview.pk}, only(HR), "post"),
    "recruitment:criterion_remove": (
        lambda p: {"pk": _competition().criteria[0].pk},
        only(HR_REDIRECT),
        "post",
    ),
    "recruitment:panel_create": (lambda p: {"round_pk": _competition().interview.pk}, only(HR)),
    "recruitment:panel_edit": (lambda p: {"pk": _competition().panel.pk}, only(HR)),
    "recruitment:panel_remove": (lambda p: {"pk": _competition().panel.pk}, only(HR_REDIRECT), "post"),
    "recruitment:panel_draw": (lambda p: {"pk": _competition().panel.pk}, only(HR_REDIRECT), "post"),
    "recruitment:panel_order": (_interview_after_written, only(HR)),
    "recruitment:written_scores": (lambda p: {"pk": _competition().written.pk}, only(HR_REDIRECT), "post"),
    # No file: the round page comes back with the upload's error.
    "recruitment:written_scores_import": (lambda p: {"pk": _competition().written.pk}, only(HR), "post"),
    "recruitment:written_scores_template": (lambda p: {"pk": _competition().written.pk}, only(HR)),
    "recruitment:apply": (_campaign, only(APPLICANTS)),
    "recruitment:my_applications": (lambda p: {}, only(APPLICANTS)),
    # Another person's application is not found (404), so application numbers cannot be probed.
    "recruitment:my_application": (_own_application, only({"staff": 200, "head_a": 404, "head_b": 404})),
}

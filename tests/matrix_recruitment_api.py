"""Permission matrix rows for recruitment (api); see tests/matrix.py.

The scene: a campaign at the rounds stage offering a post of department A, the staff member's
qualified application, an open interview round whose panel is the judge and head_a (chair), and
the judge's submitted sheet. Reads that a persona may not make are 404 (narrowed, not refused);
HR's actions reach the service, which refuses what the stage does not allow (400).
"""

from types import SimpleNamespace

from django.utils import timezone

from recruitment.models import (
    Application,
    ApplicationChoice,
    Campaign,
    CampaignPost,
    Criterion,
    Panel,
    PanelCandidate,
    Result,
    Round,
    ScoreSheet,
)
from tests.factories import PostFactory
from tests.matrix import everyone, only

OVERSIGHT = {"hr": 200, "leader": 200, "inspector": 200}
# Staff and department heads see campaigns past their draft.
CAMPAIGN_READERS = {**OVERSIGHT, "head_a": 200, "head_b": 200, "staff": 200}


def scene(p, status: str = Campaign.Status.ROUNDS) -> SimpleNamespace:
    campaign = Campaign.objects.create(name="2026年岗位竞聘", method="competitive", status=status)
    offered = CampaignPost.objects.create(campaign=campaign, post=PostFactory(department=p.department_a))
    application = Application.objects.create(
        campaign=campaign, person=p.staff_person, declared_truthful=True, status=Application.Status.QUALIFIED
    )
    ApplicationChoice.objects.create(application=application, campaign_post=offered, preference=1)
    interview = Round.objects.create(
        campaign=campaign, order=1, kind=Round.Kind.INTERVIEW, name="现场面试", weight=100, status=Round.Status.OPEN
    )
    criterion = Criterion.objects.create(round=interview, name="综合分析", maximum=100)
    panel = Panel.objects.create(round=interview, name="第一考场", chair=p.head_a)
    panel.judges.set([p.judge, p.head_a])
    PanelCandidate.objects.create(panel=panel, application=application, running_order=1)
    sheet = ScoreSheet.objects.create(
        panel=panel,
        judge=p.judge,
        application=application,
        status=ScoreSheet.Status.SUBMITTED,
        marks={str(criterion.pk): "80.00"},
        total=80,
        submitted_at=timezone.now(),
    )
    return SimpleNamespace(
        campaign=campaign, offered=offered, application=application, round=interview, panel=panel, sheet=sheet
    )


def published_result(p) -> dict:
    built = scene(p, status=Campaign.Status.PUBLICITY)
    result = Result.objects.create(
        campaign_post=built.offered, application=built.application, composite=80, rank=1, selected=True
    )
    return {"pk": result.pk}


def api(allowed: dict[str, int], denied: int = 403) -> dict[str, int]:
    return only(allowed, denied=denied, anonymous=401)


ROWS: dict = {
    # Lists are narrowed, never refused: a persona who may see nothing gets an empty list.
    **{
        f"recruitment-{name}-list": (lambda p: {}, everyone(200, anonymous=401))
        for name in ("campaign", "post", "application", "round", "panel", "sheet", "result")
    },
    "recruitment-campaign-detail": (lambda p: {"pk": scene(p).campaign.pk}, api(CAMPAIGN_READERS, denied=404)),
    # HR's actions reach the service, which refuses what a campaign at the rounds stage does not allow.
    **{
        f"recruitment-campaign-{name}": (lambda p: {"pk": scene(p).campaign.pk}, api({"hr": 400}), "post")
        for name in ("advance", "compute-results", "begin-publicity", "create-appointments", "match")
    },
    "recruitment-post-detail": (lambda p: {"pk": scene(p).offered.pk}, api(CAMPAIGN_READERS, denied=404)),
    # The applicant reads his own application; the heads, even of his department, do not.
    "recruitment-application-detail": (
        lambda p: {"pk": scene(p).application.pk},
        api({**OVERSIGHT, "staff": 200}, denied=404),
    ),
    **{
        f"recruitment-application-{name}": (lambda p: {"pk": scene(p).application.pk}, api({"hr": 400}), "post")
        for name in ("review", "flag")
    },
    # A judge sees the rounds he sits in, though not their campaign.
    "recruitment-round-detail": (
        lambda p: {"pk": scene(p).round.pk},
        api({**CAMPAIGN_READERS, "judge": 200}, denied=404),
    ),
    "recruitment-round-open": (lambda p: {"pk": scene(p).round.pk}, api({"hr": 400}), "post"),
    # Closing an open round with no drafts left succeeds.
    "recruitment-round-close": (lambda p: {"pk": scene(p).round.pk}, api({"hr": 200}), "post"),
    "recruitment-panel-detail": (
        lambda p: {"pk": scene(p).panel.pk},
        api({**OVERSIGHT, "judge": 200, "head_a": 200}, denied=404),
    ),
    # The judge's submitted sheet: his, and his chair's to amend; HR reads it only once the round closes.
    "recruitment-sheet-detail": (lambda p: {"pk": scene(p).sheet.pk}, api({"judge": 200, "head_a": 200}, denied=404)),
    # Submitting again is refused by the service; the chair cannot submit another judge's sheet.
    "recruitment-sheet-submit": (lambda p: {"pk": scene(p).sheet.pk}, api({"judge": 400, "head_a": 404}), "post"),
    # An empty amendment fails validation; the service then tells a judge he is not the chair.
    "recruitment-sheet-amend": (lambda p: {"pk": scene(p).sheet.pk}, api({"judge": 400, "head_a": 400}), "post"),
    # Staff members vote; an empty ballot fails validation.
    "recruitment-ballot-list": (lambda p: {}, api({"head_a": 400, "head_b": 400, "staff": 400}), "post"),
    # During the publicity everyone who sees the campaign reads who was selected.
    "recruitment-result-detail": (published_result, api(CAMPAIGN_READERS, denied=404)),
}

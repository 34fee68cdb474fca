"""Who may see and do what in recruitment: the one place pages and the API ask."""

from typing import Any

from django.db.models import QuerySet

from recruitment.models import Application, Campaign, CampaignPost, Panel, Round
from staffing.selectors import user_department, user_person
from zonehr.roles import Role, has_role

MANAGE_ROLES = (Role.HR_OFFICER,)
# Leadership approves results; the inspector reads every step of a competition.
OVERSIGHT_ROLES = (Role.HR_OFFICER, Role.LEADERSHIP, Role.DISCIPLINE_INSPECTOR)


def can_manage(user: Any) -> bool:
    return has_role(user, *MANAGE_ROLES)


def can_oversee(user: Any) -> bool:
    return has_role(user, *OVERSIGHT_ROLES)


def campaigns_visible_to(user: Any, campaigns: QuerySet[Campaign]) -> QuerySet[Campaign]:
    """All campaigns for oversight roles; staff see campaigns past the draft stage."""
    if can_oversee(user):
        return campaigns
    if has_role(user, Role.STAFF_MEMBER, Role.DEPARTMENT_HEAD):
        return campaigns.exclude(status=Campaign.Status.DRAFT)
    return campaigns.none()


def can_apply(user: Any) -> bool:
    return has_role(user, Role.STAFF_MEMBER) and user_person(user) is not None


def own_applications(user: Any) -> QuerySet[Application]:
    person = user_person(user)
    if person is None:
        return Application.objects.none()
    return Application.objects.filter(person=person)


def judge_panels(user: Any) -> QuerySet[Panel]:
    """Panels the user judges on: he sees these rounds and nothing else of recruitment."""
    if not getattr(user, "is_authenticated", False):
        return Panel.objects.none()
    return Panel.objects.filter(judges=user)


def is_judge_on(user: Any, panel: Panel) -> bool:
    return judge_panels(user).filter(pk=panel.pk).exists()


def judged_panels(user: Any) -> QuerySet[Panel]:
    """The panels `user` sits on whose round has opened; before that there is nothing to score."""
    return (
        judge_panels(user)
        .exclude(round__status=Round.Status.PENDING)
        .select_related("round__campaign")
        .order_by("-round__campaign__created_at", "round__order", "id")
    )


def chaired_panels(user: Any) -> QuerySet[Panel]:
    if not getattr(user, "is_authenticated", False):
        return Panel.objects.none()
    return Panel.objects.filter(chair=user).exclude(round__status=Round.Status.PENDING).select_related("round")


def can_see_board(user: Any, round_: Round) -> bool:
    """The board adds up everyone's sheets: oversight roles see it, but not while they judge in the round."""
    if not can_oversee(user):
        return False
    return round_.status != Round.Status.OPEN or not judge_panels(user).filter(round=round_).exists()


# Democratic evaluation (民主测评) is by the staff; department heads hold this role as well.
VOTER_ROLES = (Role.STAFF_MEMBER,)


def ranks_for(user: Any, campaign_post: CampaignPost) -> bool:
    """A department head ranks the candidates of his own department's posts (two-way selection)."""
    if not has_role(user, Role.DEPARTMENT_HEAD):
        return False
    department = user_department(user)
    return department is not None and department.pk == campaign_post.post.department_id


def can_read_sheets(user: Any) -> bool:
    """Single sheets name their judges: HR and the discipline inspector only."""
    return has_role(user, Role.HR_OFFICER, Role.DISCIPLINE_INSPECTOR)


def can_lodge_objection(user: Any) -> bool:
    return has_role(user, Role.STAFF_MEMBER)


def publicity_visible(user: Any, campaign: Campaign) -> bool:
    """Oversight roles follow a campaign throughout; staff see it once its publicity has begun."""
    return can_oversee(user) or campaign.status in (
        Campaign.Status.PUBLICITY,
        Campaign.Status.APPOINTED,
        Campaign.Status.CLOSED,
    )

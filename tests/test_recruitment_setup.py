"""Setting a campaign up: settings, posts offered, rounds, criteria, panels, running orders,
external applicants and written scores; each refusal the campaign's stage imposes."""

import datetime as dt
import random
from decimal import Decimal
from io import BytesIO

import pytest
from auditlog.models import LogEntry
from openpyxl import Workbook, load_workbook

from recruitment import services, setup
from recruitment.models import (
    Application,
    Campaign,
    CampaignPost,
    Criterion,
    Panel,
    PanelCandidate,
    Round,
    WrittenScore,
)
from staffing.models import Appointment, Person
from tests.factories import PersonFactory, PostFactory, UserFactory, national_id_for
from tests.recruitment_fixtures import build_competition, start_rounds
from zonehr.errors import ApplicationError
from zonehr.roles import Role

pytestmark = pytest.mark.django_db
S = Campaign.Status


@pytest.fixture
def hr():
    return UserFactory(roles=[Role.HR_OFFICER])


@pytest.fixture
def draft(hr):
    return setup.campaign_save(
        actor=hr, campaign=Campaign(name="2025年中层竞聘", method=Appointment.Method.COMPETITIVE)
    )


def at_stage(campaign: Campaign, status: str) -> Campaign:
    Campaign.objects.filter(pk=campaign.pk).update(status=status)
    campaign.refresh_from_db()
    return campaign


def judges(count: int, role: Role = Role.JUDGE) -> list:
    return [UserFactory(roles=[role]) for _ in range(count)]


# --- campaigns ----------------------------------------------------------------------------------


def test_a_new_campaign_is_a_draft_created_by_the_officer_and_audited(hr, draft):
    assert (draft.status, draft.created_by) == (S.DRAFT, hr)
    assert LogEntry.objects.get_for_object(draft).get().actor == hr


def test_a_new_campaign_cannot_start_past_the_draft(hr):
    with pytest.raises(ApplicationError, match="starts as a draft"):
        setup.campaign_save(actor=hr, campaign=Campaign(name="x", method="competitive", status=S.APPLICATIONS_OPEN))


def test_scoring_rules_are_fixed_once_the_rounds_start(hr, draft):
    campaign = at_stage(draft, S.ROUNDS)
    campaign.trim_above = 7
    with pytest.raises(ApplicationError, match="can no longer change: trim above") as info:
        setup.campaign_save(actor=hr, campaign=campaign)
    assert "trim_above" in info.value.fields
    assert Campaign.objects.get(pk=draft.pk).trim_above == 5


def test_scoring_rules_may_change_during_qualification_review(hr, draft):
    campaign = at_stage(draft, S.QUALIFICATION_REVIEW)
    campaign.trim_above, campaign.tie_break = 7, ["written", "interview"]
    setup.campaign_save(actor=hr, campaign=campaign)
    campaign.refresh_from_db()
    assert (campaign.trim_above, campaign.tie_break) == (7, ["written", "interview"])


def test_the_method_changes_only_while_draft(hr, draft):
    campaign = at_stage(draft, S.APPLICATIONS_OPEN)
    campaign.method = Appointment.Method.TWO_WAY
    with pytest.raises(ApplicationError, match="method"):
        setup.campaign_save(actor=hr, campaign=campaign)


def test_the_name_may_change_while_rounds_run(hr, draft):
    campaign = at_stage(draft, S.ROUNDS)
    campaign.name = "2025年中层干部竞聘（第二批）"
    setup.campaign_save(actor=hr, campaign=campaign)
    assert Campaign.objects.get(pk=draft.pk).name == "2025年中层干部竞聘（第二批）"


def test_the_stage_does_not_change_by_an_edit(hr, draft):
    draft.status = S.ROUNDS
    with pytest.raises(ApplicationError, match="only by advancing"):
        setup.campaign_save(actor=hr, campaign=draft)


def test_locked_fields_follow_the_stage(draft):
    assert setup.campaign_locked_fields(draft) == set()
    locked = setup.campaign_locked_fields(at_stage(draft, S.ROUNDS))
    assert {"method", "applications_close_on", "trim_above", "tie_break"} <= locked
    assert "publicity_working_days" not in locked and "name" not in locked


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("tie_break", ["interview", "interview"], "appears twice"),
        ("tie_break", ["qualification"], "Only scored rounds"),
        ("trim_above", 1, "At least 2"),
        ("vote_turnout", Decimal(0), "Above 0 %"),
        ("vote_pass_rate", Decimal(1), "below 100 %"),
        ("publicity_working_days", 4, "at least 5 working days"),
        ("term_years", 0, "At least one year"),
    ],
)
def test_implausible_settings_are_refused(hr, draft, field, value, message):
    setattr(draft, field, value)
    with pytest.raises(ApplicationError, match=message):
        setup.campaign_save(actor=hr, campaign=draft)


def test_publicity_and_appointment_are_not_plain_advances(hr):
    competition = build_competition(candidates=1, judges=5)
    campaign = at_stage(competition.campaign, S.RESULTS)
    with pytest.raises(ApplicationError, match="its own step"):
        setup.campaign_step_forward(actor=hr, campaign=campaign)
    assert Campaign.objects.get(pk=campaign.pk).status == S.RESULTS


def test_a_plain_advance_goes_one_stage(hr, draft):
    CampaignPost.objects.create(campaign=draft, post=PostFactory())
    assert setup.campaign_step_forward(actor=hr, campaign=draft).status == S.APPLICATIONS_OPEN


# --- posts offered ----------------------------------------------------------------------------------


def test_a_post_is_offered_while_draft(hr, draft):
    offered = setup.campaign_post_save(actor=hr, campaign_post=CampaignPost(campaign=draft, post=PostFactory()))
    assert draft.posts.get() == offered


def test_posts_are_fixed_once_applications_open(hr, draft):
    offered = CampaignPost.objects.create(campaign=draft, post=PostFactory())
    at_stage(draft, S.APPLICATIONS_OPEN)
    with pytest.raises(ApplicationError, match="posts offered can change only at Draft"):
        setup.campaign_post_save(actor=hr, campaign_post=CampaignPost(campaign=draft, post=PostFactory()))
    with pytest.raises(ApplicationError, match="posts offered"):
        setup.campaign_post_remove(actor=hr, campaign_post=offered)
    assert draft.posts.count() == 1


def test_places_cannot_exceed_the_headcount(hr, draft):
    with pytest.raises(ApplicationError, match="exceed the headcount") as info:
        setup.campaign_post_save(
            actor=hr, campaign_post=CampaignPost(campaign=draft, post=PostFactory(headcount=2), places=3)
        )
    assert "places" in info.value.fields


def test_a_post_is_offered_once_per_campaign(hr, draft):
    post = PostFactory()
    CampaignPost.objects.create(campaign=draft, post=post)
    with pytest.raises(ApplicationError, match="already offered"):
        setup.campaign_post_save(actor=hr, campaign_post=CampaignPost(campaign=draft, post=post))


def test_a_closed_post_cannot_be_offered(hr, draft):
    with pytest.raises(ApplicationError, match="is closed"):
        setup.campaign_post_save(
            actor=hr, campaign_post=CampaignPost(campaign=draft, post=PostFactory(is_active=False))
        )


def test_a_post_is_removed_while_draft(hr, draft):
    offered = CampaignPost.objects.create(campaign=draft, post=PostFactory())
    setup.campaign_post_remove(actor=hr, campaign_post=offered)
    assert not draft.posts.exists()


# --- rounds ---------------------------------------------------------------------------------------


def new_round(campaign, **fields) -> Round:
    return Round(campaign=campaign, **{"kind": Round.Kind.WRITTEN, "name": "笔试", "weight": Decimal(40), **fields})


def test_a_round_without_an_order_comes_last(hr, draft):
    first = setup.round_save(actor=hr, round_=new_round(draft))
    second = setup.round_save(actor=hr, round_=new_round(draft, kind=Round.Kind.INTERVIEW, name="面试"))
    assert (first.order, second.order) == (1, 2)


def test_two_rounds_cannot_share_a_number(hr, draft):
    setup.round_save(actor=hr, round_=new_round(draft, order=1))
    with pytest.raises(ApplicationError, match="is number 1") as info:
        setup.round_save(actor=hr, round_=new_round(draft, order=1, kind=Round.Kind.INTERVIEW))
    assert "order" in info.value.fields


def test_no_round_is_added_once_the_rounds_start(hr, draft):
    at_stage(draft, S.ROUNDS)
    with pytest.raises(ApplicationError, match="no round can be added"):
        setup.round_save(actor=hr, round_=new_round(draft))


def test_weights_are_fixed_once_the_rounds_start(hr, draft):
    round_ = setup.round_save(actor=hr, round_=new_round(draft))
    at_stage(draft, S.ROUNDS)
    round_ = Round.objects.get(pk=round_.pk)
    round_.weight = Decimal(50)
    with pytest.raises(ApplicationError, match="order and weight of every round are fixed") as info:
        setup.round_save(actor=hr, round_=round_)
    assert "weight" in info.value.fields
    assert Round.objects.get(pk=round_.pk).weight == Decimal(40)


def test_a_pending_round_may_still_set_its_pass_line_while_rounds_run(hr, draft):
    round_ = setup.round_save(actor=hr, round_=new_round(draft))
    at_stage(draft, S.ROUNDS)
    round_ = Round.objects.get(pk=round_.pk)
    round_.pass_line = Decimal(60)
    setup.round_save(actor=hr, round_=round_)
    assert Round.objects.get(pk=round_.pk).pass_line == Decimal(60)


def test_an_opened_round_is_fixed(hr, draft):
    round_ = setup.round_save(actor=hr, round_=new_round(draft))
    Round.objects.filter(pk=round_.pk).update(status=Round.Status.OPEN)
    round_ = Round.objects.get(pk=round_.pk)
    round_.pass_line = Decimal(60)
    with pytest.raises(ApplicationError, match="has been opened"):
        setup.round_save(actor=hr, round_=round_)


def test_a_round_does_not_open_by_an_edit(hr, draft):
    round_ = setup.round_save(actor=hr, round_=new_round(draft))
    round_.status = Round.Status.OPEN
    with pytest.raises(ApplicationError, match="own buttons"):
        setup.round_save(actor=hr, round_=round_)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"kind": Round.Kind.QUALIFICATION, "weight": Decimal(10)}, "weight", "no weight"),
        ({"kind": Round.Kind.INSPECTION, "weight": 0, "pass_line": Decimal(60)}, "pass_line", "no pass line"),
        ({"kind": Round.Kind.VOTE, "weight": 0}, "eligible_voters", "number of eligible voters"),
        ({"kind": Round.Kind.VOTE, "eligible_voters": 40, "pass_line": Decimal(60)}, "pass_line", "approval rate"),
        ({"eligible_voters": 40}, "eligible_voters", "Only a vote"),
        ({"pass_line": Decimal(120)}, "pass_line", "from 0 to 100"),
        ({"advance_per_place": 0}, "advance_per_place", "At least one candidate"),
        ({"weight": Decimal(101)}, "weight", "0 to 100"),
    ],
)
def test_round_settings_that_make_no_sense_are_refused(hr, draft, fields, field, message):
    with pytest.raises(ApplicationError, match=message) as info:
        setup.round_save(actor=hr, round_=new_round(draft, **fields))
    assert field in info.value.fields


def test_a_vote_with_its_voters_is_accepted(hr, draft):
    vote = setup.round_save(actor=hr, round_=new_round(draft, kind=Round.Kind.VOTE, weight=0, eligible_voters=40))
    assert vote.pk is not None


def test_rounds_are_removed_only_before_they_start(hr, draft):
    round_ = setup.round_save(actor=hr, round_=new_round(draft))
    at_stage(draft, S.ROUNDS)
    with pytest.raises(ApplicationError, match="no round can be removed"):
        setup.round_remove(actor=hr, round_=round_)
    at_stage(draft, S.QUALIFICATION_REVIEW)
    setup.round_remove(actor=hr, round_=round_)
    assert not draft.rounds.exists()


def test_the_weight_warning_names_the_sum_until_it_is_100(hr, draft):
    setup.round_save(actor=hr, round_=new_round(draft))
    assert "sum to 40, not 100" in setup.rounds_weight_warning(campaign=draft)
    setup.round_save(actor=hr, round_=new_round(draft, kind=Round.Kind.INTERVIEW, weight=Decimal(60)))
    assert setup.rounds_weight_warning(campaign=draft) == ""


def test_two_way_selection_needs_no_weights(hr):
    campaign = setup.campaign_save(actor=hr, campaign=Campaign(name="双选", method=Appointment.Method.TWO_WAY))
    assert setup.rounds_weight_warning(campaign=campaign) == ""


# --- criteria ---------------------------------------------------------------------------------------


@pytest.fixture
def competition():
    return build_competition(candidates=3, judges=5)


def test_a_new_criterion_comes_last(hr, competition):
    setup.criterion_remove(actor=hr, criterion=competition.criteria[1])
    criterion = setup.criterion_save(
        actor=hr, criterion=Criterion(round=competition.interview, name="仪表举止", maximum=Decimal(40))
    )
    assert criterion.order == 2
    assert setup.criteria_total(round_=competition.interview) == Decimal(100)


def test_the_maxima_of_a_sheet_add_up_to_at_most_100(hr, competition):
    # The fixture's criteria already give 60 + 40.
    with pytest.raises(ApplicationError, match="add up to 105") as info:
        setup.criterion_save(actor=hr, criterion=Criterion(round=competition.interview, name="x", maximum=Decimal(5)))
    assert info.value.fields == {"maximum": ["At most 0.00."]}


def test_criteria_belong_to_an_interview(hr, competition):
    with pytest.raises(ApplicationError, match="on-site interview"):
        setup.criterion_save(actor=hr, criterion=Criterion(round=competition.written, name="x", maximum=Decimal(5)))


def test_criteria_are_fixed_once_the_round_opens(hr, competition):
    Round.objects.filter(pk=competition.interview.pk).update(status=Round.Status.OPEN)
    with pytest.raises(ApplicationError, match="criteria and panels are fixed"):
        setup.criterion_remove(actor=hr, criterion=competition.criteria[0])
    assert competition.interview.criteria.count() == 2


# --- panels ----------------------------------------------------------------------------------------


def test_a_panel_has_at_least_five_judges(hr, competition):
    chosen = judges(4)
    with pytest.raises(ApplicationError, match="at least 5 judges; 4 chosen"):
        setup.panel_save(
            actor=hr, panel=Panel(round=competition.interview, name="第二考场"), judges=chosen, chair=chosen[0]
        )
    assert competition.interview.panels.count() == 1


def test_judges_are_judges_or_department_heads(hr, competition):
    chosen = [
        *judges(3),
        *judges(1, Role.DEPARTMENT_HEAD),
        UserFactory(username="cashier", roles=[Role.FINANCE_OFFICER]),
    ]
    with pytest.raises(ApplicationError, match="cashier hold neither role"):
        setup.panel_save(
            actor=hr, panel=Panel(round=competition.interview, name="第二考场"), judges=chosen, chair=chosen[0]
        )


def test_the_chair_sits_on_the_panel(hr, competition):
    with pytest.raises(ApplicationError, match="chair is one of the panel's judges") as info:
        setup.panel_save(
            actor=hr, panel=Panel(round=competition.interview, name="第二考场"), judges=judges(5), chair=judges(1)[0]
        )
    assert "chair" in info.value.fields


def test_a_candidate_cannot_judge_his_own_campaign(hr, competition):
    candidate = competition.candidates[0].person
    candidate_user = UserFactory(username="candidate", roles=[Role.DEPARTMENT_HEAD])
    candidate.user = candidate_user
    candidate.save()
    chosen = [*judges(4), candidate_user]
    with pytest.raises(ApplicationError, match="A candidate of this campaign cannot judge it"):
        setup.panel_save(
            actor=hr, panel=Panel(round=competition.interview, name="第二考场"), judges=chosen, chair=chosen[0]
        )


def test_a_new_jury_is_recorded_in_the_audit_trail(hr, competition):
    chosen = judges(5)
    panel = setup.panel_save(
        actor=hr, panel=Panel(round=competition.interview, name="第二考场"), judges=chosen, chair=chosen[0]
    )
    assert set(panel.judges.all()) == set(chosen)
    entry = LogEntry.objects.get_for_object(panel).get(additional_data__event="judges_set")
    assert entry.actor == hr
    assert len(entry.changes_dict["judges"][1]) == 5


def test_panels_are_fixed_once_the_round_opens(hr, competition):
    Round.objects.filter(pk=competition.interview.pk).update(status=Round.Status.OPEN)
    with pytest.raises(ApplicationError, match="fixed"):
        setup.panel_remove(actor=hr, panel=competition.panel)


# --- running orders ------------------------------------------------------------------------------


@pytest.fixture
def after_written(hr, competition):
    """The interview's candidates are known: the written exam is closed, all three advanced."""
    start_rounds(competition)
    services.round_open(actor=hr, round_=competition.written)
    services.written_scores_enter(
        actor=hr, round_=competition.written, scores={a: Decimal(70) for a in competition.candidates}
    )
    services.round_close(actor=hr, round_=competition.written)
    PanelCandidate.objects.filter(panel=competition.panel).delete()
    return competition


def test_the_running_order_waits_for_the_earlier_round(hr, competition):
    with pytest.raises(ApplicationError, match="known once “笔试” has closed"):
        setup.panel_candidates_draw(actor=hr, panel=competition.panel, order=setup.DrawOrder.REGISTRATION)


def test_candidates_are_placed_in_registration_order(hr, after_written):
    places = setup.panel_candidates_draw(actor=hr, panel=after_written.panel, order=setup.DrawOrder.REGISTRATION)
    assert [p.application for p in places] == after_written.candidates
    assert [p.running_order for p in places] == [1, 2, 3]


def test_a_drawn_order_is_a_permutation_recorded_with_its_reason(hr, after_written):
    places = setup.panel_candidates_draw(
        actor=hr, panel=after_written.panel, order=setup.DrawOrder.RANDOM, rng=random.Random(7)
    )
    assert sorted(p.application.pk for p in places) == sorted(a.pk for a in after_written.candidates)
    entry = LogEntry.objects.get_for_object(after_written.panel).get(additional_data__event="running_order_set")
    assert entry.additional_data["reason"] == "Running order drawn by lot"
    assert entry.changes_dict["running_order"][1] == [p.application.candidate_name for p in places]


def test_a_rejected_applicant_is_not_placed(hr, after_written):
    outsider = Application.objects.create(
        campaign=after_written.campaign,
        person=PersonFactory(),
        status=Application.Status.REJECTED,
        rejection_reason="学历不符",
    )
    with pytest.raises(ApplicationError, match="Not candidates of this round"):
        setup.panel_running_order_set(actor=hr, panel=after_written.panel, applications=[outsider])


def test_a_candidate_sits_on_one_panel_of_a_round(hr, after_written):
    chosen = judges(5)
    second = setup.panel_save(
        actor=hr, panel=Panel(round=after_written.interview, name="第二考场"), judges=chosen, chair=chosen[0]
    )
    first_candidate = after_written.candidates[0]
    setup.panel_running_order_set(actor=hr, panel=after_written.panel, applications=[first_candidate])
    with pytest.raises(ApplicationError, match="Already on another panel"):
        setup.panel_running_order_set(actor=hr, panel=second, applications=[first_candidate])
    remaining = setup.panel_candidates_draw(actor=hr, panel=second, order=setup.DrawOrder.REGISTRATION)
    assert [p.application for p in remaining] == after_written.candidates[1:]


def test_a_candidate_appears_once_in_a_running_order(hr, after_written):
    twice = [after_written.candidates[0], after_written.candidates[0]]
    with pytest.raises(ApplicationError, match="appears twice"):
        setup.panel_running_order_set(actor=hr, panel=after_written.panel, applications=twice)


# --- external applicants ---------------------------------------------------------------------------


@pytest.fixture
def social(hr):
    campaign = Campaign.objects.create(name="2025年公开招聘", method=Appointment.Method.SOCIAL)
    offered = CampaignPost.objects.create(campaign=campaign, post=PostFactory(), min_education="bachelor")
    return at_stage(campaign, S.APPLICATIONS_OPEN), offered


WOMAN_ID = national_id_for(dt.date(1995, 3, 8), 12, "F")


def register(hr, social, **fields):
    campaign, offered = social
    data = {"name": "李娜", "national_id": WOMAN_ID, "education": "master", "declared_truthful": True, **fields}
    return setup.external_application_register(actor=hr, campaign=campaign, campaign_post=offered, **data)


def test_an_external_applicant_takes_gender_and_birth_date_from_the_id(hr, social):
    application = register(hr, social)
    assert (application.external_gender, application.external_birth_date) == ("F", dt.date(1995, 3, 8))
    assert application.choices.get().campaign_post == social[1]
    assert LogEntry.objects.get_for_object(application).get().actor == hr


def test_a_wrong_check_digit_is_refused(hr, social):
    wrong = WOMAN_ID[:17] + ("0" if WOMAN_ID[17] != "0" else "1")
    with pytest.raises(ApplicationError, match="check digit") as info:
        register(hr, social, national_id=wrong)
    assert "national_id" in info.value.fields


def test_an_external_applicant_registers_once(hr, social):
    register(hr, social)
    with pytest.raises(ApplicationError, match="already applied"):
        register(hr, social, national_id=WOMAN_ID.lower())


def test_staff_on_the_roster_apply_from_their_own_login(hr, social):
    person = PersonFactory()
    with pytest.raises(ApplicationError, match="on the roster"):
        register(hr, social, national_id=person.national_id)


def test_external_applicants_meet_the_education_required(hr, social):
    with pytest.raises(ApplicationError, match="education below"):
        register(hr, social, education=Person.Education.COLLEGE)


def test_external_applicants_sign_the_declaration(hr, social):
    with pytest.raises(ApplicationError, match="declaration") as info:
        register(hr, social, declared_truthful=False)
    assert "declared_truthful" in info.value.fields


def test_external_applicants_are_for_open_social_recruitment_only(hr, social):
    Campaign.objects.filter(pk=social[0].pk).update(method=Appointment.Method.COMPETITIVE)
    with pytest.raises(ApplicationError, match="open social recruitment only"):
        register(hr, social)


def test_external_applicants_register_while_applications_are_open(hr, social):
    at_stage(social[0], S.QUALIFICATION_REVIEW)
    with pytest.raises(ApplicationError, match="takes no applications"):
        register(hr, social)
    assert not Application.objects.exists()


# --- written scores --------------------------------------------------------------------------------


@pytest.fixture
def written_open(hr):
    competition = build_competition(candidates=3, judges=5)
    start_rounds(competition)
    services.round_open(actor=hr, round_=competition.written)
    return competition


def test_written_scores_wait_for_the_round_to_open(hr, competition):
    with pytest.raises(ApplicationError, match="entered while it is open"):
        services.written_scores_enter(
            actor=hr, round_=competition.written, scores={competition.candidates[0]: Decimal(80)}
        )


def test_written_scores_are_for_the_round_candidates(hr, written_open):
    other = Campaign.objects.create(name="另一场竞聘", method="competitive", status=S.APPLICATIONS_OPEN)
    stranger = Application.objects.create(campaign=other, person=PersonFactory(), status="qualified")
    with pytest.raises(ApplicationError, match="Not candidates of this round"):
        services.written_scores_enter(actor=hr, round_=written_open.written, scores={stranger: Decimal(80)})
    assert not WrittenScore.objects.exists()


def workbook(rows, headers=("报名编号", "姓名", "成绩")) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_valid_workbook_gives_every_score(written_open):
    a, b, c = written_open.candidates
    content = workbook([(a.pk, a.candidate_name, 81.5), (b.pk, b.candidate_name, "77"), (c.pk, c.candidate_name, 90)])
    checked = setup.written_scores_read(round_=written_open.written, content=content)
    assert checked.problems == []
    assert checked.scores == {a: Decimal("81.5"), b: Decimal(77), c: Decimal(90)}


def test_every_bad_row_is_reported_and_nothing_is_kept(written_open):
    a, b, c = written_open.candidates
    content = workbook(
        [
            (a.pk, a.candidate_name, 80),
            (b.pk, "王五", 70),  # a shifted row: the name does not match
            (c.pk, c.candidate_name, 101),
            (a.pk, a.candidate_name, 60),
            (99999, "无此人", "80.125"),
            ("abc", "某某", None),
        ]
    )
    checked = setup.written_scores_read(round_=written_open.written, content=content)
    assert checked.scores == {}
    found = [(p.row, p.column) for p in checked.problems]
    assert found == [
        (3, "姓名"),
        (4, "成绩"),
        (5, "报名编号"),
        (6, "报名编号"),
        (6, "成绩"),
        (7, "报名编号"),
        (7, "成绩"),
    ]
    assert "Also in row 2" in checked.problems[2].reason
    assert "absent" in checked.problems[6].reason


def test_a_workbook_without_the_headers_is_refused(written_open):
    with pytest.raises(ApplicationError, match="missing: 成绩"):
        setup.written_scores_read(round_=written_open.written, content=workbook([(1, "x", 1)], ("报名编号", "姓名")))


def test_a_file_that_is_not_a_workbook_is_refused(written_open):
    with pytest.raises(ApplicationError, match=r"not an \.xlsx workbook"):
        setup.written_scores_read(round_=written_open.written, content=b"\xd0\xcf\x11\xe0 an old .xls")


def test_the_template_lists_the_candidates_with_their_scores(hr, written_open):
    a = written_open.candidates[0]
    services.written_scores_enter(actor=hr, round_=written_open.written, scores={a: Decimal("66.5")})
    buffer = BytesIO()
    setup.written_scores_workbook(round_=written_open.written).save(buffer)
    rows = list(load_workbook(BytesIO(buffer.getvalue())).active.iter_rows(values_only=True))
    assert rows[0] == ("报名编号", "姓名", "成绩")
    assert rows[1] == (a.pk, a.candidate_name, 66.5)
    assert len(rows) == 4


def test_a_round_holding_scores_is_not_removed(hr, competition):
    # Scores written by an earlier version of the rules, before the rounds started.
    WrittenScore.objects.create(
        round=competition.written, application=competition.candidates[0], score=Decimal(70), entered_by=hr
    )
    with pytest.raises(ApplicationError, match="already holds scores"):
        setup.round_remove(actor=hr, round_=competition.written)
    assert Round.objects.filter(pk=competition.written.pk).exists()

"""Campaign pages: HR sets a campaign up and runs it; staff apply and follow their applications."""

import datetime as dt
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook

from recruitment import services
from recruitment.models import Application, Campaign, CampaignPost, Criterion, Panel, Round, WrittenScore
from staffing.models import Appointment
from tests.factories import AppointmentFactory, PostFactory, UserFactory, national_id_for
from tests.recruitment_fixtures import build_competition, start_rounds
from zonehr.roles import Role

pytestmark = pytest.mark.django_db
S = Campaign.Status


def url(name: str, *args) -> str:
    return reverse(f"recruitment:{name}", args=args)


def shown_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def campaign_form(**overrides) -> dict:
    return {
        "name": "2025年中层干部竞聘",
        "method": Appointment.Method.COMPETITIVE,
        "description": "",
        "applications_close_on": "2099-10-20",
        "trim_above": 5,
        "rounding": "half_up",
        "vote_pass_rate": "50",
        "vote_turnout": "66.67",
        "publicity_working_days": 5,
        "term_years": 3,
        "unplaced_to_waiting": "on",
        "tie_break_1": "interview",
        "tie_break_2": "written",
        "tie_break_3": "",
        **overrides,
    }


def open_campaign(*posts, method=Appointment.Method.COMPETITIVE) -> Campaign:
    campaign = Campaign.objects.create(name="2025年竞聘", method=method, status=S.APPLICATIONS_OPEN)
    for post in posts or (PostFactory(),):
        CampaignPost.objects.create(campaign=campaign, post=post)
    return campaign


# --- the HR flow, end to end ----------------------------------------------------------------------


def test_hr_runs_a_campaign_from_creation_to_the_first_open_round(english, client, personas):
    hr = personas.hr
    client.force_login(hr)
    response = client.post(url("campaign_create"), campaign_form())
    campaign = Campaign.objects.get()
    assert response.url == url("campaign_detail", campaign.pk)
    assert (campaign.vote_turnout, campaign.tie_break, campaign.created_by) == (
        Decimal("0.6667"),
        ["interview", "written"],
        hr,
    )

    post = PostFactory(department=personas.department_a, headcount=2, name="招商专员")
    assert client.post(url("campaign_post_add", campaign.pk), {"post": post.pk, "places": 1}).status_code == 302
    offered = campaign.posts.get()
    client.post(url("campaign_advance", campaign.pk))
    assert Campaign.objects.get(pk=campaign.pk).status == S.APPLICATIONS_OPEN

    for applicant in (personas.staff, personas.head_a):
        client.force_login(applicant)
        listing = client.get(url("campaigns"))
        assert url("apply", campaign.pk) in listing.content.decode()
        response = client.post(url("apply", campaign.pk), {"posts": offered.pk, "declared_truthful": "on"})
        assert response.status_code == 302, response.context["form"].errors
    staff_application = Application.objects.get(person=personas.staff_person)
    head_application = Application.objects.get(person=personas.head_a_person)

    client.force_login(hr)
    client.post(url("application_review", staff_application.pk), {"decision": "qualify"})
    client.post(url("application_review", head_application.pk), {"decision": "reject", "reason": "任职年限不足"})
    client.post(url("campaign_advance", campaign.pk))  # qualification review: applications close

    client.post(url("round_create", campaign.pk), {"order": 1, "kind": "written", "name": "笔试", "weight": 40})
    client.post(url("round_create", campaign.pk), {"order": 2, "kind": "interview", "name": "现场面试", "weight": 60})
    written, interview = campaign.rounds.order_by("order")
    client.post(url("criterion_add", interview.pk), {"name": "综合分析", "maximum": 60})
    client.post(url("criterion_add", interview.pk), {"name": "岗位认知", "maximum": 40})
    judges = [personas.judge, *(UserFactory(roles=[Role.JUDGE]) for _ in range(4))]
    client.post(
        url("panel_create", interview.pk),
        {"name": "第一考场", "chair": judges[0].pk, "judges": [judge.pk for judge in judges]},
    )
    panel = interview.panels.get()
    assert panel.chair == personas.judge and panel.judges.count() == 5

    client.post(url("campaign_advance", campaign.pk))
    assert Campaign.objects.get(pk=campaign.pk).status == S.ROUNDS
    client.post(url("round_open", written.pk))
    client.post(url("written_scores", written.pk), {f"score_{staff_application.pk}": "85.5"})
    assert WrittenScore.objects.get(application=staff_application).score == Decimal("85.5")
    client.post(url("round_close", written.pk))
    client.post(url("panel_draw", panel.pk), {"order": "registration"})
    assert [p.application for p in panel.candidates.all()] == [staff_application]
    response = client.post(url("round_open", interview.pk), follow=True)
    assert "Round “现场面试” is open." in shown_messages(response)
    assert Round.objects.get(pk=interview.pk).status == Round.Status.OPEN

    detail = client.get(url("campaign_detail", campaign.pk)).content.decode()
    assert 'aria-current="step"><span class="step-number">4</span> Rounds under way' in detail
    assert "任职年限不足" in detail


def test_the_applicant_sees_the_reason_of_his_rejection(english, client, personas):
    campaign = open_campaign()
    application = services.application_submit(
        actor=personas.staff,
        campaign=campaign,
        person=personas.staff_person,
        posts=[campaign.posts.get()],
        declared_truthful=True,
    )
    services.application_review(actor=personas.hr, application=application, qualified=False, reason="学历不符合要求")
    client.force_login(personas.staff)
    assert "学历不符合要求" in client.get(url("my_applications")).content.decode()
    page = client.get(url("my_application", application.pk)).content.decode()
    assert "Rejected" in page and "学历不符合要求" in page


def test_guessed_ids_of_another_persons_application_are_not_found(client, personas):
    campaign = open_campaign()
    theirs = services.application_submit(
        actor=personas.head_a,
        campaign=campaign,
        person=personas.head_a_person,
        posts=[campaign.posts.get()],
        declared_truthful=True,
    )
    client.force_login(personas.staff)
    assert client.get(url("my_application", theirs.pk)).status_code == 404
    assert client.get(url("my_application", theirs.pk + 1000)).status_code == 404


# --- who may do what ------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["leader", "inspector", "head_a", "staff", "judge", "finance", "outsider"])
def test_only_hr_may_post_to_the_campaign_pages(client, personas, persona):
    competition = build_competition(candidates=1, judges=5)
    application = competition.candidates[0]
    client.force_login(getattr(personas, persona))
    posts = [
        (url("campaign_create"), campaign_form(name="越权创建")),
        (url("campaign_advance", competition.campaign.pk), {}),
        (url("application_review", application.pk), {"decision": "reject", "reason": "越权"}),
        (url("round_create", competition.campaign.pk), {"order": 3, "kind": "vote", "name": "x", "weight": 0}),
        (url("criterion_add", competition.interview.pk), {"name": "越权", "maximum": 1}),
        (url("integrity_flag", application.pk), {"kind": "lobbying", "note": "越权", "disqualifies": "on"}),
    ]
    assert [client.post(target, data).status_code for target, data in posts] == [403] * len(posts)
    competition.campaign.refresh_from_db()
    application.refresh_from_db()
    assert competition.campaign.status == S.APPLICATIONS_OPEN
    assert application.status == Application.Status.SUBMITTED
    assert Campaign.objects.count() == 1 and competition.campaign.rounds.count() == 2
    assert Criterion.objects.count() == 2


def test_a_judge_sees_nothing_of_campaign_management(client):
    competition = build_competition(candidates=1, judges=5)
    client.force_login(competition.judges[0])
    pages = [
        url("campaigns"),
        url("campaign_detail", competition.campaign.pk),
        url("round_setup", competition.interview.pk),
        url("panel_edit", competition.panel.pk),
    ]
    assert [client.get(page).status_code for page in pages] == [403] * len(pages)


def test_staff_do_not_see_draft_campaigns(client, personas):
    draft = Campaign.objects.create(name="筹备中的竞聘", method="competitive")
    client.force_login(personas.staff)
    assert "筹备中的竞聘" not in client.get(url("campaigns")).content.decode()
    assert client.get(url("apply", draft.pk)).status_code == 404


def test_hr_sees_the_new_campaign_button_and_staff_do_not(client, personas):
    client.force_login(personas.hr)
    assert url("campaign_create") in client.get(url("campaigns")).content.decode()
    client.force_login(personas.staff)
    page = client.get(url("campaigns")).content.decode()
    assert url("campaign_create") not in page
    assert url("my_applications") in page


def test_oversight_reads_the_campaign_without_its_buttons(client, personas):
    competition = build_competition(candidates=1, judges=5)
    client.force_login(personas.inspector)
    page = client.get(url("campaign_detail", competition.campaign.pk)).content.decode()
    assert competition.candidates[0].candidate_name in page
    assert url("campaign_advance", competition.campaign.pk) not in page
    assert url("application_review", competition.candidates[0].pk) not in page


# --- the campaign page ----------------------------------------------------------------------------


def test_a_refused_advance_shows_the_rule(english, client, personas):
    campaign = Campaign.objects.create(name="无岗位竞聘", method="competitive")
    client.force_login(personas.hr)
    response = client.post(url("campaign_advance", campaign.pk), follow=True)
    assert "Offer at least one post before opening applications." in shown_messages(response)
    assert Campaign.objects.get(pk=campaign.pk).status == S.DRAFT


def test_the_campaign_page_warns_while_weights_do_not_sum_to_100(english, client, personas):
    campaign = open_campaign()
    Round.objects.create(campaign=campaign, order=1, kind="written", name="笔试", weight=40)
    client.force_login(personas.hr)
    page = client.get(url("campaign_detail", campaign.pk)).content.decode()
    assert "sum to 40, not 100" in page
    Round.objects.create(campaign=campaign, order=2, kind="interview", name="面试", weight=60)
    assert "not 100" not in client.get(url("campaign_detail", campaign.pk)).content.decode()


def test_publicity_is_not_offered_as_a_plain_advance(english, client, personas):
    competition = build_competition(candidates=1, judges=5)
    Campaign.objects.filter(pk=competition.campaign.pk).update(status=S.RESULTS)
    client.force_login(personas.hr)
    page = client.get(url("campaign_detail", competition.campaign.pk)).content.decode()
    assert url("campaign_advance", competition.campaign.pk) not in page
    response = client.post(url("campaign_advance", competition.campaign.pk), follow=True)
    assert any("its own step" in message for message in shown_messages(response))
    assert Campaign.objects.get(pk=competition.campaign.pk).status == S.RESULTS


def test_a_rejection_without_a_reason_is_refused_on_the_page(english, client, personas):
    competition = build_competition(candidates=1, judges=5)
    application = competition.candidates[0]
    client.force_login(personas.hr)
    response = client.post(url("application_review", application.pk), {"decision": "reject"}, follow=True)
    assert any("Give a reason" in message for message in shown_messages(response))
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED


def test_an_integrity_flag_disqualifies_from_the_page(client, personas):
    competition = build_competition(candidates=1, judges=5)
    application = competition.candidates[0]
    client.force_login(personas.hr)
    data = {"kind": "lobbying", "note": "向评委打招呼拉票", "disqualifies": "on"}
    assert client.post(url("integrity_flag", application.pk), data).status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.DISQUALIFIED
    assert application.integrity_flags.get().recorded_by == personas.hr


def test_the_detail_page_query_count_does_not_grow_with_applications(client, personas):
    competition = build_competition(candidates=2, judges=5)
    client.force_login(personas.hr)

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            client.get(url("campaign_detail", competition.campaign.pk))
        return len(context.captured_queries)

    few = queries()
    for _ in range(5):
        person = AppointmentFactory().person
        services.application_submit(
            actor=None,
            campaign=competition.campaign,
            person=person,
            posts=[competition.offered],
            declared_truthful=True,
        )
    assert queries() == few


def test_settings_the_stage_fixed_are_read_only_and_kept(client, personas):
    competition = build_competition(candidates=1, judges=5)
    start_rounds(competition)
    client.force_login(personas.hr)
    form = client.get(url("campaign_edit", competition.campaign.pk)).context["form"]
    assert form.fields["trim_above"].disabled and not form.fields["name"].disabled
    response = client.post(
        url("campaign_edit", competition.campaign.pk), campaign_form(name="改名后的竞聘", trim_above=9)
    )
    assert response.status_code == 302
    competition.campaign.refresh_from_db()
    assert (competition.campaign.name, competition.campaign.trim_above) == ("改名后的竞聘", 5)


# --- the round page -------------------------------------------------------------------------------


def test_panel_judges_are_chosen_among_judges_and_department_heads(client, personas):
    competition = build_competition(candidates=1, judges=5)
    client.force_login(personas.hr)
    choices = client.get(url("panel_create", competition.interview.pk)).context["form"].fields["judges"].queryset
    assert personas.judge in choices and personas.head_a in choices
    assert personas.finance not in choices and personas.staff not in choices


def test_a_criterion_above_the_sheet_total_comes_back_with_the_error(english, client, personas):
    competition = build_competition(candidates=1, judges=5)
    client.force_login(personas.hr)
    response = client.post(url("criterion_add", competition.interview.pk), {"name": "加分项", "maximum": 5})
    assert response.status_code == 200
    assert "add up to 105" in response.content.decode()
    assert competition.interview.criteria.count() == 2


def scores_workbook(rows) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(["报名编号", "姓名", "成绩"])
    for row in rows:
        sheet.append(list(row))
    buffer = BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("笔试成绩.xlsx", buffer.getvalue())


@pytest.fixture
def written_open(personas):
    competition = build_competition(candidates=2, judges=5)
    start_rounds(competition)
    services.round_open(actor=competition.hr, round_=competition.written)
    return competition


def test_written_scores_are_imported_from_a_workbook(english, client, personas, written_open):
    a, b = written_open.candidates
    client.force_login(personas.hr)
    upload = scores_workbook([(a.pk, a.candidate_name, 78), (b.pk, b.candidate_name, 91.5)])
    response = client.post(url("written_scores_import", written_open.written.pk), {"file": upload}, follow=True)
    assert "2 written scores imported." in shown_messages(response)
    assert dict(WrittenScore.objects.values_list("application_id", "score")) == {
        a.pk: Decimal(78),
        b.pk: Decimal("91.5"),
    }


def test_a_workbook_with_a_bad_row_shows_it_and_saves_nothing(english, client, personas, written_open):
    a, b = written_open.candidates
    client.force_login(personas.hr)
    upload = scores_workbook([(a.pk, a.candidate_name, 78), (b.pk, b.candidate_name, 130)])
    response = client.post(url("written_scores_import", written_open.written.pk), {"file": upload})
    page = response.content.decode()
    assert "The file has 1 problem; nothing has been saved." in page
    assert "A score is from 0 to 100." in page
    assert not WrittenScore.objects.exists()


def test_the_written_scores_template_downloads_as_a_workbook(client, personas, written_open):
    client.force_login(personas.hr)
    response = client.get(url("written_scores_template", written_open.written.pk))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


# --- applying -------------------------------------------------------------------------------------


def test_two_way_applicants_rank_the_posts(client, personas):
    first, second = PostFactory(name="规划岗"), PostFactory(name="招商岗")
    campaign = open_campaign(first, second, method=Appointment.Method.TWO_WAY)
    one, two = campaign.posts.order_by("id")
    client.force_login(personas.staff)
    response = client.post(
        url("apply", campaign.pk), {f"preference_{two.pk}": 1, f"preference_{one.pk}": 2, "declared_truthful": "on"}
    )
    assert response.status_code == 302
    application = Application.objects.get(person=personas.staff_person)
    assert [choice.campaign_post for choice in application.choices.all()] == [two, one]


def test_two_posts_cannot_share_a_preference(english, client, personas):
    campaign = open_campaign(PostFactory(), PostFactory(), method=Appointment.Method.TWO_WAY)
    one, two = campaign.posts.order_by("id")
    client.force_login(personas.staff)
    response = client.post(
        url("apply", campaign.pk), {f"preference_{one.pk}": 1, f"preference_{two.pk}": 1, "declared_truthful": "on"}
    )
    assert "different preference number" in response.content.decode()
    assert not Application.objects.exists()


def test_a_self_recommendation_asks_for_a_statement(english, client, personas):
    campaign = open_campaign(method=Appointment.Method.SELF_RECOMMENDATION)
    client.force_login(personas.staff)
    assert 'name="statement"' in client.get(url("apply", campaign.pk)).content.decode()
    response = client.post(
        url("apply", campaign.pk), {"posts": campaign.posts.get().pk, "declared_truthful": "on", "statement": " "}
    )
    assert "needs a statement" in response.content.decode()
    assert not Application.objects.exists()


def test_a_competitive_application_has_no_statement_box(client, personas):
    campaign = open_campaign()
    client.force_login(personas.staff)
    assert 'name="statement"' not in client.get(url("apply", campaign.pk)).content.decode()


def test_the_truthful_declaration_is_required(english, client, personas):
    campaign = open_campaign()
    client.force_login(personas.staff)
    response = client.post(url("apply", campaign.pk), {"posts": campaign.posts.get().pk})
    assert "Declare that the application is truthful" in response.content.decode()
    assert not Application.objects.exists()


def test_applying_twice_leads_to_the_first_application(client, personas):
    campaign = open_campaign()
    application = services.application_submit(
        actor=personas.staff,
        campaign=campaign,
        person=personas.staff_person,
        posts=[campaign.posts.get()],
        declared_truthful=True,
    )
    client.force_login(personas.staff)
    assert client.get(url("apply", campaign.pk)).url == url("my_application", application.pk)


def test_the_apply_page_says_why_a_post_is_out_of_reach(english, client, personas):
    campaign = open_campaign()
    CampaignPost.objects.filter(campaign=campaign).update(min_education="doctorate")
    client.force_login(personas.staff)
    assert "education below Doctorate" in client.get(url("apply", campaign.pk)).content.decode()


def test_hr_registers_an_external_applicant(client, personas):
    campaign = open_campaign(method=Appointment.Method.SOCIAL)
    client.force_login(personas.hr)
    national_id = national_id_for(dt.date(1996, 5, 4), 21, "F")
    response = client.post(
        url("external_register", campaign.pk),
        {
            "name": "周敏",
            "national_id": national_id,
            "education": "master",
            "post": campaign.posts.get().pk,
            "declared_truthful": "on",
        },
    )
    assert response.status_code == 302
    application = Application.objects.get()
    assert (application.external_name, application.external_gender, application.person) == ("周敏", "F", None)


def test_external_registration_is_for_open_social_recruitment(client, personas):
    client.force_login(personas.hr)
    assert client.get(url("external_register", open_campaign().pk)).status_code == 404


def test_panels_are_listed_on_the_round_page(client, personas):
    competition = build_competition(candidates=2, judges=5)
    client.force_login(personas.leader)
    page = client.get(url("round_setup", competition.interview.pk)).content.decode()
    assert competition.panel.name in page
    assert url("panel_create", competition.interview.pk) not in page
    assert Panel.objects.count() == 1

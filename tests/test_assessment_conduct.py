"""Conduct reports through the pages: filing, following, and the inspector's handling."""

import pytest
from django.urls import reverse

from assessment import services
from assessment.models import ConductReport
from tests.factories import UserFactory
from zonehr.roles import Role

pytestmark = pytest.mark.django_db


def test_a_staff_member_files_an_anonymous_report_and_sees_its_status(english, personas):
    english.force_login(personas.staff)
    response = english.post(
        reverse("assessment:conduct_file"),
        {"text": "某科长连续三个月不接待企业", "anonymous": "on", "department": personas.department_a.pk},
    )
    assert response.status_code == 302
    report = ConductReport.objects.get()
    assert (report.filed_by, report.anonymous, report.department) == (personas.staff, True, personas.department_a)
    page = english.get(reverse("assessment:conduct_mine")).content.decode()
    assert "某科长连续三个月不接待企业" in page
    assert "Received" in page


def test_an_empty_report_is_refused_on_the_form(english, personas):
    english.force_login(personas.outsider)
    response = english.post(reverse("assessment:conduct_file"), {"text": "   "})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not ConductReport.objects.exists()


def test_a_user_sees_only_his_own_reports(english, personas):
    services.conduct_report_file(actor=personas.head_b, text="规划局某人躺平")
    english.force_login(personas.staff)
    page = english.get(reverse("assessment:conduct_mine")).content.decode()
    assert "规划局某人躺平" not in page
    assert "You have filed no reports." in page


def test_the_inspector_sees_the_filer_of_an_anonymous_report(english, personas):
    personas.staff.first_name, personas.staff.last_name = "", "王小明"
    personas.staff.save()
    services.conduct_report_file(actor=personas.staff, text="某干部躺平", anonymous=True)
    english.force_login(personas.inspector)
    page = english.get(reverse("assessment:conduct_reports")).content.decode()
    assert "王小明" in page
    assert "anonymous" in page


def test_the_inspector_filters_reports_by_status_and_anonymity(english, personas):
    named = services.conduct_report_file(actor=personas.staff, text="实名线索甲")
    services.conduct_report_file(actor=personas.staff, text="匿名线索乙", anonymous=True)
    services.conduct_report_handle(actor=personas.inspector, report=named, status="verified", notes="属实")
    english.force_login(personas.inspector)
    anonymous = english.get(reverse("assessment:conduct_reports"), {"anonymous": "yes"}).content.decode()
    assert "匿名线索乙" in anonymous and "实名线索甲" not in anonymous
    verified = english.get(reverse("assessment:conduct_reports"), {"status": "verified"}).content.decode()
    assert "实名线索甲" in verified and "匿名线索乙" not in verified


def test_the_inspector_handles_a_report_step_by_step(english, personas):
    report = services.conduct_report_file(actor=personas.staff, text="躺平线索")
    english.force_login(personas.inspector)
    url = reverse("assessment:conduct_report", kwargs={"pk": report.pk})
    # Action can only follow verification: the form does not even offer it yet.
    refused = english.post(url, {"status": "action", "notes": "诫勉谈话"})
    assert refused.status_code == 200
    english.post(url, {"status": "verified", "notes": "经核实属实"})
    english.post(url, {"status": "action", "notes": "诫勉谈话"})
    report.refresh_from_db()
    assert report.status == ConductReport.Status.ACTION
    assert report.notes == "经核实属实\n诫勉谈话"
    assert report.handled_by == personas.inspector
    assert "no further step" in english.get(url).content.decode()


def test_handling_needs_notes(english, personas):
    report = services.conduct_report_file(actor=personas.staff, text="躺平线索")
    english.force_login(personas.inspector)
    response = english.post(reverse("assessment:conduct_report", kwargs={"pk": report.pk}), {"status": "verified"})
    assert response.status_code == 200
    report.refresh_from_db()
    assert report.status == ConductReport.Status.RECEIVED


def test_the_audit_trail_does_not_name_the_filer_of_an_anonymous_report(english, personas):
    filer = UserFactory(username="filer_wang", last_name="王小明", roles=[Role.STAFF_MEMBER])
    english.force_login(filer)
    english.post(reverse("assessment:conduct_file"), {"text": "某干部躺平", "anonymous": "on"})
    assert ConductReport.objects.get().filed_by == filer
    english.force_login(personas.leader)
    page = english.get(reverse("audit_trail")).content.decode()
    assert "conduct report" in page  # the filing is in the trail ...
    assert "filer_wang" not in page and "王小明" not in page  # ... without his name


def test_the_audit_trail_does_not_give_the_user_id_of_an_anonymous_filer(english, personas):
    filer = UserFactory(username="filer_wang", roles=[Role.STAFF_MEMBER])
    services.conduct_report_file(actor=filer, text="某干部躺平", anonymous=True)
    english.force_login(personas.leader)
    page = english.get(reverse("audit_trail")).content.decode()
    assert "conduct report" in page
    assert "<b>filed_by</b>" not in page

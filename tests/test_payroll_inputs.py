"""Pay inputs, advanced workers and pay profiles: what finance enters for a month, refused when
negative, for someone not paid, or in a closed month; and their pages."""

import io
from decimal import Decimal

import openpyxl
import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from payroll import inputs
from payroll.models import AdvancedWorker, PayInput, PayPeriod, PayProfile
from staffing.models import Person
from tests.factories import PersonFactory, UserFactory
from tests.payroll_fixtures import build_cycle, build_period, build_policy, build_waiting_person
from zonehr.errors import ApplicationError
from zonehr.roles import Role

D = Decimal
KIND = PayInput.Kind
# A workbook names a kind by its Chinese label, as the catalogue has it.
with translation.override("zh-hans"):
    LABELS = {code: str(label) for code, label in KIND.choices}
ALLOWANCE = LABELS[KIND.ALLOWANCE]


@pytest.fixture
def finance(db):
    return UserFactory(roles=[Role.FINANCE_OFFICER])


@pytest.fixture
def period(db):
    build_policy()
    return build_period(year=2025, month=1, cycle=build_cycle())


def _close(period: PayPeriod) -> None:
    PayPeriod.objects.filter(pk=period.pk).update(status=PayPeriod.Status.CLOSED)


# --- Pay inputs ----------------------------------------------------------------------------------


def test_finance_adds_an_input_and_it_is_audited_on_the_person(personas, period):
    entry = inputs.pay_input_add(
        actor=personas.finance,
        period=period,
        person=personas.staff_person,
        kind=KIND.OVER_TARGET_BONUS,
        amount=D("1500.00"),
        note="超额完成招商任务",
    )

    assert PayInput.objects.get() == entry
    log = LogEntry.objects.get_for_object(entry).get()
    assert log.actor == personas.finance
    assert log.additional_data["person"] == personas.staff_person.pk


def test_a_negative_amount_is_refused_naming_the_amount(personas, period):
    with pytest.raises(ApplicationError) as refused:
        inputs.pay_input_add(
            actor=personas.finance, period=period, person=personas.staff_person, kind=KIND.ALLOWANCE, amount=D("-5")
        )

    assert refused.value.fields == {
        "amount": ["The amount cannot be negative (it is -5); enter a deduction as its own kind."]
    }
    assert not PayInput.objects.exists()


def test_an_input_for_a_closed_period_is_refused(personas, period):
    _close(period)

    with pytest.raises(ApplicationError, match="The pay period 2025-01 is closed"):
        inputs.pay_input_add(
            actor=personas.finance, period=period, person=personas.staff_person, kind=KIND.ALLOWANCE, amount=D(100)
        )

    assert not PayInput.objects.exists()


def test_an_input_for_someone_not_paid_is_refused_and_waiting_staff_may_have_one(personas, period):
    departed = PersonFactory(status=Person.Status.DEPARTED, name="李离职")
    waiting = build_waiting_person(post=personas.staff_person.appointments.get().post)

    with pytest.raises(ApplicationError, match="李离职 is not paid this month"):
        inputs.pay_input_add(actor=personas.finance, period=period, person=departed, kind=KIND.BACK_PAY, amount=D(1))
    inputs.pay_input_add(actor=personas.finance, period=period, person=waiting, kind=KIND.BACK_PAY, amount=D(800))

    assert list(PayInput.objects.values_list("person_id", flat=True)) == [waiting.pk]


def test_an_input_is_corrected_and_deleted_until_the_period_closes(personas, period):
    entry = inputs.pay_input_add(
        actor=personas.finance, period=period, person=personas.staff_person, kind=KIND.ALLOWANCE, amount=D(100)
    )

    inputs.pay_input_update(actor=personas.finance, pay_input=entry, kind=KIND.DEDUCTION, amount=D(50), note="餐费")
    entry.refresh_from_db()
    assert (entry.kind, entry.amount, entry.note) == (KIND.DEDUCTION, D(50), "餐费")
    with pytest.raises(ApplicationError, match="cannot be negative"):
        inputs.pay_input_update(actor=personas.finance, pay_input=entry, kind=KIND.DEDUCTION, amount=D(-50))

    _close(period)
    with pytest.raises(ApplicationError, match="is closed"):
        inputs.pay_input_update(actor=personas.finance, pay_input=entry, kind=KIND.DEDUCTION, amount=D(70))
    with pytest.raises(ApplicationError, match="is closed"):
        inputs.pay_input_delete(actor=personas.finance, pay_input=entry)
    entry.refresh_from_db()
    assert entry.amount == D(50)

    PayPeriod.objects.filter(pk=period.pk).update(status=PayPeriod.Status.CALCULATED)
    inputs.pay_input_delete(actor=personas.finance, pay_input=entry)
    assert not PayInput.objects.exists()


# --- Advanced workers ----------------------------------------------------------------------------


def test_only_staff_on_post_are_named_and_only_once(personas, period):
    waiting = build_waiting_person(post=personas.staff_person.appointments.get().post, name="王待岗")

    inputs.advanced_worker_name(actor=personas.finance, period=period, person=personas.staff_person)
    with pytest.raises(ApplicationError, match="already named"):
        inputs.advanced_worker_name(actor=personas.finance, period=period, person=personas.staff_person)
    with pytest.raises(ApplicationError, match="王待岗 is not paid this month"):
        inputs.advanced_worker_name(actor=personas.finance, period=period, person=waiting)

    assert list(AdvancedWorker.objects.values_list("person_id", flat=True)) == [personas.staff_person.pk]


def test_naming_and_unnaming_is_refused_in_a_closed_period(personas, period):
    worker = inputs.advanced_worker_name(actor=personas.finance, period=period, person=personas.staff_person)
    _close(period)

    with pytest.raises(ApplicationError, match="is closed"):
        inputs.advanced_worker_name(actor=personas.finance, period=period, person=personas.head_a_person)
    with pytest.raises(ApplicationError, match="is closed"):
        inputs.advanced_worker_unname(actor=personas.finance, advanced_worker=worker)

    assert list(AdvancedWorker.objects.all()) == [worker]


def test_the_award_pool_is_outdated_when_naming_changes_after_approval(personas, period):
    assert not inputs.award_pool_outdated(period)
    period.performance_pool = D("18000.00")
    period.save()
    worker = inputs.advanced_worker_name(actor=personas.finance, period=period, person=personas.staff_person)
    assert inputs.award_pool_outdated(period)

    period.award_pool = D("3600.00")
    period.save()
    assert not inputs.award_pool_outdated(period)
    inputs.advanced_worker_unname(actor=personas.finance, advanced_worker=worker)
    assert inputs.award_pool_outdated(period)


# --- Pay profiles --------------------------------------------------------------------------------


def test_a_profile_is_created_then_replaced(personas):
    person = personas.staff_person

    inputs.pay_profile_save(
        actor=personas.finance,
        person=person,
        bank_name="中国银行",
        bank_account="6217 0000 1234 5678",
        special_additional_deduction=D(2000),
    )
    inputs.pay_profile_save(
        actor=personas.finance, person=person, bank_account="6222000011112222", contribution_wage=D(9000)
    )

    profile = PayProfile.objects.get()
    assert (profile.bank_name, profile.bank_account) == ("", "6222000011112222")
    assert (profile.special_additional_deduction, profile.contribution_wage) == (D(0), D(9000))
    assert LogEntry.objects.get_for_object(profile).count() == 2


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"special_additional_deduction": D(-1)}, "special_additional_deduction", "cannot be negative"),
        ({"contribution_wage": D("-0.01")}, "contribution_wage", "Declared contribution wage cannot be negative"),
        ({"bank_account": "6222-0000"}, "bank_account", "digits only"),
        ({"bank_account": "1" * 35}, "bank_account", "digits only"),
    ],
)
def test_bad_profile_figures_are_refused(personas, values, field, message):
    with pytest.raises(ApplicationError) as refused:
        inputs.pay_profile_save(actor=personas.finance, person=personas.staff_person, **values)

    assert list(refused.value.fields) == [field]
    assert message in refused.value.fields[field][0]
    assert not PayProfile.objects.exists()


# --- Pages ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["leader", "head_a", "hr", "staff"])
def test_only_finance_opens_the_inputs_and_profile_pages(client, personas, period, persona):
    client.force_login(getattr(personas, persona))

    for url in (
        reverse("payroll:inputs", args=[period.pk]),
        reverse("payroll:profiles"),
        reverse("payroll:profile_edit", args=[personas.staff_person.pk]),
    ):
        assert client.get(url).status_code == 403


def test_finance_adds_inputs_by_national_id_or_name(client, personas, period):
    client.force_login(personas.finance)
    url = reverse("payroll:inputs", args=[period.pk])
    staff = personas.staff_person

    by_id = client.post(url, {"person": staff.national_id, "kind": KIND.ALLOWANCE, "amount": "300"})
    by_name = client.post(url, {"person": personas.head_a_person.name, "kind": KIND.BACK_PAY, "amount": "120.50"})

    assert by_id.status_code == by_name.status_code == 302
    assert set(PayInput.objects.values_list("person_id", "kind", "amount")) == {
        (staff.pk, KIND.ALLOWANCE, D(300)),
        (personas.head_a_person.pk, KIND.BACK_PAY, D("120.50")),
    }


def test_the_page_refuses_an_unknown_person_and_a_negative_amount(english, personas, period):
    english.force_login(personas.finance)
    url = reverse("payroll:inputs", args=[period.pk])

    unknown = english.post(url, {"person": "无此人", "kind": KIND.ALLOWANCE, "amount": "300"}).content.decode()
    negative = english.post(
        url, {"person": personas.staff_person.national_id, "kind": KIND.ALLOWANCE, "amount": "-3"}
    ).content.decode()

    assert "No paid person has the national ID or name “无此人”." in unknown
    assert "The amount cannot be negative (it is -3)" in negative
    assert not PayInput.objects.exists()


def test_the_inputs_page_filters_by_department(english, personas, period):
    for person, amount in ((personas.staff_person, 111), (personas.head_a_person, 222)):
        PayInput.objects.create(period=period, person=person, kind=KIND.ALLOWANCE, amount=D(amount))
    head_b_person = Person.objects.get(user=personas.head_b)
    PayInput.objects.create(period=period, person=head_b_person, kind=KIND.ALLOWANCE, amount=D(999))
    english.force_login(personas.finance)
    url = reverse("payroll:inputs", args=[period.pk])

    everyone = english.get(url).content.decode()
    only_b = english.get(url, {"department": personas.department_b.pk}).content.decode()

    assert "111.00" in everyone and "999.00" in everyone
    assert "999.00" in only_b and "111.00" not in only_b and "222.00" not in only_b
    assert "规划建设局" in only_b


def test_a_closed_month_shows_no_forms_and_refuses_a_delete(english, personas, period):
    entry = PayInput.objects.create(period=period, person=personas.staff_person, kind=KIND.ALLOWANCE, amount=D(5))
    _close(period)
    english.force_login(personas.finance)

    page = english.get(reverse("payroll:inputs", args=[period.pk])).content.decode()
    response = english.post(reverse("payroll:input_delete", args=[entry.pk]), follow=True)

    assert "This month is closed" in page
    assert "Add a pay input" not in page
    assert "The pay period 2025-01 is closed" in response.content.decode()
    assert PayInput.objects.filter(pk=entry.pk).exists()


def test_finance_edits_and_deletes_an_input_from_the_page(client, personas, period):
    entry = PayInput.objects.create(period=period, person=personas.staff_person, kind=KIND.ALLOWANCE, amount=D(5))
    client.force_login(personas.finance)

    assert client.get(reverse("payroll:input_edit", args=[entry.pk])).status_code == 200
    edited = client.post(reverse("payroll:input_edit", args=[entry.pk]), {"kind": KIND.DEDUCTION, "amount": "6"})
    entry.refresh_from_db()
    assert edited.status_code == 302 and (entry.kind, entry.amount) == (KIND.DEDUCTION, D(6))

    assert client.post(reverse("payroll:input_delete", args=[entry.pk])).status_code == 302
    assert not PayInput.objects.exists()


def test_finance_names_and_removes_an_advanced_worker_from_the_page(english, personas, period):
    Person.objects.filter(pk=personas.staff_person.pk).update(name="孙先进")
    english.force_login(personas.finance)

    added = english.post(
        reverse("payroll:advanced_worker_add", args=[period.pk]), {"person": personas.staff_person.national_id}
    )
    worker = AdvancedWorker.objects.get()
    page = english.get(reverse("payroll:inputs", args=[period.pk])).content.decode()
    again = english.post(
        reverse("payroll:advanced_worker_add", args=[period.pk]), {"person": personas.staff_person.national_id}
    )
    removed = english.post(reverse("payroll:advanced_worker_remove", args=[worker.pk]))

    assert added.status_code == 302 and removed.status_code == 302
    assert "孙先进" in page
    assert "already named" in again.content.decode()
    assert not AdvancedWorker.objects.exists()


def test_the_profiles_page_finds_people_without_a_bank_account(english, personas):
    Person.objects.filter(pk=personas.staff_person.pk).update(name="赵有卡")
    Person.objects.filter(pk=personas.head_a_person.pk).update(name="钱无卡")
    PayProfile.objects.create(person=personas.staff_person, bank_account="6222000011112222")
    english.force_login(personas.finance)

    page = english.get(reverse("payroll:profiles")).content.decode()
    missing = english.get(reverse("payroll:profiles"), {"missing_account": "on"}).content.decode()
    found = english.get(reverse("payroll:profiles"), {"q": "赵"}).content.decode()

    assert "6222000011112222" in page and "钱无卡" in page and "赵有卡" in page
    assert "赵有卡" not in missing and "钱无卡" in missing
    assert "赵有卡" in found and "钱无卡" not in found


def test_finance_edits_a_profile_from_the_page(english, personas):
    english.force_login(personas.finance)
    url = reverse("payroll:profile_edit", args=[personas.staff_person.pk])

    refused = english.post(url, {"bank_account": "abc", "special_additional_deduction": "0"})
    saved = english.post(
        url, {"bank_name": "农业银行", "bank_account": "6228 4800 0000", "special_additional_deduction": "1500"}
    )

    assert "A bank account is made of digits only" in refused.content.decode()
    assert saved.status_code == 302
    profile = PayProfile.objects.get()
    assert (profile.bank_account, profile.special_additional_deduction) == ("622848000000", D(1500))
    assert english.get(url).content.decode().count("622848000000") == 1


# --- Import from a workbook ----------------------------------------------------------------------


def _workbook(rows, headers=inputs.IMPORT_HEADERS) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = inputs.IMPORT_SHEET
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _import(personas, period, rows, **kwargs):
    return inputs.pay_inputs_import(
        actor=personas.finance, period=period, filename="一月录入.xlsx", content=_workbook(rows, **kwargs)
    )


def test_a_workbook_of_inputs_is_imported_by_national_id_or_name(personas, period):
    Person.objects.filter(pk=personas.head_a_person.pk).update(name="周唯一")
    staff = personas.staff_person

    created = _import(
        personas,
        period,
        [
            (staff.national_id, None, LABELS[KIND.OVER_TARGET_BONUS], 1500, "超额完成任务"),
            (None, "周唯一", "allowance", "300.50", None),
            (staff.national_id.lower(), staff.name, LABELS[KIND.DEDUCTION], 12.3, None),
        ],
    )

    assert len(created) == 3
    assert set(PayInput.objects.values_list("person_id", "kind", "amount", "note")) == {
        (staff.pk, KIND.OVER_TARGET_BONUS, D(1500), "超额完成任务"),
        (personas.head_a_person.pk, KIND.ALLOWANCE, D("300.50"), ""),
        (staff.pk, KIND.DEDUCTION, D("12.30"), ""),
    }
    entries = LogEntry.objects.get_for_model(PayInput)
    assert entries.count() == 3
    assert {entry.additional_data["reason"] for entry in entries} == {"Pay input import 一月录入.xlsx"}


def test_every_bad_cell_is_named_and_nothing_is_imported(personas, period):
    staff = personas.staff_person
    departed = PersonFactory(status=Person.Status.DEPARTED)
    PersonFactory(status=Person.Status.ON_POST, name="吴同名")
    PersonFactory(status=Person.Status.ON_POST, name="吴同名")

    with pytest.raises(inputs.PayInputImportError) as refused:
        _import(
            personas,
            period,
            [
                (staff.national_id, None, ALLOWANCE, 100, None),  # the one good row
                (departed.national_id, None, ALLOWANCE, 100, None),
                (staff.national_id, "别人", ALLOWANCE, 100, None),
                (None, "吴同名", ALLOWANCE, 100, None),
                (None, None, ALLOWANCE, 100, None),
                (staff.national_id, None, "奖金", 100, None),
                (staff.national_id, None, ALLOWANCE, -5, None),
                (staff.national_id, None, ALLOWANCE, "1.005", None),
                (staff.national_id, None, ALLOWANCE, None, "x" * 201),
            ],
        )

    errors = [(error.row, error.column, error.reason) for error in refused.value.errors]
    assert refused.value.message == "Nothing was imported: 9 cells need correcting."
    assert errors[:6] == [
        (3, "身份证号", "No paid person has this national ID."),
        (4, "姓名", f"The national ID is that of {staff.name}."),
        (5, "姓名", "More than one paid person has this name; give the national ID."),
        (6, "身份证号", "Give the national ID or the name."),
        (7, "类型", "Unknown value; allowed: " + "、".join(LABELS.values()) + "."),
        (8, "金额", "An amount cannot be negative; enter a deduction as its own kind."),
    ]
    assert errors[6:] == [
        (9, "金额", "At most 2 decimal places."),
        (10, "金额", "Required."),
        (10, "备注", "At most 200 characters."),
    ]
    assert not PayInput.objects.exists()


def test_an_import_into_a_closed_period_is_refused(personas, period):
    _close(period)

    with pytest.raises(ApplicationError, match="is closed"):
        _import(personas, period, [(personas.staff_person.national_id, None, ALLOWANCE, 100, None)])

    assert not PayInput.objects.exists()


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("inputs.csv", b"a,b", "is not an Excel workbook"),
        ("inputs.xlsx", b"a,b", "is not an .xlsx workbook"),
        ("inputs.xlsx", b"PK\x03\x04broken", "could not be read"),
    ],
)
def test_a_file_that_is_not_a_workbook_is_refused(personas, period, filename, content, message):
    with pytest.raises(ApplicationError, match=message):
        inputs.pay_inputs_import(actor=personas.finance, period=period, filename=filename, content=content)


def test_a_workbook_without_the_headers_or_rows_is_refused(personas, period):
    with pytest.raises(ApplicationError, match="missing: 身份证号、金额"):
        _import(personas, period, [(ALLOWANCE,)], headers=("类型",))
    with pytest.raises(ApplicationError, match="no data rows"):
        _import(personas, period, [])


def test_the_import_reads_a_fixed_number_of_queries(personas, period):
    people = [PersonFactory(status=Person.Status.ON_POST) for _ in range(30)]

    def queries(count: int) -> int:
        rows = [(person.national_id, None, ALLOWANCE, 10, None) for person in people[:count]]
        with CaptureQueriesContext(connection) as captured:
            _import(personas, period, rows)
        return len(captured.captured_queries)

    assert queries(3) == queries(30)


def test_the_template_has_the_headers(client, personas):
    client.force_login(personas.finance)

    response = client.get(reverse("payroll:inputs_template"))

    sheet = openpyxl.load_workbook(io.BytesIO(response.content))[inputs.IMPORT_SHEET]
    assert [cell.value for cell in sheet[1]] == list(inputs.IMPORT_HEADERS)
    client.force_login(personas.leader)
    assert client.get(reverse("payroll:inputs_template")).status_code == 403


def test_the_page_imports_a_workbook_and_lists_the_cells_to_correct(english, personas, period):
    english.force_login(personas.finance)
    url = reverse("payroll:inputs_import", args=[period.pk])
    good = SimpleUploadedFile("好.xlsx", _workbook([(personas.staff_person.national_id, None, "back_pay", 88, None)]))
    bad = SimpleUploadedFile("坏.xlsx", _workbook([("110101190001011234", None, "back_pay", 88, None)]))

    refused = english.post(url, {"file": bad})
    imported = english.post(url, {"file": good})

    page = refused.content.decode()
    assert refused.status_code == 200
    assert "Cells to correct" in page and "No paid person has this national ID." in page
    assert "110101190001011234" in page
    assert imported.status_code == 302
    assert list(PayInput.objects.values_list("amount", flat=True)) == [D(88)]

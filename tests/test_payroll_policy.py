"""The pay policy versions: a new version, corrections, and bad input refused with a message that
names the figure, writing nothing; the policy pages for finance."""

import datetime as dt
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from payroll import forms, inputs
from payroll.models import PayPeriod, PayPolicy
from tests.factories import UserFactory
from tests.payroll_fixtures import build_policy
from zonehr.errors import ApplicationError
from zonehr.roles import Role

D = Decimal


@pytest.fixture
def finance(db):
    return UserFactory(roles=[Role.FINANCE_OFFICER])


def _closed(year: int, month: int) -> PayPeriod:
    return PayPeriod.objects.create(year=year, month=month, status=PayPeriod.Status.CLOSED)


def _refused(finance, **values) -> ApplicationError:
    count = PayPolicy.objects.count()
    with pytest.raises(ApplicationError) as refused:
        inputs.pay_policy_create(actor=finance, values={"effective_from": dt.date(2025, 7, 1), **values})
    assert PayPolicy.objects.count() == count
    return refused.value


def test_a_new_version_starts_from_the_latest_figures(finance):
    build_policy(effective_from=dt.date(2025, 1, 1), per_head_base=D(7000), award_share=D("0.15"))

    policy = inputs.pay_policy_create(
        actor=finance, values={"effective_from": dt.date(2025, 7, 1), "pension_rate": D("0.09")}, reason="社保调整"
    )

    assert (policy.per_head_base, policy.award_share, policy.pension_rate) == (D(7000), D("0.15"), D("0.09"))
    entry = LogEntry.objects.get_for_object(policy).get()
    assert entry.actor == finance
    assert entry.additional_data["reason"] == "社保调整"


def test_the_first_version_takes_the_defaults(finance):
    policy = inputs.pay_policy_create(actor=finance, values={"effective_from": dt.date(2025, 1, 1)})

    assert policy.basic_performance_share == D("0.25")
    assert policy.award_share == D("0.20")
    assert policy.annual_table().bracket_for(D(40000)).rate == D("0.10")


def test_a_negative_amount_is_refused_naming_the_figure(finance):
    refused = _refused(finance, per_head_base=D("-1"))

    assert refused.fields == {"per_head_base": ["Performance base per head (monthly) cannot be negative (it is -1)."]}
    assert "Performance base per head (monthly) cannot be negative" in refused.message


def test_a_rate_above_100_percent_is_refused_naming_it(finance):
    refused = _refused(finance, pension_rate=D("1.2"), award_share=D("1.01"))

    assert refused.fields["pension_rate"] == ["Pension rate cannot be above 100 % (it is 120 %)."]
    assert refused.fields["award_share"] == [
        "Advanced-worker award share of the pool cannot be above 100 % (it is 101 %)."
    ]


def test_a_housing_fund_rate_outside_5_to_12_percent_is_refused(finance):
    refused = _refused(finance, housing_fund_rate=D("0.15"))

    assert refused.fields["housing_fund_rate"] == ["The housing fund rate lies between 5 % and 12 % (it is 15 %)."]


def test_a_base_floor_above_the_ceiling_is_refused(finance):
    refused = _refused(finance, base_floor=D("3.5"), base_ceiling=D("3"))

    assert "floor (350 %) cannot be above the ceiling (300 %)" in refused.fields["base_floor"][0]


def test_sub_item_shares_not_adding_to_100_percent_are_refused(finance):
    # 30 + the default 30 + 30 is 90 %.
    refused = _refused(finance, major_work_share=D("0.30"))

    assert "major_work_share" in refused.fields
    assert "must add up to 100 %; they add up to 90.00%" in refused.fields["major_work_share"][0]


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ([["36000", "0.03"]], "each bracket is [upper bound or null, rate, quick deduction]"),
        ("3 %", "each bracket is"),
        ([["36000", "0.03", "0"], [None, "0.10", "2000"]], "the quick deduction is 2000"),
        ([["36000", "0.03", "0"], ["144000", "0.10", "2520"]], "the last bracket must have no upper bound"),
        ([["abc", "0.03", "0"], [None, "0.10", "1080"]], "The tax table is not valid"),
    ],
)
def test_a_malformed_tax_table_is_refused_naming_it(finance, table, expected):
    refused = _refused(finance, annual_tax_table=table)

    assert list(refused.fields) == ["annual_tax_table"]
    assert expected in refused.fields["annual_tax_table"][0]
    assert "annual_tax_table" in refused.message


def test_an_effective_date_in_a_closed_period_is_refused(finance):
    _closed(2025, 3)

    for day in (dt.date(2025, 3, 15), dt.date(2025, 3, 1), dt.date(2024, 12, 1)):
        refused = _refused(finance, effective_from=day)
        assert list(refused.fields) == ["effective_from"]
        assert "closed pay period 2025-03" in refused.message

    policy = inputs.pay_policy_create(actor=finance, values={"effective_from": dt.date(2025, 4, 1)})
    assert policy.pk


def test_an_open_or_calculated_period_does_not_lock_the_policy(finance):
    PayPeriod.objects.create(year=2025, month=3, status=PayPeriod.Status.CALCULATED)

    assert inputs.pay_policy_create(actor=finance, values={"effective_from": dt.date(2025, 3, 1)}).pk


def test_a_second_version_on_the_same_date_is_refused(finance):
    build_policy(effective_from=dt.date(2025, 7, 1))

    refused = _refused(finance)

    assert "already takes effect on this date" in refused.message


def test_a_version_in_force_in_a_closed_month_cannot_be_corrected(finance):
    policy = build_policy(effective_from=dt.date(2025, 1, 1))
    _closed(2025, 2)

    with pytest.raises(ApplicationError, match="in force in the closed pay period 2025-02"):
        inputs.pay_policy_update(actor=finance, policy=policy, values={"per_head_base": D(9000)})

    policy.refresh_from_db()
    assert policy.per_head_base == D(6000)


def test_a_later_version_can_be_corrected_but_not_moved_into_a_closed_month(finance):
    _closed(2025, 2)
    policy = build_policy(effective_from=dt.date(2025, 6, 1))

    inputs.pay_policy_update(actor=finance, policy=policy, values={"per_head_base": D(6500)})
    with pytest.raises(ApplicationError) as refused:
        inputs.pay_policy_update(actor=finance, policy=policy, values={"effective_from": dt.date(2025, 2, 1)})

    assert list(refused.value.fields) == ["effective_from"]
    policy.refresh_from_db()
    assert (policy.effective_from, policy.per_head_base) == (dt.date(2025, 6, 1), D(6500))


def test_policy_locked_follows_the_latest_closed_month(finance):
    january = build_policy(effective_from=dt.date(2025, 1, 1))
    march = build_policy(effective_from=dt.date(2025, 3, 10))
    _closed(2025, 2)
    latest = inputs.latest_closed_period()

    assert inputs.policy_locked(policy=january, latest_closed=latest)
    assert not inputs.policy_locked(policy=march, latest_closed=latest)
    assert not inputs.policy_locked(policy=march, latest_closed=None)


# --- The form ------------------------------------------------------------------------------------


def test_the_tax_table_text_reads_brackets_with_rates_in_per_cent():
    field = forms.TaxTableField()

    rows = field.clean("36000\t3\t0\n144000, 10, 2520\n\n-  45  181920\n")

    assert rows == [["36000", "0.03", "0"], ["144000", "0.1", "2520"], [None, "0.45", "181920"]]
    assert field.clean("300 20 0\n25 100") == [["300", "0.2", "0"], [None, "0.25", "100"]]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("36000 3 0 1", "Line 1: write an upper bound"),
        ("36000 3 0\nabc 10 x", "Line 2: “abc 10 x” is not three numbers"),
        ("7", "Line 1: write an upper bound"),
    ],
)
def test_a_tax_table_line_that_is_not_three_figures_is_refused(text, message):
    with pytest.raises(Exception, match=message):
        forms.TaxTableField().clean(text)


def test_the_form_shows_the_stored_table_and_shares_in_per_cent(db):
    form = forms.PayPolicyForm(policy=build_policy())

    assert form.initial["pension_rate"] == "8"
    assert form.initial["base_ceiling"] == "300"
    assert form.initial["annual_tax_table"].splitlines()[0] == "36000\t3\t0"
    assert form.initial["annual_tax_table"].splitlines()[-1] == "-\t45\t181920"
    assert forms.PayPolicyForm(policy=PayPolicy(), new=True).initial.get("effective_from") is None


# --- Pages ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["hr", "leader", "head_a", "staff", "judge"])
def test_only_finance_opens_the_policy_pages(client, personas, persona):
    policy = build_policy()
    client.force_login(getattr(personas, persona))

    for url in (
        reverse("payroll:policy"),
        reverse("payroll:policy_new"),
        reverse("payroll:policy_edit", args=[policy.pk]),
    ):
        assert client.get(url).status_code == 403


def test_finance_sees_the_versions_and_which_is_in_force(english, personas):
    build_policy(effective_from=dt.date(2024, 1, 1))
    build_policy(effective_from=dt.date(2099, 1, 1))
    english.force_login(personas.finance)

    response = english.get(reverse("payroll:policy"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "2024-01-01" in page and "2099-01-01" in page
    assert page.count("in force</span>") == 1
    assert "25 % / 75 %" in page


def _form_data(**changes) -> dict:
    form = forms.PayPolicyForm(policy=PayPolicy())
    data = {name: form.initial.get(name, "") for name in form.fields}
    data["separate_bonus_until"] = "2027-12-31"
    return data | {"effective_from": "2025-07-01"} | changes


def test_finance_adds_a_version_through_the_page(client, personas):
    client.force_login(personas.finance)

    response = client.post(reverse("payroll:policy_new"), _form_data(pension_rate="8.5", per_head_base="6500"))

    assert response.status_code == 302
    policy = PayPolicy.objects.get()
    assert (policy.pension_rate, policy.per_head_base) == (D("0.085"), D(6500))
    assert policy.annual_tax_table[-1] == [None, "0.45", "181920"]


def test_the_page_refuses_a_rate_above_100_percent_and_writes_nothing(english, personas):
    english.force_login(personas.finance)

    response = english.post(reverse("payroll:policy_new"), _form_data(medical_rate="120"))

    assert response.status_code == 200
    assert "Medical insurance rate cannot be above 100 % (it is 120 %)." in response.content.decode()
    assert not PayPolicy.objects.exists()


def test_the_page_refuses_a_mistyped_tax_table(english, personas):
    english.force_login(personas.finance)

    response = english.post(reverse("payroll:policy_new"), _form_data(bonus_tax_table="3000 3 0\n- 10 200"))

    assert "the quick deduction is 200" in response.content.decode()
    assert not PayPolicy.objects.exists()


def test_a_locked_version_is_shown_as_such_and_cannot_be_saved(english, personas):
    policy = build_policy(effective_from=dt.date(2025, 1, 1))
    _closed(2025, 1)
    english.force_login(personas.finance)

    assert (
        "cannot change: add a new version"
        in english.get(reverse("payroll:policy_edit", args=[policy.pk])).content.decode()
    )
    response = english.post(
        reverse("payroll:policy_edit", args=[policy.pk]), _form_data(effective_from="2025-01-01", per_head_base="1")
    )
    assert "in force in the closed pay period 2025-01" in response.content.decode()
    policy.refresh_from_db()
    assert policy.per_head_base == D(6000)

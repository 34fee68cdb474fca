"""Publicity of at least 5 working days, holidays and make-up working days as they fall."""

import datetime as dt

import pytest

from recruitment.publicity import count_working_days, is_working_day, publicity_end


def test_a_publicity_posted_on_monday_ends_on_friday():
    assert publicity_end(start=dt.date(2025, 11, 10)) == dt.date(2025, 11, 14)


def test_a_publicity_posted_midweek_runs_over_the_weekend():
    assert publicity_end(start=dt.date(2025, 11, 12)) == dt.date(2025, 11, 18)


def test_a_publicity_posted_on_a_weekend_starts_counting_on_monday():
    assert publicity_end(start=dt.date(2025, 11, 8)) == dt.date(2025, 11, 14)
    assert publicity_end(start=dt.date(2025, 11, 9)) == dt.date(2025, 11, 14)


def test_national_day_2025_is_skipped_and_the_make_up_sunday_counts():
    # Fri 26 Sep (1), Sun 28 Sep is worked (2), 29 (3), 30 (4); 1–8 Oct off; Thu 9 Oct (5).
    assert publicity_end(start=dt.date(2025, 9, 26)) == dt.date(2025, 10, 9)


def test_a_publicity_posted_during_national_day_2025_counts_the_make_up_saturday():
    # 9 Oct (1), 10 (2), Sat 11 Oct is worked (3), Mon 13 (4), Tue 14 (5).
    assert publicity_end(start=dt.date(2025, 10, 1)) == dt.date(2025, 10, 14)


def test_the_national_day_2025_calendar():
    assert is_working_day(dt.date(2025, 9, 28))  # Sunday, worked
    assert is_working_day(dt.date(2025, 10, 11))  # Saturday, worked
    assert not any(is_working_day(dt.date(2025, 10, day)) for day in range(1, 9))
    assert not is_working_day(dt.date(2025, 10, 12))  # an ordinary Sunday


def test_spring_festival_2026_is_skipped_and_the_make_up_saturdays_count():
    # Thu 12 Feb (1), Fri 13 (2), Sat 14 Feb is worked (3); 15–23 Feb off; Tue 24 (4), Wed 25 (5).
    assert publicity_end(start=dt.date(2026, 2, 12)) == dt.date(2026, 2, 25)
    # Thu 26 Feb (1), Fri 27 (2), Sat 28 Feb is worked (3), Mon 2 Mar (4), Tue 3 Mar (5).
    assert publicity_end(start=dt.date(2026, 2, 26)) == dt.date(2026, 3, 3)


def test_a_publicity_posted_on_new_years_eve_of_the_spring_festival_waits_for_the_holiday_to_end():
    assert publicity_end(start=dt.date(2026, 2, 16)) == dt.date(2026, 2, 28)


def test_the_number_of_working_days_is_a_setting():
    assert publicity_end(start=dt.date(2025, 11, 10), working_days=7) == dt.date(2025, 11, 18)
    assert publicity_end(start=dt.date(2025, 11, 10), working_days=1) == dt.date(2025, 11, 10)


def test_it_refuses_a_publicity_of_no_working_days():
    with pytest.raises(ValueError):
        publicity_end(start=dt.date(2025, 11, 10), working_days=0)


def test_beyond_the_calendars_years_it_counts_monday_to_friday():
    assert is_working_day(dt.date(2099, 1, 1))  # a Thursday; New Year not known that far ahead
    assert not is_working_day(dt.date(2099, 1, 3))  # Saturday
    assert publicity_end(start=dt.date(2099, 1, 1)) == dt.date(2099, 1, 7)


def test_counting_the_working_days_of_a_publicity_entered_by_its_dates():
    assert count_working_days(start=dt.date(2025, 9, 26), end=dt.date(2025, 10, 9)) == 5
    assert count_working_days(start=dt.date(2025, 9, 26), end=dt.date(2025, 10, 8)) == 4
    assert count_working_days(start=dt.date(2025, 10, 9), end=dt.date(2025, 10, 8)) == 0


def test_a_datetime_is_refused_because_its_day_depends_on_the_time_zone():
    with pytest.raises(TypeError):
        is_working_day(dt.datetime(2025, 11, 10, 23, 30, tzinfo=dt.UTC))

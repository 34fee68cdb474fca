"""Publicity before appointment (公示, domain.md §6): results are publicised for at least 5 working
days, Chinese public holidays and make-up working days (调休) counted as they fall.

The calendar comes from the chinese-calendar package, which carries the State Council's
holiday notices for the years it was released for.
"""

import datetime as dt

import chinese_calendar

PUBLICITY_WORKING_DAYS = 5


def _plain_date(day: dt.date) -> dt.date:
    # A datetime's date depends on its time zone (late evening UTC is the next day in Shanghai);
    # the caller must decide which day he means.
    if isinstance(day, dt.datetime):
        raise TypeError("pass a date, not a datetime")
    return day


def is_working_day(day: dt.date) -> bool:
    """Whether offices work on `day`: Monday to Friday unless a public holiday, plus the weekend
    days the holiday notice turns into working days (调休).

    For years the installed chinese-calendar release does not cover (it raises
    NotImplementedError there: years before 2004, and years whose notice came out after the
    release) this falls back to plain Monday to Friday. The State Council publishes next year's
    notice around November; upgrading the package then picks it up.
    """
    day = _plain_date(day)
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def publicity_end(*, start: dt.date, working_days: int = PUBLICITY_WORKING_DAYS) -> dt.date:
    """The date of the publicity's last working day, the earliest day it may close.

    `start` is the day the results are posted and counts as the first working day when it is
    one, as notices read "公示时间：9月26日至10月9日"; posted on a weekend or holiday, the
    count begins with the next working day.
    """
    if working_days < 1:
        raise ValueError(f"a publicity lasts at least one working day, not {working_days}")
    day = _plain_date(start)
    counted = 0
    while True:
        if is_working_day(day):
            counted += 1
            if counted == working_days:
                return day
        day += dt.timedelta(days=1)


def count_working_days(*, start: dt.date, end: dt.date) -> int:
    """The working days from `start` to `end`, both included: whether a publicity an officer
    entered by its dates lasted long enough."""
    start, end = _plain_date(start), _plain_date(end)
    return sum(is_working_day(start + dt.timedelta(days=offset)) for offset in range((end - start).days + 1))

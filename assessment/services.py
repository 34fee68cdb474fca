"""Assessment writes: the cycle, the KPI cascade, coefficients, ratings, consequences, reports.

The arithmetic is in assessment.rules; these services read the rows, apply the rules and
write the outcome in one transaction, audited.
"""

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment import permissions, rules, selectors
from assessment.models import (
    ConductReport,
    ConsequenceProposal,
    Cycle,
    DepartmentCoefficient,
    Indicator,
    Rating,
)
from assessment.selectors import person_scores
from staffing import services as staffing_services
from staffing.models import Appointment, Person
from zonehr.audit import audit_context, audit_event
from zonehr.errors import ApplicationError, require_reason

S = Cycle.Status
LIFECYCLE = [S.PLANNING, S.SCORING, S.RATING, S.CONFIRMED, S.CLOSED]


def _require_status(cycle: Cycle, *statuses: str) -> None:
    if cycle.status not in statuses:
        raise ApplicationError(
            _("Cycle “%(cycle)s” is at “%(status)s”; this needs %(needed)s.")
            % {
                "cycle": cycle,
                "status": cycle.get_status_display(),
                "needed": "、".join(str(S(status).label) for status in statuses),
            }
        )


def cycle_advance(*, actor: Any, cycle: Cycle) -> Cycle:
    """Move the cycle one step on; leaving planning needs a consistent KPI cascade."""
    with transaction.atomic(), audit_context(actor=actor):
        cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
        index = LIFECYCLE.index(cycle.status)
        if index == len(LIFECYCLE) - 1:
            raise ApplicationError(_("The cycle is closed."))
        target = LIFECYCLE[index + 1]
        if target == S.SCORING:
            problems = cascade_problems(cycle=cycle)
            if problems:
                raise ApplicationError(
                    _("The KPI cascade is not consistent: %(problems)s") % {"problems": "; ".join(problems)}
                )
        if target == S.CONFIRMED and not cycle.ratings.exists():
            raise ApplicationError(_("Run the ratings before confirming them."))
        cycle.status = target
        cycle.save(update_fields=["status"])
    return cycle


def cascade_problems(*, cycle: Cycle) -> list[str]:
    """The cascade's problems in words: parents one level up, each scorecard's weights summing to 100."""
    indicators = list(cycle.indicators.select_related("department", "person"))
    label = {indicator.pk: f"“{indicator.name}” #{indicator.pk}" for indicator in indicators}
    records = [
        rules.IndicatorRecord(
            # Named records, so the problems read with names rather than numbers.
            id=label[indicator.pk],
            parent_id=label.get(indicator.parent_id, indicator.parent_id),
            level=indicator.level,
            weight=indicator.weight,
            owner=str(indicator.department or indicator.person or _("the zone")),
        )
        for indicator in indicators
    ]
    return [_cascade_message(problem) for problem in rules.cascade_problems(indicators=records, group_by="owner")]


def _cascade_message(problem: rules.CascadeProblem) -> str:
    """A cascade problem in the user's language."""
    params = problem.params
    level = Indicator.Level(params["level"]).label if params.get("level") in Indicator.Level.values else ""
    if problem.kind == "weights":
        values = {"level": level, "owner": params["anchor"], "total": params["total"]}
        if params["negative"]:
            return _("The %(level)s indicators of %(owner)s have a negative weight.") % values
        return _("The weights of the %(level)s indicators of %(owner)s sum to %(total)s, not 100.") % values
    if problem.kind == "parent":
        values = {"indicator": params["indicator"], "level": level, "parent": params["parent"]}
        if params["level"] == Indicator.Level.ZONE:
            return _("%(indicator)s is a zone indicator and serves no other.") % values
        if params["parent"] is None:
            return _("%(indicator)s (%(level)s level) serves no indicator one level up.") % values
        if params["parent_level"] is None:
            return _("%(indicator)s serves an indicator that does not exist.") % values
        values["parent_level"] = Indicator.Level(params["parent_level"]).label
        return (
            _(
                "%(indicator)s (%(level)s level) serves %(parent)s at the %(parent_level)s level: "
                "it must serve one level up."
            )
            % values
        )
    # Duplicates and unknown levels cannot come out of the database; keep the rule's wording.
    return str(problem)


def indicator_value_enter(
    *,
    actor: Any,
    indicator: Indicator,
    actual: Decimal | None = None,
    judged: Decimal | None = None,
    misses: int | None = None,
    evidence: Any = None,
) -> Indicator:
    """Enter an indicator's actual value (or judged score, or misses) and score it."""
    department = selectors.indicator_department(indicator)
    if not permissions.can_enter_for(actor, department):
        raise ApplicationError(
            _("You enter values for your own department only; “%(indicator)s” belongs to %(owner)s.")
            % {"indicator": indicator, "owner": department or _("the zone")}
        )
    with transaction.atomic(), audit_context(actor=actor):
        indicator = Indicator.objects.select_for_update().select_related("cycle").get(pk=indicator.pk)
        _require_status(indicator.cycle, S.SCORING)
        try:
            score = rules.indicator_score(
                rule=indicator.rule,
                target=indicator.target,
                actual=actual,
                judged=judged,
                misses=misses,
                cap=indicator.cycle.ratio_cap,
                points_per_miss=indicator.points_per_miss,
                lower_is_better=indicator.lower_is_better,
            )
        except rules.AssessmentError as exc:
            raise ApplicationError(str(exc), {"actual": [str(exc)]}) from None
        indicator.actual, indicator.judged, indicator.misses, indicator.score = actual, judged, misses, score
        indicator.entered_by = actor
        if evidence is not None:
            indicator.evidence = evidence
        indicator.save()
    return indicator


# --- Coefficients --------------------------------------------------------------------------------


def coefficient_propose(*, actor: Any, cycle: Cycle, department, value: Decimal, reason: str) -> DepartmentCoefficient:
    """HR proposes a department's value coefficient, within [0.5, 1.5], with its reason."""
    require_reason(reason)
    try:
        rules.validate_coefficient(value)
    except rules.AssessmentError:
        raise ApplicationError(
            _("A department coefficient is from 0.5 to 1.5; %(value)s is outside.") % {"value": value},
            {"value": [_("From 0.5 to 1.5.")]},
        ) from None
    with transaction.atomic(), audit_context(actor=actor, reason=reason):
        return DepartmentCoefficient.objects.create(
            cycle=cycle, department=department, value=value, reason=reason, proposed_by=actor
        )


def coefficient_decide(
    *, actor: Any, coefficient: DepartmentCoefficient, approve: bool, note: str = ""
) -> DepartmentCoefficient:
    """Leadership approves or rejects a proposal; an approval replaces the earlier approved value."""
    if not permissions.can_approve_coefficients(actor):
        raise ApplicationError(_("Coefficients are approved by the leadership."))
    if not approve:
        require_reason(note)
    with transaction.atomic(), audit_context(actor=actor, reason=note):
        coefficient = DepartmentCoefficient.objects.select_for_update().get(pk=coefficient.pk)
        if coefficient.status != DepartmentCoefficient.Status.PROPOSED:
            raise ApplicationError(_("This proposal has already been decided."))
        if approve:
            # The earlier approved value stays in the history, marked as replaced.
            for earlier in DepartmentCoefficient.objects.filter(
                cycle=coefficient.cycle_id,
                department=coefficient.department_id,
                status=DepartmentCoefficient.Status.APPROVED,
            ):
                earlier.status = DepartmentCoefficient.Status.REJECTED
                earlier.decision_note = _("Replaced by a later approval.")
                earlier.save(update_fields=["status", "decision_note"])
        coefficient.status = DepartmentCoefficient.Status.APPROVED if approve else DepartmentCoefficient.Status.REJECTED
        coefficient.decided_by = actor
        coefficient.decided_at = timezone.now()
        coefficient.decision_note = note
        coefficient.save()
    return coefficient


# --- Ratings ---------------------------------------------------------------------------------------


def ratings_run(*, actor: Any, cycle: Cycle, as_of: dt.date | None = None) -> list[Rating]:
    """Grade everyone on post by rank within his comparison group, under the cycle's quotas,
    and propose the consequences. Reads and writes a fixed number of queries per group."""
    with transaction.atomic(), audit_context(actor=actor):
        cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
        _require_status(cycle, S.RATING)
        scored = person_scores(cycle=cycle, as_of=as_of or timezone.localdate())
        groups: dict[str, list] = defaultdict(list)
        for entry in scored:
            groups[entry.group].append(entry)
        previous = _previous_grades(cycle, [entry.person_id for entry in scored])
        people = Person.objects.in_bulk([entry.person_id for entry in scored])
        replaced = cycle.ratings.count()
        if replaced:
            # The proposed ratings are derived from audited inputs, so a rerun replaces the set in
            # bulk; the run's own entry below records it. A raw delete skips Django's per-row
            # collector, which the audit signals would otherwise force.
            ConsequenceProposal.objects.filter(rating__cycle=cycle)._raw_delete(using=Rating.objects.db)
            Rating.objects.filter(cycle=cycle)._raw_delete(using=Rating.objects.db)
        ratings: list[Rating] = []
        for group, entries in groups.items():
            quotas = rules.quota_counts(
                size=len(entries),
                excellent_max=cycle.excellent_max,
                basic_min=cycle.basic_min,
                incompetent_about=cycle.incompetent_about,
                min_group_size=cycle.min_group_size,
            )
            rated = rules.rate_group(scores=[(entry, entry.score) for entry in entries], quotas=quotas)
            for place in rated.ratings:
                entry = place.person
                ratings.append(
                    Rating(
                        cycle=cycle,
                        person=people[entry.person_id],
                        department_id=entry.department_id,
                        group=group,
                        score=place.score,
                        rank=place.rank,
                        group_size=len(entries),
                        proposed_grade=place.grade.value,
                        grade=place.grade.value,
                    )
                )
        Rating.objects.bulk_create(ratings, batch_size=2000)
        proposals = _proposals(ratings, previous, _bottom_every_year_of_term(cycle, ratings))
        ConsequenceProposal.objects.bulk_create(proposals, batch_size=2000)
        # One entry per run, with the distribution: every later change to a grade (an override,
        # a confirmation) is a row change audited on its own.
        distribution = {grade: 0 for grade in Rating.Grade.values}
        for rating in ratings:
            distribution[rating.grade] += 1
        audit_event(
            actor=actor,
            instance=cycle,
            event="ratings_run",
            changes={"ratings": [replaced, len(ratings)], **{grade: [None, n] for grade, n in distribution.items()}},
            reason=_("Ratings run"),
        )
    return ratings


def _previous_grades(cycle: Cycle, person_ids: list[int]) -> dict[int, str]:
    """Last year's annual grades, for "incompetent two years in a row"."""
    if cycle.kind != Cycle.Kind.ANNUAL:
        return {}
    return dict(
        Rating.objects.filter(
            cycle__kind=Cycle.Kind.ANNUAL, cycle__year=cycle.year - 1, person_id__in=person_ids
        ).values_list("person_id", "grade")
    )


def _current_posts() -> dict[int, tuple[dt.date, dt.date, str]]:
    """Person id → the term and "level:<series>:<rank>" group of his active appointment (one query)."""
    return {
        person_id: (start, end, f"level:{series_id}:{rank}")
        for person_id, start, end, series_id, rank in Appointment.objects.filter(
            status=Appointment.Status.ACTIVE
        ).values_list("person_id", "term_start", "term_end", "post__level__series_id", "post__level__rank")
    }


def _ranks(scores: dict[int, Decimal]) -> dict[int, int]:
    """Ranks by score, best first, tied persons sharing the better rank (1, 2, 2, 4) as rate_group gives them."""
    ranks: dict[int, int] = {}
    ordered = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    for index, (person_id, score) in enumerate(ordered):
        tied = index and ordered[index - 1][1] == score
        ranks[person_id] = ranks[ordered[index - 1][0]] if tied else index + 1
    return ranks


def _bottom_every_year_of_term(cycle: Cycle, ratings: list[Rating]) -> set[int]:
    """Who of `ratings` was in the bottom share of the same-level posts in every annual
    assessment of his contract term so far (its years up to this cycle's).

    The level group of a year is the rating's own group when that year compared by level;
    otherwise the level of the person's current post, ranked anew by score. Three queries at
    most, whatever the number of people: the active appointments, the earlier years' annual
    ratings, and the last post of those ranked then who hold none now.
    """
    if cycle.kind != Cycle.Kind.ANNUAL or not ratings:
        return set()
    current_posts = _current_posts()
    terms = {
        rating.person_id: range(post[0].year, min(post[1].year, cycle.year) + 1)
        for rating in ratings
        if (post := current_posts.get(rating.person_id))
    }
    # A term in its first year has no earlier year to repeat the bottom in: one bad year is
    # for the grade, not this rule.
    terms = {person_id: years for person_id, years in terms.items() if len(years) > 1}
    if not terms:
        return set()
    first_year = min(years.start for years in terms.values())
    earlier = list(
        Rating.objects.filter(
            cycle__kind=Cycle.Kind.ANNUAL, cycle__year__gte=first_year, cycle__year__lt=cycle.year
        ).values_list("person_id", "cycle__year", "cycle__comparison", "group", "rank", "score")
    )
    levels = {person_id: post[2] for person_id, post in current_posts.items()}
    # Those ranked in an earlier year who hold no post now still counted in their group then.
    gone = {row[0] for row in earlier if row[2] != Cycle.Comparison.LEVEL} - levels.keys()
    if gone:
        latest = Appointment.objects.filter(person_id__in=gone).order_by("person_id", "-term_start", "-id")
        for person_id, series_id, rank in latest.values_list(
            "person_id", "post__level__series_id", "post__level__rank"
        ):
            levels.setdefault(person_id, f"level:{series_id}:{rank}")

    ranks: dict[tuple[int, str], dict[int, int]] = defaultdict(dict)  # (year, level group) → person → rank
    rescored: dict[tuple[int, str], dict[int, Decimal]] = defaultdict(dict)
    current = [
        (rating.person_id, cycle.year, cycle.comparison, rating.group, rating.rank, rating.score) for rating in ratings
    ]
    for person_id, year, comparison, group, rank, score in [*earlier, *current]:
        if comparison == Cycle.Comparison.LEVEL:
            ranks[year, group][person_id] = rank
        elif person_id in levels:
            rescored[year, levels[person_id]][person_id] = score
    for key, scores in rescored.items():
        ranks[key] = _ranks(scores)

    bottom = rules.bottom_share(ranks_by_year=ranks, min_group_size=cycle.min_group_size)
    bottom_by_year: dict[int, set[int]] = defaultdict(set)
    for (year, _group), people in bottom.items():
        bottom_by_year[year] |= people
    return {
        person_id
        for person_id, years in terms.items()
        if rules.in_bottom_every_year(bottom=bottom_by_year, person=person_id, years=years)
    }


def _proposals(
    ratings: list[Rating], previous: dict[int, str], bottom_every_year: set[int] | None = None
) -> list[ConsequenceProposal]:
    """The consequences each rating proposes; `bottom_every_year` holds the people in the
    bottom share of their same-level posts in every year of their term (see above)."""
    bottom_every_year = bottom_every_year or set()
    proposals = []
    for rating in ratings:
        for proposal in rules.propose_consequences(
            grade=rating.grade,
            previous_grades=[previous.get(rating.person_id)],
            bottom_five_every_year_of_term=rating.person_id in bottom_every_year,
        ):
            proposals.append(
                ConsequenceProposal(
                    rating=rating,
                    kind=proposal.kind.value,
                    reasons=[reason.value for reason in proposal.reasons],
                    options=[option.value for option in proposal.options],
                )
            )
    return proposals


def rating_override(*, actor: Any, rating: Rating, grade: str, reason: str) -> Rating:
    """HR changes a proposed grade; only with a reason, and the quota check warns on the page."""
    require_reason(reason)
    with transaction.atomic(), audit_context(actor=actor, reason=reason):
        rating = Rating.objects.select_for_update().select_related("cycle").get(pk=rating.pk)
        _require_status(rating.cycle, S.RATING)
        rating.grade = grade
        rating.override_reason = reason if grade != rating.proposed_grade else ""
        rating.save(update_fields=["grade", "override_reason"])
        rating.proposals.filter(status=ConsequenceProposal.Status.PROPOSED).delete()
        previous = _previous_grades(rating.cycle, [rating.person_id])
        # The override changes the grade, not the rank: the bottom-share rule reads the whole cycle.
        bottom = _bottom_every_year_of_term(rating.cycle, list(rating.cycle.ratings.all()))
        ConsequenceProposal.objects.bulk_create(_proposals([rating], previous, bottom))
    return rating


def proposal_decide(
    *,
    actor: Any,
    proposal: ConsequenceProposal,
    confirm: bool,
    note: str,
    measure: str = "",
    on: dt.date | None = None,
) -> ConsequenceProposal:
    """HR confirms (or declines) a proposed consequence; a confirmation calls the staffing action.

    Dismissal ends the appointment; "waiting" sends the person to off-post training; a pay cut
    and a transfer are recorded for payroll and for HR to carry out on the person's page.
    """
    require_reason(note)
    day = on or timezone.localdate()
    with transaction.atomic(), audit_context(actor=actor, reason=note):
        proposal = ConsequenceProposal.objects.select_for_update().select_related("rating__person").get(pk=proposal.pk)
        if proposal.status != ConsequenceProposal.Status.PROPOSED:
            raise ApplicationError(_("This proposal has already been decided."))
        choosing = confirm and proposal.kind == ConsequenceProposal.Kind.BASIC_COMPETENT_MEASURES
        if choosing and measure not in proposal.options:
            raise ApplicationError(
                _("Choose one of the measures: %(options)s.") % {"options": "、".join(proposal.options)},
                {"measure": [_("Required.")]},
            )
        person = proposal.rating.person
        if confirm and proposal.kind == ConsequenceProposal.Kind.DISMISSAL:
            staffing_services.person_separate(
                actor=actor, person=person, kind=Appointment.EndKind.DISMISSED, on=day, reason=note
            )
        if confirm and measure == rules.Measure.WAITING:
            staffing_services.person_send_to_waiting(actor=actor, person=person, on=day, reason=note)
        proposal.status = ConsequenceProposal.Status.CONFIRMED if confirm else ConsequenceProposal.Status.DISMISSED
        proposal.decided_by = actor
        proposal.decided_at = timezone.now()
        proposal.decision = f"{measure}: {note}" if measure else note
        proposal.save()
    return proposal


# --- Conduct reports ---------------------------------------------------------------------------------


def conduct_report_file(
    *, actor: Any, text: str, anonymous: bool = False, subject: Person | None = None, department=None
) -> ConductReport:
    """Any logged-in user reports an inactive cadre; an anonymous report names its filer to the
    inspector alone, so the audit trail records it without an actor."""
    if not text.strip():
        raise ApplicationError(_("Describe what you report."), {"text": [_("Required.")]})
    with transaction.atomic(), audit_context(actor=None if anonymous else actor):
        try:
            return ConductReport.objects.create(
                filed_by=actor, anonymous=anonymous, subject=subject, department=department, text=text
            )
        except IntegrityError as exc:  # pragma: no cover - a deleted subject between form and save
            raise ApplicationError(_("The report could not be saved; try again.")) from exc


def conduct_report_handle(*, actor: Any, report: ConductReport, status: str, notes: str) -> ConductReport:
    """The discipline inspector moves a report on (received → verified / unfounded → action)."""
    if not permissions.can_handle_conduct_reports(actor):
        raise ApplicationError(_("Conduct reports are handled by the discipline inspector."))
    require_reason(notes)
    allowed = {
        ConductReport.Status.RECEIVED: {ConductReport.Status.VERIFIED, ConductReport.Status.UNFOUNDED},
        ConductReport.Status.VERIFIED: {ConductReport.Status.ACTION},
    }
    with transaction.atomic(), audit_context(actor=actor, reason=notes):
        report = ConductReport.objects.select_for_update().get(pk=report.pk)
        if status not in allowed.get(report.status, set()):
            raise ApplicationError(
                _("A report at “%(status)s” cannot move to “%(target)s”.")
                % {"status": report.get_status_display(), "target": ConductReport.Status(status).label}
            )
        report.status = status
        report.notes = (report.notes + "\n" if report.notes else "") + notes
        report.handled_by = actor
        report.save()
    return report

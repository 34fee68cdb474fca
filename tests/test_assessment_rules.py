"""Assessment rules: indicator scores, weights and the cascade, the department value coefficient,
score composition, usual-time and annual scores, supervised tasks, grades with quotas and the
consequences they propose (domain.md §7)."""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from assessment.rules import (
    LEADER_COMPOSITION,
    AssessmentError,
    Bound,
    Grade,
    IndicatorRecord,
    Measure,
    ProposalKind,
    Quotas,
    Reason,
    Source,
    TaskCharge,
    TaskRecord,
    annual_score,
    apply_adjustments,
    bottom_share,
    cascade_problems,
    compose,
    in_bottom_every_year,
    indicator_score,
    propose_consequences,
    quota_check,
    quota_counts,
    rate_group,
    task_deductions,
    validate_coefficient,
    validate_weights,
    weighted_score,
)

# --- Ratio to target -----------------------------------------------------------------------


def test_a_ratio_indicator_scores_actual_over_target():
    assert indicator_score(rule="ratio", target=Decimal(200), actual=Decimal(180)) == Decimal("90.00")


def test_a_ratio_indicator_is_capped_at_120_by_default():
    assert indicator_score(rule="ratio", target=Decimal(100), actual=Decimal(150)) == Decimal("120.00")
    assert indicator_score(rule="ratio", target=Decimal(100), actual=Decimal(120)) == Decimal("120.00")


def test_the_cap_is_a_setting():
    assert indicator_score(rule="ratio", target=Decimal(100), actual=Decimal(150), cap=Decimal(1)) == Decimal("100.00")
    assert indicator_score(rule="ratio", target=Decimal(100), actual=Decimal(140), cap=Decimal("1.5")) == Decimal(
        "140.00"
    )


def test_it_refuses_a_cap_that_would_not_let_meeting_the_target_score_100():
    with pytest.raises(AssessmentError, match="cap"):
        indicator_score(rule="ratio", target=Decimal(100), actual=Decimal(100), cap=Decimal("0.9"))


def test_a_negative_actual_scores_zero_not_below():
    assert indicator_score(rule="ratio", target=Decimal(5), actual=Decimal(-2)) == Decimal("0.00")


def test_a_ratio_score_is_rounded_half_up_to_two_places_unless_kept_exact():
    assert indicator_score(rule="ratio", target=Decimal(3), actual=Decimal(2)) == Decimal("66.67")
    assert indicator_score(rule="ratio", target=Decimal(8), actual=Decimal("6.0001")) == Decimal("75.00")
    exact = indicator_score(rule="ratio", target=Decimal(3), actual=Decimal(2), places=None)
    assert exact > Decimal("66.666") and exact < Decimal("66.667")


def test_a_zero_target_is_refused_and_points_to_the_deduction_rule():
    with pytest.raises(AssessmentError, match="deduction"):
        indicator_score(rule="ratio", target=Decimal(0), actual=Decimal(0))


def test_a_ratio_indicator_needs_both_target_and_actual():
    with pytest.raises(AssessmentError):
        indicator_score(rule="ratio", target=Decimal(100))
    with pytest.raises(AssessmentError):
        indicator_score(rule="ratio", actual=Decimal(100))


def test_lower_is_better_turns_the_ratio_over():
    # complaints: 10 allowed, 20 received
    assert indicator_score(rule="ratio", target=Decimal(10), actual=Decimal(20), lower_is_better=True) == Decimal(
        "50.00"
    )
    # 8 days to approve against a target of 10: 125, capped
    assert indicator_score(rule="ratio", target=Decimal(10), actual=Decimal(8), lower_is_better=True) == Decimal(
        "120.00"
    )


def test_lower_is_better_with_an_actual_of_zero_earns_the_cap():
    assert indicator_score(rule="ratio", target=Decimal(10), actual=Decimal(0), lower_is_better=True) == Decimal(
        "120.00"
    )


def test_lower_is_better_refuses_a_negative_actual():
    with pytest.raises(AssessmentError):
        indicator_score(rule="ratio", target=Decimal(10), actual=Decimal(-1), lower_is_better=True)


def test_it_refuses_a_float_target():
    with pytest.raises(TypeError):
        indicator_score(rule="ratio", target=100.0, actual=Decimal(90))


# --- Judged and deduction per miss ---------------------------------------------------------


def test_a_judged_indicator_scores_the_judged_score():
    assert indicator_score(rule="judged", judged=Decimal("87.5")) == Decimal("87.50")
    assert indicator_score(rule="judged", judged=Decimal(0)) == Decimal("0.00")
    assert indicator_score(rule="judged", judged=Decimal(100)) == Decimal("100.00")


def test_a_judged_score_outside_0_to_100_is_refused():
    with pytest.raises(AssessmentError, match=r"100\.5"):
        indicator_score(rule="judged", judged=Decimal("100.5"))
    with pytest.raises(AssessmentError):
        indicator_score(rule="judged", judged=Decimal(-1))
    with pytest.raises(AssessmentError):
        indicator_score(rule="judged")


def test_inputs_another_rule_reads_are_ignored():
    score = indicator_score(rule="judged", judged=Decimal(75), target=Decimal(0), actual=Decimal(3), misses=9)
    assert score == Decimal("75.00")


def test_a_deduction_indicator_takes_points_per_miss_from_100():
    assert indicator_score(rule="deduction", misses=0) == Decimal("100.00")
    assert indicator_score(rule="deduction", misses=3) == Decimal("85.00")
    assert indicator_score(rule="deduction", misses=3, points_per_miss=Decimal("2.5")) == Decimal("92.50")


def test_a_deduction_score_does_not_go_below_zero():
    assert indicator_score(rule="deduction", misses=25) == Decimal("0.00")


def test_a_deduction_indicator_refuses_a_negative_or_missing_or_fractional_count():
    with pytest.raises(AssessmentError):
        indicator_score(rule="deduction", misses=-1)
    with pytest.raises(AssessmentError):
        indicator_score(rule="deduction")
    with pytest.raises(TypeError):
        indicator_score(rule="deduction", misses=Decimal("1.5"))


def test_an_unknown_scoring_rule_is_refused_naming_the_known_ones():
    with pytest.raises(AssessmentError, match="ratio, judged, deduction"):
        indicator_score(rule="vibes", judged=Decimal(80))


# --- Bonus and penalty items ---------------------------------------------------------------


def test_bonuses_add_and_penalties_subtract():
    total = apply_adjustments(score=Decimal("85.50"), bonuses=[Decimal(3), Decimal(2)], penalties=[Decimal(4)])
    assert total == Decimal("86.50")


def test_bonuses_together_add_at_most_the_bonus_cap():
    total = apply_adjustments(
        score=Decimal(85), bonuses=[Decimal(3), Decimal(4)], penalties=[Decimal(1)], bonus_cap=Decimal(5)
    )
    assert total == Decimal(89)


def test_an_adjusted_total_stops_at_the_ceiling_and_at_zero():
    assert apply_adjustments(score=Decimal(98), bonuses=[Decimal(5)], penalties=[], ceiling=Decimal(100)) == Decimal(
        100
    )
    assert apply_adjustments(score=Decimal(98), bonuses=[Decimal(5)], penalties=[]) == Decimal(103)
    assert apply_adjustments(score=Decimal(10), bonuses=[], penalties=[Decimal(12)]) == Decimal(0)


def test_a_penalty_entered_as_a_negative_amount_is_refused():
    with pytest.raises(AssessmentError, match="-2"):
        apply_adjustments(score=Decimal(80), bonuses=[], penalties=[Decimal(-2)])


# --- Weights -------------------------------------------------------------------------------


def test_weights_summing_to_100_pass():
    validate_weights({"gdp": Decimal(60), "investment": Decimal("25.5"), "service": Decimal("14.5")})


def test_weights_not_summing_to_100_are_refused_naming_the_group():
    with pytest.raises(AssessmentError, match=r"the indicators under 'GDP growth' sum to 90, not 100"):
        validate_weights({"a": Decimal(50), "b": Decimal(40)}, group="the indicators under 'GDP growth'")


def test_negative_weights_are_refused_even_when_the_sum_is_100():
    with pytest.raises(AssessmentError, match="negative"):
        validate_weights({"a": Decimal(110), "b": Decimal(-10)})


def test_float_weights_are_refused():
    with pytest.raises(TypeError):
        validate_weights({"a": 60.0, "b": Decimal(40)})


def test_weighted_score_is_the_sum_of_scores_times_weights_over_100():
    scores = {"gdp": Decimal(80), "investment": Decimal(90)}
    assert weighted_score(scores=scores, weights={"gdp": Decimal(60), "investment": Decimal(40)}) == Decimal("84.00")


def test_weighted_score_rounds_once_at_the_end():
    scores = {"a": Decimal("80.01"), "b": Decimal("80.00")}
    assert weighted_score(scores=scores, weights={"a": Decimal(50), "b": Decimal(50)}) == Decimal("80.01")
    exact = weighted_score(scores=scores, weights={"a": Decimal(50), "b": Decimal(50)}, places=None)
    assert exact == Decimal("80.005")


def test_weighted_score_refuses_a_missing_score_rather_than_counting_zero():
    with pytest.raises(AssessmentError, match="no score for investment"):
        weighted_score(scores={"gdp": Decimal(80)}, weights={"gdp": Decimal(60), "investment": Decimal(40)})


def test_weighted_score_refuses_a_score_without_a_weight():
    with pytest.raises(AssessmentError, match="without a weight for tourism"):
        weighted_score(scores={"gdp": Decimal(80), "tourism": Decimal(70)}, weights={"gdp": Decimal(100)})


# --- The cascade ---------------------------------------------------------------------------


def _tree() -> list[IndicatorRecord]:
    """A sound zone → department → individual tree, weights summing to 100 under each parent."""
    return [
        IndicatorRecord(id="Z1", level="zone", weight=Decimal(60), owner="zone"),
        IndicatorRecord(id="Z2", level="zone", weight=Decimal(40), owner="zone"),
        IndicatorRecord(id="D1", level="department", weight=Decimal(70), owner="investment", parent_id="Z1"),
        IndicatorRecord(id="D2", level="department", weight=Decimal(30), owner="planning", parent_id="Z1"),
        IndicatorRecord(id="D3", level="department", weight=Decimal(100), owner="investment", parent_id="Z2"),
        IndicatorRecord(id="I1", level="individual", weight=Decimal(50), owner="li", parent_id="D1"),
        IndicatorRecord(id="I2", level="individual", weight=Decimal(50), owner="wang", parent_id="D1"),
        IndicatorRecord(id="I3", level="individual", weight=Decimal(100), owner="li", parent_id="D3"),
    ]


def _replace(tree: list[IndicatorRecord], record: IndicatorRecord) -> list[IndicatorRecord]:
    return [record if old.id == record.id else old for old in tree]


def test_a_sound_cascade_has_no_problems():
    assert cascade_problems(indicators=_tree()) == []


def test_an_empty_cycle_has_no_problems():
    assert cascade_problems(indicators=[]) == []


def test_an_individual_indicator_pointing_straight_to_the_zone_is_a_problem():
    tree = _replace(
        _tree(), IndicatorRecord(id="I3", level="individual", weight=Decimal(100), owner="li", parent_id="Z2")
    )
    problems = cascade_problems(indicators=tree)
    assert [str(problem) for problem in problems] == [
        "indicator I3 (individual level) points to indicator Z2 at the zone level; "
        "its parent should be a department indicator"
    ]
    assert problems[0].indicators == ("I3",)


def test_a_zone_indicator_with_a_parent_is_a_problem():
    tree = _replace(_tree(), IndicatorRecord(id="Z2", level="zone", weight=Decimal(40), owner="zone", parent_id="Z1"))
    assert [str(problem) for problem in cascade_problems(indicators=tree)] == [
        "indicator Z2 is at the zone level but points to a parent, Z1"
    ]


def test_a_department_indicator_without_a_parent_is_a_problem():
    tree = _replace(_tree(), IndicatorRecord(id="D3", level="department", weight=Decimal(100), owner="investment"))
    assert [str(problem) for problem in cascade_problems(indicators=tree)] == [
        "indicator D3 (department level) has no parent; it should point to a zone indicator"
    ]


def test_a_parent_that_does_not_exist_is_reported_once_without_a_weight_problem_after_it():
    tree = _replace(
        _tree(), IndicatorRecord(id="I3", level="individual", weight=Decimal(100), owner="li", parent_id="D9")
    )
    assert [str(problem) for problem in cascade_problems(indicators=tree)] == [
        "indicator I3 points to indicator D9, which does not exist"
    ]


def test_an_indicator_id_used_twice_is_a_problem():
    tree = [*_tree(), IndicatorRecord(id="I2", level="individual", weight=Decimal(0), owner="zhao", parent_id="D1")]
    assert [str(problem) for problem in cascade_problems(indicators=tree)] == ["indicator I2 appears twice"]


def test_an_unknown_level_is_a_problem():
    tree = _replace(_tree(), IndicatorRecord(id="D2", level="bureau", weight=Decimal(30), owner="planning"))
    problems = [str(problem) for problem in cascade_problems(indicators=tree)]
    assert problems == [
        "indicator D2 has the unknown level 'bureau'",
        "the weights of the indicators under indicator Z1 sum to 70, not 100",
    ]


def test_sibling_weights_under_a_parent_must_sum_to_100_and_the_problem_names_the_parent():
    tree = _replace(
        _tree(), IndicatorRecord(id="I2", level="individual", weight=Decimal(60), owner="wang", parent_id="D1")
    )
    problems = cascade_problems(indicators=tree)
    assert [str(problem) for problem in problems] == [
        "the weights of the indicators under indicator D1 sum to 110, not 100"
    ]
    assert problems[0].indicators == ("I1", "I2")


def test_the_zone_level_weights_must_sum_to_100():
    tree = _replace(_tree(), IndicatorRecord(id="Z2", level="zone", weight=Decimal(30), owner="zone"))
    assert [str(problem) for problem in cascade_problems(indicators=tree)] == [
        "the weights of the zone level sum to 90, not 100"
    ]


def test_a_negative_weight_is_a_problem():
    tree = _replace(
        _tree(), IndicatorRecord(id="D2", level="department", weight=Decimal(-30), owner="planning", parent_id="Z1")
    )
    tree = _replace(
        tree, IndicatorRecord(id="D1", level="department", weight=Decimal(130), owner="investment", parent_id="Z1")
    )
    assert [str(problem) for problem in cascade_problems(indicators=tree)] == [
        "the weights of the indicators under indicator Z1 include negative ones, for D2"
    ]


def test_weights_can_be_checked_per_owners_scorecard_instead_of_per_parent():
    scorecards = [
        IndicatorRecord(id="Z1", level="zone", weight=Decimal(60), owner="zone"),
        IndicatorRecord(id="Z2", level="zone", weight=Decimal(40), owner="zone"),
        IndicatorRecord(id="D1", level="department", weight=Decimal(60), owner="investment", parent_id="Z1"),
        IndicatorRecord(id="D3", level="department", weight=Decimal(40), owner="investment", parent_id="Z2"),
        IndicatorRecord(id="D2", level="department", weight=Decimal(100), owner="planning", parent_id="Z1"),
        IndicatorRecord(id="I1", level="individual", weight=Decimal(100), owner="li", parent_id="D1"),
        IndicatorRecord(id="I2", level="individual", weight=Decimal(100), owner="wang", parent_id="D3"),
    ]
    assert cascade_problems(indicators=scorecards, group_by="owner") == []
    assert "the weights of the indicators under indicator Z1 sum to 160, not 100" in [
        str(problem) for problem in cascade_problems(indicators=scorecards)
    ]
    assert [str(problem) for problem in cascade_problems(indicators=_tree(), group_by="owner")] == [
        "the weights of the department indicators of investment sum to 170, not 100",
        "the weights of the department indicators of planning sum to 30, not 100",
        "the weights of the individual indicators of li sum to 150, not 100",
        "the weights of the individual indicators of wang sum to 50, not 100",
    ]


def test_the_cascade_check_reads_any_record_with_the_fields():
    rows = [
        SimpleNamespace(id=1, parent_id=None, level="zone", weight=Decimal(100), owner=None),
        SimpleNamespace(id=2, parent_id=1, level="department", weight=Decimal(100), owner=7),
    ]
    assert cascade_problems(indicators=rows) == []


# --- Department value coefficient ----------------------------------------------------------


def test_a_coefficient_at_either_end_of_the_range_is_accepted():
    assert validate_coefficient(Decimal("0.5")) == Decimal("0.5")
    assert validate_coefficient(Decimal("1.50")) == Decimal("1.50")
    assert validate_coefficient(Decimal("1.15")) == Decimal("1.15")


def test_a_coefficient_outside_the_range_is_refused_with_the_range_in_the_message():
    with pytest.raises(AssessmentError, match=r"coefficient 0\.49 is outside 0\.5 to 1\.5"):
        validate_coefficient(Decimal("0.49"))
    with pytest.raises(AssessmentError, match=r"1\.51"):
        validate_coefficient(Decimal("1.51"))


def test_the_coefficient_range_is_a_setting():
    assert validate_coefficient(Decimal("1.8"), high=Decimal(2)) == Decimal("1.8")
    with pytest.raises(AssessmentError):
        validate_coefficient(Decimal("0.6"), low=Decimal("0.7"))
    with pytest.raises(AssessmentError, match="empty"):
        validate_coefficient(Decimal(1), low=Decimal("1.2"), high=Decimal("0.8"))


def test_a_float_coefficient_is_refused():
    with pytest.raises(TypeError):
        validate_coefficient(1.2)


# --- Score composition ---------------------------------------------------------------------


def test_a_leaders_score_is_60_percent_performance_and_the_evaluations_the_rest():
    sources = {
        Source.PERFORMANCE: Decimal(90),
        Source.COMPREHENSIVE_EVALUATION: Decimal(80),
        Source.OPINION_SURVEY: Decimal(70),
    }
    result = compose(sources=sources, weights=LEADER_COMPOSITION)
    assert result.score == Decimal("84.50")  # 54 + 20 + 10.5
    assert result.missing == ()
    assert not result.reweighted


def test_a_composition_can_count_enterprises_and_residents():
    weights = {
        "performance": Decimal(50),
        "comprehensive_evaluation": Decimal(20),
        "enterprise_evaluation": Decimal(20),
        "resident_evaluation": Decimal(10),
    }
    sources = {
        "performance": Decimal(88),
        "comprehensive_evaluation": Decimal(90),
        "enterprise_evaluation": Decimal("95.5"),
        "resident_evaluation": Decimal(80),
    }
    assert compose(sources=sources, weights=weights).score == Decimal("89.10")  # 44 + 18 + 19.1 + 8


def test_a_missing_source_is_refused_by_default_naming_it():
    with pytest.raises(AssessmentError, match="no score from opinion_survey"):
        compose(
            sources={Source.PERFORMANCE: Decimal(90), Source.COMPREHENSIVE_EVALUATION: Decimal(80)},
            weights=LEADER_COMPOSITION,
        )
    with pytest.raises(AssessmentError, match="opinion_survey"):
        compose(
            sources={"performance": Decimal(90), "comprehensive_evaluation": Decimal(80), "opinion_survey": None},
            weights=LEADER_COMPOSITION,
        )


def test_reweighting_spreads_the_missing_weight_over_the_sources_present():
    result = compose(
        sources={"performance": Decimal(90), "comprehensive_evaluation": Decimal(80), "opinion_survey": None},
        weights=LEADER_COMPOSITION,
        reweight=True,
    )
    assert result.score == Decimal("87.06")  # (90 × 60 + 80 × 25) ÷ 85
    assert result.missing == ("opinion_survey",)
    assert result.reweighted
    assert sum(result.weights.values(), Decimal(0)) == Decimal(100)
    assert set(result.weights) == {"performance", "comprehensive_evaluation"}


def test_reweighting_needs_at_least_one_weighted_source():
    with pytest.raises(AssessmentError, match="no weighted source"):
        compose(sources={}, weights=LEADER_COMPOSITION, reweight=True)


def test_a_source_of_weight_zero_is_never_missing():
    weights = {"performance": Decimal(100), "resident_evaluation": Decimal(0)}
    result = compose(sources={"performance": Decimal("77.7")}, weights=weights)
    assert result.score == Decimal("77.70")
    assert result.missing == ()


def test_a_score_from_a_source_without_a_weight_is_refused():
    with pytest.raises(AssessmentError, match="resident_evaluation"):
        compose(
            sources={"performance": Decimal(90), "resident_evaluation": Decimal(80)},
            weights={"performance": Decimal(100)},
        )


def test_composition_weights_must_sum_to_100():
    with pytest.raises(AssessmentError, match="score sources sum to 90"):
        compose(sources={"performance": Decimal(90)}, weights={"performance": Decimal(90)})


# --- Usual-time and annual -----------------------------------------------------------------


def test_the_annual_result_is_30_percent_quarterly_mean_and_70_percent_annual():
    quarterly = [Decimal(80), Decimal(85), Decimal(90), Decimal(95)]  # mean 87.5
    assert annual_score(quarterly=quarterly, annual=Decimal(90)) == Decimal("89.25")  # 26.25 + 63


def test_the_quarterly_weight_is_a_setting():
    quarterly = [Decimal(80), Decimal(85), Decimal(90), Decimal(95)]
    assert annual_score(quarterly=quarterly, annual=Decimal(90), quarterly_weight=Decimal("0.4")) == Decimal("89.00")


def test_only_the_quarters_assessed_count():
    assert annual_score(quarterly=[Decimal(80), Decimal(90)], annual=Decimal(90)) == Decimal("88.50")


def test_without_a_quarterly_score_the_annual_score_stands_alone():
    assert annual_score(quarterly=[], annual=Decimal("86.4")) == Decimal("86.40")


def test_more_than_four_quarters_or_a_weight_outside_0_to_1_is_refused():
    with pytest.raises(AssessmentError, match="4 quarters"):
        annual_score(quarterly=[Decimal(80)] * 5, annual=Decimal(90))
    with pytest.raises(AssessmentError):
        annual_score(quarterly=[Decimal(80)], annual=Decimal(90), quarterly_weight=Decimal("1.2"))


# --- Supervised tasks ----------------------------------------------------------------------

QUARTER_END = date(2025, 3, 31)


def test_a_task_completed_by_its_deadline_costs_nothing():
    tasks = [
        TaskRecord(deadline=date(2025, 3, 10), completed_on=date(2025, 3, 1)),
        TaskRecord(deadline=date(2025, 3, 10), completed_on=date(2025, 3, 10)),  # on the day is on time
    ]
    result = task_deductions(tasks=tasks, as_of=QUARTER_END)
    assert result.total == Decimal(0)
    assert result.charged == ()


def test_a_task_completed_late_counts_as_overdue():
    late = TaskRecord(deadline=date(2025, 3, 10), completed_on=date(2025, 3, 11), ref="park roads")
    result = task_deductions(tasks=[late], as_of=QUARTER_END)
    assert result.total == Decimal(2)
    assert [(item.task.ref, item.charge, item.points) for item in result.charged] == [
        ("park roads", TaskCharge.OVERDUE, Decimal(2))
    ]


def test_an_open_task_is_overdue_only_once_its_deadline_has_passed():
    tasks = [TaskRecord(deadline=date(2025, 3, 30)), TaskRecord(deadline=date(2025, 3, 31))]
    assert task_deductions(tasks=tasks, as_of=QUARTER_END).total == Decimal(2)


def test_a_failed_task_costs_the_failure_points_only():
    failed_and_late = TaskRecord(deadline=date(2025, 2, 1), completed_on=date(2025, 3, 1), failed=True)
    result = task_deductions(tasks=[failed_and_late], as_of=QUARTER_END)
    assert result.total == Decimal(5)
    assert [item.charge for item in result.charged] == [TaskCharge.FAILED]


def test_a_completion_after_the_day_assessed_did_not_exist_yet():
    tasks = [
        TaskRecord(deadline=date(2025, 3, 15), completed_on=date(2025, 4, 10)),  # open and late on 31 March
        TaskRecord(deadline=date(2025, 4, 15), completed_on=date(2025, 4, 10)),  # not yet due on 31 March
    ]
    assert task_deductions(tasks=tasks, as_of=QUARTER_END).total == Decimal(2)


def test_task_deductions_are_capped_at_20_by_default():
    tasks = [TaskRecord(deadline=date(2025, 1, day)) for day in range(1, 12)]  # 11 overdue × 2
    result = task_deductions(tasks=tasks, as_of=QUARTER_END)
    assert (result.total, result.uncapped, result.capped) == (Decimal(20), Decimal(22), True)
    assert task_deductions(tasks=tasks, as_of=QUARTER_END, cap=None).total == Decimal(22)


def test_task_points_are_settings():
    tasks = [TaskRecord(deadline=date(2025, 1, 5)), TaskRecord(deadline=date(2025, 1, 5), failed=True)]
    result = task_deductions(
        tasks=tasks, as_of=QUARTER_END, points_overdue=Decimal("1.5"), points_failed=Decimal(10), cap=Decimal(30)
    )
    assert result.total == Decimal("11.5")
    assert not result.capped


def test_negative_task_points_are_refused():
    with pytest.raises(AssessmentError, match="negative"):
        task_deductions(tasks=[], as_of=QUARTER_END, points_overdue=Decimal(-2))


def test_task_deductions_read_any_record_with_the_fields():
    row = SimpleNamespace(deadline=date(2025, 3, 1), completed_on=None, failed=False)
    assert task_deductions(tasks=[row], as_of=QUARTER_END).total == Decimal(2)


# --- Quota arithmetic ----------------------------------------------------------------------


def _counts(quotas: Quotas) -> tuple[int, int, int, bool]:
    return (quotas.excellent_max, quotas.basic_min, quotas.incompetent, quotas.lower_waived)


def test_quotas_for_a_group_of_20():
    # 20 % of 20 = 4; 6 % of 20 = 1.2, up to 2; 5 % of 20 = 1
    assert _counts(quota_counts(size=20)) == (4, 2, 1, False)


def test_quotas_for_a_group_of_17():
    # 3.4 down to 3; 1.02 up to 2; 0.85 rounds to 1
    assert _counts(quota_counts(size=17)) == (3, 2, 1, False)


def test_quotas_for_a_group_of_100():
    assert _counts(quota_counts(size=100)) == (20, 6, 5, False)


def test_a_group_of_7_is_below_the_minimum_size_and_has_no_forced_lower_grades():
    # 1.4 down to 1 excellent; 0.42 would force one basically competent, but the quota is waived
    assert _counts(quota_counts(size=7)) == (1, 0, 0, True)


def test_a_group_of_1_has_no_excellent_place_and_no_forced_lower_grade():
    assert _counts(quota_counts(size=1)) == (0, 0, 0, True)


def test_without_a_minimum_size_the_lower_quotas_fall_on_tiny_groups():
    assert _counts(quota_counts(size=7, min_group_size=0)) == (1, 1, 0, False)  # 0.35 rounds to 0
    assert _counts(quota_counts(size=1, min_group_size=0)) == (0, 1, 0, False)


def test_a_group_of_10_is_the_first_with_lower_quotas_and_half_a_person_rounds_up():
    assert _counts(quota_counts(size=10)) == (2, 1, 1, False)
    assert _counts(quota_counts(size=9)) == (1, 0, 0, True)


def test_quota_shares_are_settings():
    quotas = quota_counts(
        size=20, excellent_max=Decimal("0.15"), basic_min=Decimal("0.10"), incompetent_about=Decimal(0)
    )
    assert _counts(quotas) == (3, 2, 0, False)


def test_quota_shares_outside_0_to_1_or_more_places_than_people_are_refused():
    with pytest.raises(AssessmentError, match="between 0 and 1"):
        quota_counts(size=20, excellent_max=Decimal("1.2"))
    with pytest.raises(AssessmentError, match="more than the group's 20"):
        quota_counts(size=20, excellent_max=Decimal("0.5"), basic_min=Decimal("0.5"), incompetent_about=Decimal("0.1"))
    with pytest.raises(AssessmentError):
        quota_counts(size=-1)
    with pytest.raises(TypeError):
        quota_counts(size=20, excellent_max=0.2)


# --- Rating a group ------------------------------------------------------------------------


def _people(*scores: int | str) -> list[tuple[str, Decimal]]:
    return [(f"p{number:02d}", Decimal(score)) for number, score in enumerate(scores, start=1)]


def _grades(rating) -> list[Grade]:
    return [entry.grade for entry in rating.ratings]


E, C, B, Inc = Grade.EXCELLENT, Grade.COMPETENT, Grade.BASICALLY_COMPETENT, Grade.INCOMPETENT


def test_a_group_of_20_fills_excellent_from_the_top_and_the_lower_grades_from_the_bottom():
    scores = _people(*range(100, 80, -1))
    rating = rate_group(scores=scores, quotas=quota_counts(size=20))
    assert _grades(rating) == [E] * 4 + [C] * 13 + [B] * 2 + [Inc]
    assert [entry.rank for entry in rating.ratings] == list(range(1, 21))
    assert rating.ratings[0].person == "p01"
    assert rating.check.ok
    assert rating.check.counts == {E: 4, C: 13, B: 2, Inc: 1}


def test_ratings_come_best_first_whatever_the_input_order():
    rating = rate_group(
        scores=[("li", Decimal(70)), ("wang", Decimal(95)), ("zhao", Decimal(80))], quotas=quota_counts(size=3)
    )
    assert [(entry.person, entry.rank) for entry in rating.ratings] == [("wang", 1), ("zhao", 2), ("li", 3)]
    assert rating.grades == {"wang": C, "zhao": C, "li": C}  # 3 × 20 % = 0.6: no excellent place


def test_excellent_needs_the_threshold_score_when_the_policy_sets_one():
    scores = _people(*range(100, 80, -1))
    rating = rate_group(scores=scores, quotas=quota_counts(size=20), excellent_threshold=Decimal(98))
    assert _grades(rating)[:4] == [E, E, E, C]  # 97 is in an excellent place but below 98
    assert rating.check.ok  # at most 4: three is within the quota


def test_a_tie_at_the_excellent_cap_stays_excellent_and_the_check_shows_the_excess():
    scores = _people(100, 99, 98, 97, 97, *range(95, 80, -1))
    rating = rate_group(scores=scores, quotas=quota_counts(size=20))
    assert _grades(rating)[:6] == [E, E, E, E, E, C]
    assert [entry.rank for entry in rating.ratings][:6] == [1, 2, 3, 4, 4, 6]
    assert not rating.check.ok
    (deviation,) = rating.check.deviations
    assert (deviation.grade, deviation.count, deviation.quota, deviation.bound) == (E, 5, 4, Bound.AT_MOST)
    assert rating.check.messages == ["5 rated excellent where the quota is at most 4 in a group of 20"]


def test_a_tie_at_the_incompetent_place_takes_the_better_grade():
    scores = _people(*range(100, 82, -1), 60, 60)
    rating = rate_group(scores=scores, quotas=quota_counts(size=20))
    assert _grades(rating)[-4:] == [C, B, B, B]
    assert rating.check.counts[Inc] == 0
    assert rating.check.messages == ["0 rated incompetent where the quota is about 1 in a group of 20"]


def test_a_tie_at_the_basically_competent_boundary_stays_competent():
    scores = _people(*range(100, 84, -1), 70, 70, 65, 60)
    rating = rate_group(scores=scores, quotas=quota_counts(size=20))
    assert _grades(rating)[-4:] == [C, C, B, Inc]
    assert rating.check.messages == ["1 rated basically competent where the quota is at least 2 in a group of 20"]


def test_a_group_of_7_has_one_excellent_place_and_no_forced_lower_grades():
    rating = rate_group(scores=_people(95, 90, 85, 80, 75, 70, 65), quotas=quota_counts(size=7))
    assert _grades(rating) == [E, C, C, C, C, C, C]
    assert rating.check.ok


def test_a_group_of_1_is_rated_competent():
    rating = rate_group(scores=[("li", Decimal(99))], quotas=quota_counts(size=1))
    assert _grades(rating) == [C]
    assert rating.check.ok


def test_a_score_below_the_pass_line_is_incompetent_even_where_the_quota_is_waived():
    rating = rate_group(
        scores=_people(95, 90, 85, 80, 75, 70, 55), quotas=quota_counts(size=7), incompetent_below=Decimal(60)
    )
    assert _grades(rating)[-1] == Inc
    assert rating.check.ok


def test_a_pass_line_can_make_more_incompetent_than_the_quota_and_the_check_says_so():
    scores = _people(*range(100, 83, -1), 59, 58, 57)
    rating = rate_group(scores=scores, quotas=quota_counts(size=20), incompetent_below=Decimal(60))
    assert _grades(rating)[-3:] == [Inc, Inc, Inc]
    assert rating.check.messages == [
        "0 rated basically competent where the quota is at least 2 in a group of 20",
        "3 rated incompetent where the quota is about 1 in a group of 20",
    ]


def test_a_group_of_100_meets_its_quotas():
    rating = rate_group(scores=_people(*range(100, 0, -1)), quotas=quota_counts(size=100))
    assert rating.check.counts == {E: 20, C: 69, B: 6, Inc: 5}
    assert rating.check.ok


def test_equal_scores_written_differently_are_one_tie():
    rating = rate_group(scores=[("a", Decimal("90")), ("b", Decimal("90.00"))], quotas=quota_counts(size=2))
    assert [entry.rank for entry in rating.ratings] == [1, 1]


def test_rating_refuses_a_person_twice_a_size_mismatch_or_a_float_score():
    with pytest.raises(AssessmentError, match="li"):
        rate_group(scores=[("li", Decimal(90)), ("li", Decimal(80))], quotas=quota_counts(size=2))
    with pytest.raises(AssessmentError, match="group of 3"):
        rate_group(scores=[("li", Decimal(90))], quotas=quota_counts(size=3))
    with pytest.raises(TypeError):
        rate_group(scores=[("li", 90.0)], quotas=quota_counts(size=1))


# --- Quota check of HR overrides -----------------------------------------------------------


def test_an_override_within_the_quotas_passes():
    grades = [E] * 4 + [C] * 13 + [B] * 2 + [Inc]
    check = quota_check(grades=grades, quotas=quota_counts(size=20))
    assert check.ok
    assert check.messages == []


def test_an_override_adding_an_excellent_breaks_the_cap():
    grades = {f"p{number}": grade for number, grade in enumerate([E] * 21 + [C] * 68 + [B] * 6 + [Inc] * 5)}
    check = quota_check(grades=grades, quotas=quota_counts(size=100))
    assert check.messages == ["21 rated excellent where the quota is at most 20 in a group of 100"]


def test_the_quota_check_reads_grade_names():
    grades = ["excellent", "competent", "competent", "competent", "basically_competent", "incompetent", "competent"]
    check = quota_check(grades=grades, quotas=quota_counts(size=7))
    assert check.ok  # group of 7: lower grades given on merit break no quota
    assert check.counts[Grade.BASICALLY_COMPETENT] == 1


def test_the_quota_check_refuses_grades_of_another_group_size_or_unknown_grades():
    with pytest.raises(AssessmentError, match="group of 20"):
        quota_check(grades=[C] * 19, quotas=quota_counts(size=20))
    with pytest.raises(AssessmentError, match="unknown grade"):
        quota_check(grades=["superb"], quotas=quota_counts(size=1))


# --- Consequences --------------------------------------------------------------------------


def _kinds(proposals) -> list[ProposalKind]:
    return [proposal.kind for proposal in proposals]


def test_incompetent_proposes_dismissal():
    (proposal,) = propose_consequences(grade=Inc, previous_grades=[C, C], bottom_five_every_year_of_term=False)
    assert proposal.kind is ProposalKind.DISMISSAL
    assert proposal.reasons == (Reason.INCOMPETENT,)


def test_two_incompetent_years_in_a_row_say_so_in_the_reason():
    (proposal,) = propose_consequences(grade=Inc, previous_grades=[C, Inc], bottom_five_every_year_of_term=False)
    assert proposal.kind is ProposalKind.DISMISSAL
    assert proposal.reasons == (Reason.INCOMPETENT_TWO_YEARS_RUNNING,)
    assert "two years in a row" in proposal.explanation


def test_incompetent_years_apart_are_not_in_a_row():
    for previous in ([Inc, C], [Inc, None]):
        (proposal,) = propose_consequences(grade=Inc, previous_grades=previous, bottom_five_every_year_of_term=False)
        assert proposal.reasons == (Reason.INCOMPETENT,)


def test_basically_competent_proposes_one_of_pay_cut_waiting_or_transfer():
    (proposal,) = propose_consequences(grade=B, previous_grades=[], bottom_five_every_year_of_term=False)
    assert proposal.kind is ProposalKind.BASIC_COMPETENT_MEASURES
    assert proposal.options == (Measure.PAY_CUT, Measure.WAITING, Measure.TRANSFER)


def test_excellent_proposes_the_award_and_priority_promotion():
    proposals = propose_consequences(grade=E, previous_grades=[E], bottom_five_every_year_of_term=False)
    assert _kinds(proposals) == [ProposalKind.ADVANCED_WORKER_AWARD, ProposalKind.PRIORITY_PROMOTION]


def test_competent_proposes_nothing():
    assert (
        propose_consequences(grade="competent", previous_grades=["incompetent"], bottom_five_every_year_of_term=False)
        == []
    )


def test_the_bottom_share_in_every_year_of_the_term_proposes_dismissal_if_reassignment_is_refused():
    (proposal,) = propose_consequences(grade=C, previous_grades=[C, C], bottom_five_every_year_of_term=True)
    assert proposal.kind is ProposalKind.DISMISSAL
    assert proposal.reasons == (Reason.BOTTOM_EVERY_YEAR_OF_TERM,)
    assert "reassignment" in proposal.explanation


def test_every_reason_for_dismissal_makes_one_proposal_heaviest_first():
    (proposal,) = propose_consequences(grade=Inc, previous_grades=[Inc], bottom_five_every_year_of_term=True)
    assert proposal.reasons == (Reason.INCOMPETENT_TWO_YEARS_RUNNING, Reason.BOTTOM_EVERY_YEAR_OF_TERM)
    proposals = propose_consequences(grade=B, previous_grades=[], bottom_five_every_year_of_term=True)
    assert _kinds(proposals) == [ProposalKind.DISMISSAL, ProposalKind.BASIC_COMPETENT_MEASURES]


def test_an_unknown_grade_is_refused():
    with pytest.raises(AssessmentError, match="unknown grade"):
        propose_consequences(grade="superb", previous_grades=[], bottom_five_every_year_of_term=False)


# --- Bottom share of same-level posts ------------------------------------------------------


def _ranks(size: int) -> dict[str, int]:
    return {f"p{place:02d}": place for place in range(1, size + 1)}


def test_the_last_of_a_group_of_20_is_its_bottom_5_percent():
    assert bottom_share(ranks_by_year={2024: _ranks(20)}) == {2024: frozenset({"p20"})}


def test_the_bottom_count_rounds_half_up():
    assert bottom_share(ranks_by_year={2024: _ranks(29)})[2024] == {"p29"}  # 1.45
    assert bottom_share(ranks_by_year={2024: _ranks(30)})[2024] == {"p29", "p30"}  # 1.5
    assert bottom_share(ranks_by_year={2024: _ranks(10)})[2024] == {"p10"}  # 0.5


def test_a_group_below_the_minimum_size_has_no_bottom():
    assert bottom_share(ranks_by_year={2024: _ranks(9)}) == {2024: frozenset()}
    assert bottom_share(ranks_by_year={2024: _ranks(9)}, share=Decimal("0.2"), min_group_size=0)[2024] == {
        "p08",
        "p09",
    }


def test_a_tie_straddling_the_bottom_stays_out_of_it():
    ranks = _ranks(18) | {"p19": 19, "p20": 19}
    assert bottom_share(ranks_by_year={2024: ranks}) == {2024: frozenset()}


def test_each_year_is_counted_against_that_years_group():
    bottom = bottom_share(ranks_by_year={2023: _ranks(20), 2024: _ranks(19) | {"new": 20}, 2025: _ranks(20)})
    assert bottom == {2023: {"p20"}, 2024: {"new"}, 2025: {"p20"}}
    assert in_bottom_every_year(bottom=bottom, person="p20", years=[2023, 2025])
    assert not in_bottom_every_year(bottom=bottom, person="p20", years=[2023, 2024, 2025])
    assert not in_bottom_every_year(bottom=bottom, person="p20", years=[2023, 2026])  # 2026 not ranked
    assert not in_bottom_every_year(bottom=bottom, person="p20", years=[])


def test_a_rank_outside_the_group_is_refused():
    with pytest.raises(AssessmentError, match="outside 1 to 2"):
        bottom_share(ranks_by_year={2024: {"li": 1, "wang": 3}})

"""Scoring rules of competitive hiring: sheets, round scores, panel balancing, pass lines, votes,
composite and ranking (domain.md §6)."""

from decimal import Decimal

import pytest

from recruitment.scoring import (
    IncompleteSheetError,
    RankEntry,
    ScoreOutOfRangeError,
    ScoringError,
    VoteCount,
    VoteFailure,
    advancing,
    balance,
    composite,
    lots_drawn,
    panel_averages,
    panel_coefficients,
    rank,
    rank_per_post,
    round_score,
    sheet_total,
    vote_result,
    vote_score,
)

MAXIMA = {"knowledge": Decimal(30), "expression": Decimal(30), "judgement": Decimal(40)}


# --- Score sheets --------------------------------------------------------------------------


def test_a_sheet_totals_its_marks():
    marks = {"knowledge": Decimal("27.5"), "expression": Decimal(24), "judgement": Decimal("33.5")}
    assert sheet_total(marks=marks, maxima=MAXIMA) == Decimal("85.0")


def test_marks_at_zero_and_at_the_maximum_are_accepted():
    marks = {"knowledge": Decimal(0), "expression": Decimal(30), "judgement": Decimal(40)}
    assert sheet_total(marks=marks, maxima=MAXIMA) == Decimal(70)


def test_it_refuses_a_mark_above_the_criterion_maximum_and_names_it():
    marks = {"knowledge": Decimal(31), "expression": Decimal(24), "judgement": Decimal(33)}
    with pytest.raises(ScoreOutOfRangeError) as info:
        sheet_total(marks=marks, maxima=MAXIMA)
    assert (info.value.criterion, info.value.value, info.value.maximum) == ("knowledge", Decimal(31), Decimal(30))
    assert "'knowledge'" in str(info.value) and "31" in str(info.value) and "30" in str(info.value)
    assert isinstance(info.value, ValueError)


def test_it_refuses_a_negative_mark():
    marks = {"knowledge": Decimal(20), "expression": Decimal("-0.5"), "judgement": Decimal(33)}
    with pytest.raises(ScoreOutOfRangeError) as info:
        sheet_total(marks=marks, maxima=MAXIMA)
    assert info.value.criterion == "expression"


def test_it_refuses_a_sheet_that_leaves_out_a_criterion():
    with pytest.raises(IncompleteSheetError) as info:
        sheet_total(marks={"knowledge": Decimal(20), "expression": Decimal(20)}, maxima=MAXIMA)
    assert info.value.missing == ["judgement"]
    assert "'judgement'" in str(info.value)


def test_it_refuses_a_mark_for_a_criterion_the_round_does_not_have():
    marks = {"knowledge": Decimal(20), "expression": Decimal(20), "judgement": Decimal(20), "appearance": Decimal(5)}
    with pytest.raises(IncompleteSheetError) as info:
        sheet_total(marks=marks, maxima=MAXIMA)
    assert info.value.unknown == ["appearance"]


def test_it_refuses_a_float_mark():
    with pytest.raises(TypeError):
        sheet_total(marks={"knowledge": 20.5, "expression": Decimal(20), "judgement": Decimal(20)}, maxima=MAXIMA)


# --- Round scores --------------------------------------------------------------------------


def test_it_drops_highest_and_lowest_of_seven():
    totals = [Decimal("90.5"), Decimal(88), Decimal("87.5"), Decimal(86), Decimal("85.5"), Decimal(84), Decimal(70)]
    # 88 + 87.5 + 86 + 85.5 + 84 = 431, over 5
    assert round_score(totals=totals) == Decimal("86.20")


def test_it_averages_all_five_sheets_without_trimming():
    totals = [Decimal(90), Decimal(80), Decimal(85), Decimal(70), Decimal(95)]
    assert round_score(totals=totals) == Decimal("84.00")


def test_six_sheets_are_more_than_five_and_are_trimmed():
    totals = [Decimal(60), Decimal(80), Decimal(80), Decimal(80), Decimal(80), Decimal(100)]
    assert round_score(totals=totals) == Decimal("80.00")


def test_it_drops_only_one_of_several_equal_highest_totals():
    totals = [Decimal(90), Decimal(90), Decimal(80), Decimal(80), Decimal(80), Decimal(80), Decimal(70)]
    # one 90 and the 70 go; (90 + 4 × 80) / 5
    assert round_score(totals=totals) == Decimal("82.00")


def test_there_is_no_round_score_without_a_valid_sheet():
    assert round_score(totals=[]) is None


def test_it_rounds_the_exact_mean_half_up_by_default():
    assert round_score(totals=[Decimal("80.00"), Decimal("80.01")]) == Decimal("80.01")  # mean 80.005
    assert round_score(totals=[Decimal(80), Decimal(80), Decimal(81)]) == Decimal("80.33")


def test_a_province_that_truncates_keeps_the_lower_figure():
    assert round_score(totals=[Decimal("80.00"), Decimal("80.01")], rounding="truncate") == Decimal("80.00")
    assert round_score(totals=[Decimal(80), Decimal(81), Decimal(81)], rounding="truncate") == Decimal("80.66")


def test_decimals_and_trimming_threshold_are_settings():
    totals = [Decimal(60), Decimal(80), Decimal(80), Decimal(80), Decimal(80), Decimal(80), Decimal(100)]
    assert round_score(totals=totals, trim_above=7) == Decimal("80.00")  # seven sheets, none dropped
    assert round_score(totals=[Decimal(80), Decimal(81), Decimal(81)], places=3) == Decimal("80.667")


def test_it_refuses_a_trimming_threshold_that_could_drop_every_sheet():
    with pytest.raises(ScoringError):
        round_score(totals=[Decimal(80), Decimal(90)], trim_above=1)


# --- Panel balancing (二次平均法) ----------------------------------------------------------


SCORES = {"a1": Decimal(78), "a2": Decimal(82), "b1": Decimal(88), "b2": Decimal(92)}
PANEL_OF = {"a1": "A", "a2": "A", "b1": "B", "b2": "B"}


def test_panel_coefficient_is_the_mean_of_panel_averages_over_the_panels_own():
    averages = panel_averages(scores=SCORES, panel_of=PANEL_OF)
    assert averages == {"A": Decimal(80), "B": Decimal(90)}
    # mean of the panels' averages is 85
    assert panel_coefficients(panel_averages=averages) == {"A": Decimal("1.0625"), "B": Decimal("0.9444")}


def test_the_mean_is_over_panels_not_candidates():
    averages = {"A": Decimal(80), "B": Decimal(90), "C": Decimal(90)}  # whatever each panel's size
    # (80 + 90 + 90) / 3 = 86.666…
    assert panel_coefficients(panel_averages=averages) == {
        "A": Decimal("1.0833"),
        "B": Decimal("0.9630"),
        "C": Decimal("0.9630"),
    }


def test_balance_multiplies_each_score_by_its_panels_coefficient():
    assert balance(scores=SCORES, panel_of=PANEL_OF) == {
        "a1": Decimal("82.88"),  # 78 × 1.0625 = 82.875
        "a2": Decimal("87.13"),  # 82 × 1.0625 = 87.125
        "b1": Decimal("83.11"),  # 88 × 0.9444 = 83.1072
        "b2": Decimal("86.88"),  # 92 × 0.9444 = 86.8848, not 92 × 85/90 = 86.889
    }


def test_balance_rounds_the_balanced_score_by_the_provinces_mode():
    balanced = balance(scores=SCORES, panel_of=PANEL_OF, rounding="truncate")
    assert balanced["a1"] == Decimal("82.87")


def test_a_single_panel_is_left_as_it_is():
    scores = {"a1": Decimal("78.25"), "a2": Decimal(82)}
    assert balance(scores=scores, panel_of={"a1": "A", "a2": "A"}) == {"a1": Decimal("78.25"), "a2": Decimal("82.00")}


def test_balancing_refuses_a_candidate_without_a_panel():
    with pytest.raises(ScoringError, match="b2"):
        balance(scores=SCORES, panel_of={"a1": "A", "a2": "A", "b1": "B"})


def test_balancing_refuses_a_panel_averaging_zero():
    with pytest.raises(ScoringError):
        panel_coefficients(panel_averages={"A": Decimal(80), "B": Decimal(0)})


# --- Pass lines and advancement ------------------------------------------------------------


def test_only_those_at_or_above_the_pass_line_advance():
    scores = {"zhang": Decimal("60.00"), "li": Decimal("59.99"), "wang": Decimal("75.5"), "zhao": None}
    assert advancing(scores=scores, pass_line=Decimal(60)) == ["wang", "zhang"]


def test_without_a_line_or_a_quota_everyone_scored_advances_best_first():
    scores = {"zhang": Decimal(50), "li": None, "wang": Decimal(70)}
    assert advancing(scores=scores) == ["wang", "zhang"]


def test_it_advances_three_per_place_by_score():
    scores = {f"c{n}": Decimal(90 - n) for n in range(10)}
    assert advancing(scores=scores, pass_line=Decimal(60), per_place=3, places=2) == [
        "c0",
        "c1",
        "c2",
        "c3",
        "c4",
        "c5",
    ]


def test_candidates_tied_at_the_cut_all_advance():
    scores = {"a": Decimal(90), "b": Decimal(85), "c": Decimal(80), "d": Decimal(80), "e": Decimal(79)}
    assert advancing(scores=scores, per_place=3, places=1) == ["a", "b", "c", "d"]


def test_the_pass_line_applies_before_the_quota():
    scores = {"a": Decimal(90), "b": Decimal(65), "c": Decimal(59), "d": Decimal(58)}
    assert advancing(scores=scores, pass_line=Decimal(60), per_place=3, places=1) == ["a", "b"]


def test_it_refuses_a_quota_of_zero():
    with pytest.raises(ScoringError):
        advancing(scores={"a": Decimal(90)}, per_place=0, places=1)


# --- Votes ---------------------------------------------------------------------------------


def test_approval_rate_leaves_out_abstentions_and_spoilt_ballots():
    result = vote_result(count=VoteCount(for_=6, against=2, abstain=3, spoilt=1, eligible=15))
    assert result.approval_rate == Decimal("0.75")
    assert result.turnout == Decimal("0.8")  # 12 of 15, abstentions and spoilt ballots were cast
    assert result.passed
    assert result.failures == ()


def test_exactly_half_in_favour_does_not_pass():
    result = vote_result(count=VoteCount(for_=5, against=5, abstain=0, spoilt=0, eligible=12))
    assert not result.passed
    assert result.failures == (VoteFailure.NOT_ENOUGH_APPROVAL,)


def test_a_turnout_of_exactly_two_thirds_is_enough():
    result = vote_result(count=VoteCount(for_=15, against=3, abstain=1, spoilt=1, eligible=30))
    assert result.passed


def test_a_turnout_below_two_thirds_fails_and_says_so():
    result = vote_result(count=VoteCount(for_=15, against=3, abstain=1, spoilt=0, eligible=30))
    assert not result.passed
    assert result.failures == (VoteFailure.LOW_TURNOUT,)


def test_it_lists_every_reason_a_vote_failed():
    result = vote_result(count=VoteCount(for_=3, against=7, abstain=0, spoilt=0, eligible=30))
    assert result.failures == (VoteFailure.LOW_TURNOUT, VoteFailure.NOT_ENOUGH_APPROVAL)


def test_a_vote_of_only_abstentions_has_no_approval_rate():
    result = vote_result(count=VoteCount(for_=0, against=0, abstain=9, spoilt=1, eligible=10))
    assert result.approval_rate is None
    assert result.failures == (VoteFailure.NO_DECISIVE_BALLOTS,)


def test_vote_thresholds_are_settings():
    count = VoteCount(for_=6, against=4, abstain=0, spoilt=0, eligible=20)  # 60 %, half turned out
    assert not vote_result(count=count).passed
    assert vote_result(count=count, turnout=Decimal("0.5")).passed
    assert not vote_result(count=count, turnout=Decimal("0.5"), pass_rate=Decimal("0.6")).passed


def test_a_count_with_more_ballots_than_voters_is_refused():
    with pytest.raises(ScoringError):
        VoteCount(for_=8, against=3, abstain=0, spoilt=0, eligible=10)
    with pytest.raises(ScoringError):
        VoteCount(for_=-1, against=3, abstain=0, spoilt=0, eligible=10)


def test_an_approval_rate_scores_rate_times_thirty_points():
    assert vote_score(rate=Decimal("0.75")) == Decimal("22.50")
    assert vote_score(rate=Decimal(5) / Decimal(7)) == Decimal("21.43")  # 21.428…
    assert vote_score(rate=Decimal(5) / Decimal(7), rounding="truncate") == Decimal("21.42")
    assert vote_score(rate=Decimal("0.8"), points=Decimal(100)) == Decimal("80.00")


def test_a_vote_score_refuses_a_rate_above_one():
    with pytest.raises(ScoringError):
        vote_score(rate=Decimal("1.2"))


# --- Composite -----------------------------------------------------------------------------


def test_composite_weighs_rounds_by_their_percentage():
    weights = {"written": Decimal(40), "interview": Decimal(60)}
    assert composite(round_scores={"written": Decimal(80), "interview": Decimal(90)}, weights=weights) == Decimal(
        "86.00"
    )


def test_composite_is_rounded_once_by_the_provinces_mode():
    weights = {"written": Decimal(50), "interview": Decimal(50)}
    scores = {"written": Decimal("85.55"), "interview": Decimal("90.10")}  # exactly 87.825
    assert composite(round_scores=scores, weights=weights) == Decimal("87.83")
    assert composite(round_scores=scores, weights=weights, rounding="truncate") == Decimal("87.82")
    assert composite(round_scores=scores, weights=weights, places=None) == Decimal("87.825")


def test_a_vote_enters_the_composite_as_a_score():
    weights = {"written": Decimal(70), "vote": Decimal(30)}
    scores = {"written": Decimal(80), "vote": vote_score(rate=Decimal("0.9"), points=Decimal(100))}
    assert composite(round_scores=scores, weights=weights) == Decimal("83.00")  # 56 + 27


def test_a_round_without_a_score_adds_nothing_to_the_composite():
    weights = {"written": Decimal(50), "interview": Decimal(50)}
    assert composite(round_scores={"written": Decimal(80), "interview": None}, weights=weights) == Decimal("40.00")


def test_composite_refuses_weights_that_do_not_sum_to_100():
    with pytest.raises(ScoringError, match="90"):
        composite(round_scores={"written": Decimal(80)}, weights={"written": Decimal(40), "interview": Decimal(50)})


def test_composite_refuses_a_negative_weight():
    with pytest.raises(ScoringError):
        composite(round_scores={"written": Decimal(80)}, weights={"written": Decimal(110), "interview": Decimal(-10)})


def test_composite_refuses_a_score_for_a_round_without_a_weight():
    with pytest.raises(ScoringError, match="vote"):
        composite(round_scores={"written": Decimal(80), "vote": Decimal(20)}, weights={"written": Decimal(100)})


# --- Ranking -------------------------------------------------------------------------------


def entry(candidate, total, post="clerk", **round_scores):
    return RankEntry(candidate=candidate, composite=total, round_scores=round_scores, post=post)


def order(ranked):
    return [place.candidate for place in ranked]


def test_it_ranks_by_composite_higher_first():
    ranked = rank(entries=[entry("li", Decimal("81.5")), entry("zhang", Decimal("88.25")), entry("wang", Decimal(79))])
    assert order(ranked) == ["zhang", "li", "wang"]
    assert [place.rank for place in ranked] == [1, 2, 3]
    assert all(place.lot == () for place in ranked)


def test_a_tie_on_composite_goes_to_the_higher_interview_score_then_written():
    ranked = rank(
        entries=[
            entry("li", Decimal(85), interview=Decimal(84), written=Decimal(86)),
            entry("zhang", Decimal(85), interview=Decimal(88), written=Decimal(82)),
            entry("wang", Decimal(85), interview=Decimal(84), written=Decimal(87)),
        ]
    )
    assert order(ranked) == ["zhang", "wang", "li"]
    assert [place.rank for place in ranked] == [1, 2, 3]


def test_tie_break_keys_are_a_setting():
    entries = [
        entry("li", Decimal(85), interview=Decimal(84), written=Decimal(86)),
        entry("zhang", Decimal(85), interview=Decimal(88), written=Decimal(82)),
    ]
    assert order(rank(entries=entries, tie_break=["written"])) == ["li", "zhang"]


def test_a_missing_tie_break_score_ranks_lower():
    ranked = rank(
        entries=[
            entry("li", Decimal(85), interview=None, written=Decimal(99)),
            entry("zhang", Decimal(85), interview=Decimal(1)),
        ]
    )
    assert order(ranked) == ["zhang", "li"]


def test_a_candidate_without_a_composite_ranks_last():
    ranked = rank(entries=[entry("li", None), entry("zhang", Decimal(0))])
    assert order(ranked) == ["zhang", "li"]


def test_candidates_tied_on_every_key_are_ordered_by_lot_and_the_group_is_reported():
    drawn_groups = []

    def lot(group):
        drawn_groups.append(list(group))
        return list(reversed(group))

    ranked = rank(
        entries=[
            entry("zhao", Decimal(90)),
            entry("li", Decimal(85), interview=Decimal(84), written=Decimal(86)),
            entry("zhang", Decimal(85), interview=Decimal(84), written=Decimal(86)),
            entry("wang", Decimal(85), interview=Decimal(84), written=Decimal(86)),
            entry("sun", Decimal(70)),
        ],
        lot=lot,
    )
    assert drawn_groups == [["li", "zhang", "wang"]]
    assert order(ranked) == ["zhao", "wang", "zhang", "li", "sun"]
    assert [place.rank for place in ranked] == [1, 2, 3, 4, 5]  # nobody shares a rank
    assert [place.lot for place in ranked] == [(), *[("wang", "zhang", "li")] * 3, ()]
    assert lots_drawn(ranked) == [("wang", "zhang", "li")]


def test_the_default_lot_draws_an_order_of_the_tied_group():
    entries = [entry(name, Decimal(80)) for name in ["a", "b", "c", "d"]]
    ranked = rank(entries=entries)
    assert sorted(order(ranked)) == ["a", "b", "c", "d"]
    assert [place.rank for place in ranked] == [1, 2, 3, 4]
    assert ranked[0].lot == tuple(order(ranked))


def test_a_lot_that_does_not_return_the_tied_group_is_refused():
    with pytest.raises(ScoringError):
        rank(entries=[entry("a", Decimal(80)), entry("b", Decimal(80))], lot=lambda group: ["a", "a"])


def test_a_candidate_entered_twice_is_refused():
    with pytest.raises(ScoringError, match="li"):
        rank(entries=[entry("li", Decimal(80)), entry("li", Decimal(70))])


def test_each_post_is_ranked_separately():
    ranked = rank_per_post(
        entries=[
            entry("li", Decimal(80), post="clerk"),
            entry("zhang", Decimal(90), post="engineer"),
            entry("wang", Decimal(85), post="clerk"),
            entry("zhao", Decimal(70), post="engineer"),
        ]
    )
    assert list(ranked) == ["clerk", "engineer"]
    assert order(ranked["clerk"]) == ["wang", "li"]
    assert order(ranked["engineer"]) == ["zhang", "zhao"]
    assert [place.rank for place in ranked["engineer"]] == [1, 2]

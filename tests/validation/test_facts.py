"""Each stylized-fact measure on hand-made runs, and the ensemble check around them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from pathlib import Path

import numpy as np
import pytest

from tumen.validation import facts
from tumen.validation.facts import FACTS, Inputs, NotMeasured, check, check_all

from .conftest import in_years, make_results, per_year, perfect_run

NONE = Inputs()


def test_women_among_arrivals_2018() -> None:
    run = make_results("2017-01-01", "2018-12-31", daily={
        "arrivals_sk": per_year({2017: 10, 2018: 1000}),
        "arrivals_sk_women": per_year({2017: 10, 2018: 850})})
    assert facts.women_among_arrivals_2018(run, NONE) == pytest.approx(0.85)
    nobody = make_results("2018-01-01", "2018-12-31")
    assert math.isnan(facts.women_among_arrivals_2018(nobody, NONE))
    with pytest.raises(NotMeasured, match="2018-12-31"):
        facts.women_among_arrivals_2018(make_results("2017-01-01", "2018-06-30"), NONE)


def test_women_among_departures_is_never_measured() -> None:
    with pytest.raises(NotMeasured, match=r"women_share \(here 70%\)"):
        facts.women_among_departures(perfect_run(), Inputs(women_share=0.7))


def test_raids_and_raid_arrests_per_month_2019() -> None:
    run = make_results("2019-01-01", "2019-12-31", daily={
        "safe_house_raids": per_year({2019: 48}),
        "hideout_raids": per_year({2019: 24}),
        "raid_arrests": per_year({2019: 300}),
        "arrests_china": per_year({2019: 99_999})})  # not what is measured
    assert facts.raids_per_month_2019(run, NONE) == pytest.approx(6.0)
    assert facts.raid_arrests_per_month_2019(run, NONE) == pytest.approx(25.0)
    with pytest.raises(NotMeasured):
        facts.raids_per_month_2019(make_results("2017-01-01", "2018-12-31"), NONE)


def test_thai_detentions_and_waiting() -> None:
    run = make_results("2004-01-01", "2007-12-31", daily={
        "detained_thailand": per_year({2004: 1, 2005: 80, 2006: 450, 2007: 9}),
        "thai_backlog": in_years({2005: 1000, 2006: 175, 2007: 5000})})
    assert facts.thai_detentions_2005(run, NONE) == 80
    assert facts.thai_detentions_2006(run, NONE) == 450
    assert facts.thai_waiting_2006(run, NONE) == pytest.approx(175)
    half = make_results("2006-01-01", "2006-12-31", daily={
        "thai_backlog": lambda d: np.where(d.month <= 6, 100.0, 300.0)})
    days_to_june = 31 + 28 + 31 + 30 + 31 + 30
    assert facts.thai_waiting_2006(half, NONE) == pytest.approx(
        (100 * days_to_june + 300 * (365 - days_to_june)) / 365)


def test_hidden_in_china_over_2000_2006() -> None:
    values = {year: 10_000 * (year - 1999) for year in range(1998, 2010)}  # 10k in 2000
    run = make_results("1998-01-01", "2009-12-31", daily={"hidden_china": in_years(values)})
    days = {year: 366 if year % 4 == 0 else 365 for year in range(2000, 2007)}
    expected = sum(values[y] * n for y, n in days.items()) / sum(days.values())
    assert facts.hidden_in_china_2000_2006(run, NONE) == pytest.approx(expected)
    with pytest.raises(NotMeasured, match="2001-01-01"):  # starts after 2000
        facts.hidden_in_china_2000_2006(make_results("2001-01-01", "2009-12-31"), NONE)


def test_rescue_cost_per_person() -> None:
    run = make_results("2005-01-01", "2006-12-31",
                       daily={"rescue_intakes": per_year({2005: 10, 2006: 5})},
                       ledger={"rescue_costs": {2005: 30_000, 2006: 22_500}})
    assert facts.rescue_cost_per_person(run, NONE) == pytest.approx(3500)
    assert math.isnan(facts.rescue_cost_per_person(make_results("2005-01-01", "2005-12-31"),
                                                   NONE))


def test_broker_fee_per_client_2009() -> None:
    run = make_results("2008-01-01", "2009-12-31",
                       daily={"broker_intakes": per_year({2008: 1, 2009: 10})},
                       ledger={"broker_fees": {2008: 999_999, 2009: 40_000}})
    assert facts.broker_fee_per_client_2009(run, NONE) == pytest.approx(4000)
    with pytest.raises(NotMeasured):
        facts.broker_fee_per_client_2009(make_results("2008-01-01", "2008-12-31"), NONE)


def test_journey_days_median_of_the_yearly_medians() -> None:
    run = make_results("2005-01-01", "2008-12-31",
                       journey={2005: 100, 2006: 300, 2008: 200})  # 2007: nobody arrived
    assert facts.journey_days(run, NONE) == 200
    assert math.isnan(facts.journey_days(make_results("2005-01-01", "2005-12-31"), NONE))


def test_remittances_2018() -> None:
    run = make_results("2017-01-01", "2018-12-31",
                       ledger={"remittances": {2017: 1.0, 2018: 1.75e7}})
    assert facts.remittances_2018(run, NONE) == pytest.approx(1.75e7)


def test_cumulative_arrivals_count_those_before_the_run_and_stop_at_the_date() -> None:
    run = make_results("2005-01-01", "2019-12-31", daily={"arrivals_sk": 5})
    inputs = Inputs(resettled_before=876)
    # 1 Jan 2005 to 30 Jun 2006: 365 + 181 days of 5 arrivals.
    assert facts.cumulative_arrivals_mid_2006(run, inputs) == 876 + 5 * 546
    assert facts.cumulative_arrivals_2009(run, inputs) == 876 + 5 * (365 + 365 + 366 + 365)
    days = (dt.date(2019, 6, 1) - dt.date(2005, 1, 1)).days
    assert facts.cumulative_arrivals_mid_2019(run, inputs) == 876 + 5 * days
    # The day before is enough; a day short is not; starting after the date is not either.
    assert facts.cumulative_arrivals_mid_2006(make_results("2005-01-01", "2006-06-30"), inputs)
    with pytest.raises(NotMeasured):
        facts.cumulative_arrivals_mid_2006(make_results("2005-01-01", "2006-06-29"), inputs)
    with pytest.raises(NotMeasured, match="2006-07-01"):
        facts.cumulative_arrivals_mid_2006(make_results("2006-07-01", "2007-12-31"), inputs)


def test_arrivals_fall_after_2011_and_2017_the_lowest() -> None:
    arrivals = {year: 1500 for year in range(2002, 2018)} | {2009: 2000, 2010: 2000, 2011: 2000}
    arrivals |= {year: 1000 for year in range(2012, 2018)} | {2017: 1100, 2004: 1200}
    run = make_results("2002-01-01", "2017-12-31", daily={"arrivals_sk": per_year(arrivals)})
    assert facts.arrivals_fall_after_2011(run, NONE) == pytest.approx(
        (1000 * 5 + 1100) / 6 / 2000)
    # The lowest of 2002-2016 is 1,000 (2012-2016): 2017 is above it.
    assert facts.arrivals_2017_against_2002_2016(run, NONE) == pytest.approx(1.1)
    with pytest.raises(NotMeasured):
        facts.arrivals_fall_after_2011(make_results("2002-01-01", "2015-12-31"), NONE)


def test_the_table() -> None:
    names = [fact.name for fact in FACTS]
    assert len(names) == len(set(names))
    for fact in FACTS:
        assert fact.observed and fact.source and fact.tolerance and fact.measured
        assert fact.low is not None or fact.high is not None
        if fact.low is not None and fact.high is not None:
            assert fact.low < fact.high


def test_perfect_runs_pass_every_measured_fact() -> None:
    results = check_all([perfect_run(1), perfect_run(2)], Inputs(876, 0.7))
    assert [r.fact.name for r in results] == [fact.name for fact in FACTS]
    by_name = {r.fact.name: r for r in results}
    assert by_name["women_among_departures"].passed is None
    assert all(r.passed for name, r in by_name.items() if name != "women_among_departures")


def _fact(values: dict[int, float], low: float | None = 1.0, high: float | None = 3.0):
    """A fact whose measure of run `seed` is values[seed]."""
    return dataclasses.replace(FACTS[0], measure=lambda run, inputs: values[run.seed],
                               low=low, high=high)


def test_check_mean_interval_and_pass_mark() -> None:
    runs = [make_results("2000-01-01", "2000-01-02", seed=seed) for seed in (1, 2, 3)]
    result = check(_fact({1: 1.0, 2: 2.0, 3: 6.0}), runs, NONE)
    assert result.simulated_mean == pytest.approx(3.0)
    assert result.interval_90 == pytest.approx((1.1, 5.6))
    assert result.passed is True  # the bound is inclusive
    assert check(_fact({1: 1.0, 2: 2.0, 3: 6.1}), runs, NONE).passed is False
    assert check(_fact({1: 0.0, 2: 0.0, 3: 0.0}), runs, NONE).passed is False
    assert check(_fact({1: 9.0, 2: 9.0, 3: 9.0}, high=None), runs, NONE).passed is True
    assert check(_fact({1: -9.0, 2: 0.0, 3: 0.0}, low=None), runs, NONE).passed is True


def test_check_leaves_out_runs_with_nothing_to_measure() -> None:
    runs = [make_results("2000-01-01", "2000-01-02", seed=seed) for seed in (1, 2, 3)]
    result = check(_fact({1: math.nan, 2: 2.0, 3: 4.0}), runs, NONE)
    assert result.simulated_mean == 3.0 and result.to_dict()["runs_measured"] == 2
    none = check(_fact(dict.fromkeys((1, 2, 3), math.nan)), runs, NONE)
    assert none.passed is None and none.simulated_mean is None and "zero" in none.reason


def test_facts_past_the_end_of_the_run_are_not_measured() -> None:
    runs = [perfect_run(1), perfect_run(2)]
    cut = [dataclasses.replace(run, daily=run.daily[run.daily["date"] <= "2015-12-31"],
                               annual=run.annual[run.annual["year"] <= 2015]) for run in runs]
    results = {r.fact.name: r for r in check_all(cut, Inputs(876, 0.7))}
    for name in ("women_among_arrivals_2018", "raids_per_month_2019", "remittances_2018",
                 "cumulative_arrivals_2019", "arrivals_fall_after_2011",
                 "arrivals_2017_lowest_since_2001"):
        assert results[name].passed is None, name
        assert "2015-12-31" in results[name].reason
        assert results[name].to_dict()["simulated_mean"] is None
    for name in ("thai_detentions_2006", "cumulative_arrivals_2009", "broker_fee_per_client_2009"):
        assert results[name].passed is True, name


def test_every_check_is_documented() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "validation.md").read_text()
    assert "## The fit" in doc
    checks = doc.split("## The checks and their tolerances")[1].split("\n## ")[0]
    table = {line.split("|")[1].strip().strip("`") for line in checks.splitlines()
             if line.startswith("| `")}
    assert table == {fact.name for fact in FACTS}

"""The results table of the session-5 reports (dlgd_course.reporting): means, spreads and ratios
computed by hand, the Markdown form, the bar chart, and the errors on bad records."""

from __future__ import annotations

import math

import matplotlib
import pytest

from dlgd_course.reporting import format_results, plot_results, results_table

matplotlib.use("Agg")

RECORDS = [
    {"method": "persistence", "seed": 0, "RMSE": 2.0, "IoU": 0.5},
    {"method": "persistence", "seed": 1, "RMSE": 4.0, "IoU": 0.5},
    {"method": "group's method", "seed": 0, "RMSE": 1.0, "IoU": 0.6},
    {"method": "group's method", "seed": 1, "RMSE": 2.0, "IoU": 0.8},
]


def test_means_spreads_and_ratios_by_hand() -> None:
    table = results_table(RECORDS, baseline="persistence")
    assert list(table.index) == ["persistence", "group's method"], "order of first appearance"
    ours = table.loc["group's method"]
    assert ours[("RMSE", "mean")] == pytest.approx(1.5)
    assert ours[("RMSE", "std")] == pytest.approx(0.5)  # population std of (1, 2)
    assert ours[("RMSE", "ratio")] == pytest.approx(1.5 / 3.0)
    assert ours[("IoU", "ratio")] == pytest.approx(0.7 / 0.5)
    assert table.loc["persistence", ("RMSE", "ratio")] == pytest.approx(1.0)
    assert int(ours[("seeds", "n")]) == 2


def test_markdown_form() -> None:
    text = format_results(results_table(RECORDS, baseline="persistence"))
    lines = text.splitlines()
    assert lines[0] == "| method | RMSE (× persistence) | IoU (× persistence) | seeds |"
    assert lines[3] == "| group's method | 1.5 ± 0.5 (0.5×) | 0.7 ± 0.1 (1.4×) | 2 |"


def test_ratio_against_a_zero_baseline_is_not_a_number() -> None:
    records = [{"method": "zero", "seed": 0, "bias": 0.0}, {"method": "other", "seed": 0, "bias": 1.0}]
    table = results_table(records, baseline="zero")
    assert math.isnan(table.loc["other", ("bias", "ratio")])
    assert "(n/a)" in format_results(table)


def test_bar_chart_has_one_bar_per_method_and_metric() -> None:
    ax = plot_results(results_table(RECORDS, baseline="persistence"), metrics=["RMSE"])
    assert len(ax.patches) == 2 and [t.get_text() for t in ax.get_xticklabels()] == ["RMSE"]
    with pytest.raises(ValueError, match="unknown metrics"):
        plot_results(results_table(RECORDS, baseline="persistence"), metrics=["MAE"])


@pytest.mark.parametrize(
    ("records", "baseline", "message"),
    [
        ([], "a", "no records"),
        ([{"method": "a", "RMSE": 1.0}], "a", "lacks \\['seed'\\]"),
        ([{"method": "a", "seed": 0}], "a", "no metric"),
        ([{"method": "a", "seed": 0, "RMSE": 1.0}, {"method": "b", "seed": 0}], "a", "lacks metrics"),
        ([{"method": "a", "seed": 0, "RMSE": float("nan")}], "a", "diverged run"),
        ([{"method": "a", "seed": 0, "RMSE": "1.0"}], "a", "is not a number"),
        (
            [{"method": "a", "seed": 0, "RMSE": 1.0}, {"method": "a", "seed": 0, "RMSE": 2.0}],
            "a",
            "given twice",
        ),
        ([{"method": "a", "seed": 0, "RMSE": 1.0}], "b", "baseline 'b' is not one of"),
    ],
)
def test_bad_records_are_named(records: list, baseline: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        results_table(records, baseline=baseline)

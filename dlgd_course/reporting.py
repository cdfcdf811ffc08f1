"""The results table of a group's session-5 report (the ``3T-<theme>-report`` notebooks).

A report compares the group's method with the theme's baselines on held-out data, over
several seeds, and says how far apart they are. The notebook collects one record per method
and seed,

    records = [{"method": "persistence", "seed": 0, "RMSE": 2.1}, ...]

and :func:`results_table` turns them into one row per method: for each metric the mean and
the standard deviation over the seeds, the number of seeds, and the ratio of the mean to the
baseline's mean. :func:`format_results` prints it as ``mean ± std (ratio×)``, the form the
course's closing notes and project pages use; :func:`plot_results` draws it as bars with the
seed spread as error bars.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

__all__ = ["format_results", "plot_results", "results_table"]

_KEYS = ("method", "seed")


def _metrics_of(records: list[Mapping[str, object]]) -> list[str]:
    metrics: list[str] = []
    for index, record in enumerate(records):
        missing = [key for key in _KEYS if key not in record]
        if missing:
            raise ValueError(f"results_table: record {index} lacks {missing}: {dict(record)}")
        for name in record:
            if name not in _KEYS and name not in metrics:
                metrics.append(name)
    if not metrics:
        raise ValueError("results_table: the records hold no metric (keys other than 'method' and 'seed')")
    for index, record in enumerate(records):
        absent = [name for name in metrics if name not in record]
        if absent:
            raise ValueError(f"results_table: record {index} ({record['method']!r}) lacks metrics {absent}")
        for name in metrics:
            value = record[name]
            if isinstance(value, bool) or not isinstance(value, int | float | np.floating | np.integer):
                raise ValueError(
                    f"results_table: {name} of {record['method']!r}, seed {record['seed']}, is not a "
                    f"number: {value!r}"
                )
            if not math.isfinite(float(value)):
                raise ValueError(
                    f"results_table: {name} of {record['method']!r}, seed {record['seed']}, is {value}: "
                    "a diverged run belongs in the report's 'what did not work', not in the table"
                )
    return metrics


def results_table(records: Iterable[Mapping[str, object]], baseline: str) -> pd.DataFrame:
    """One row per method (in order of first appearance) from one record per method and seed.

    Args:
        records: mappings with ``method`` (str), ``seed`` (int) and one finite number per
            metric, the same metrics in every record; one record per (method, seed).
        baseline: the method the ratios are taken against (one of the methods).

    Returns:
        A DataFrame indexed by method with, per metric ``m``, the columns ``(m, "mean")``,
        ``(m, "std")`` (over seeds, ``ddof=0``; 0 with one seed) and ``(m, "ratio")`` (the
        mean divided by the baseline's mean), and ``("seeds", "n")``.

    Raises:
        ValueError: no records, a record without method, seed or a metric, a value that is not
            a finite number, a (method, seed) given twice, or an unknown baseline.
    """
    records = list(records)
    if not records:
        raise ValueError("results_table: no records")
    metrics = _metrics_of(records)
    frame = pd.DataFrame([{key: record[key] for key in (*_KEYS, *metrics)} for record in records])
    repeated = frame[frame.duplicated(list(_KEYS))]
    if len(repeated):
        first = repeated.iloc[0]
        raise ValueError(f"results_table: method {first['method']!r}, seed {first['seed']} is given twice")
    methods = list(dict.fromkeys(frame["method"]))
    if baseline not in methods:
        raise ValueError(f"results_table: baseline {baseline!r} is not one of the methods {methods}")
    grouped = frame.groupby("method", sort=False)[metrics]
    mean, std = grouped.mean().loc[methods], grouped.std(ddof=0).loc[methods]
    columns: dict[tuple[str, str], pd.Series] = {}
    for name in metrics:
        columns[(name, "mean")] = mean[name]
        columns[(name, "std")] = std[name]
        reference = mean.loc[baseline, name]
        columns[(name, "ratio")] = mean[name] / reference if reference != 0 else mean[name] * np.nan
    columns[("seeds", "n")] = frame.groupby("method", sort=False).size().loc[methods]
    table = pd.DataFrame(columns)
    table.index.name = "method"
    table.attrs["baseline"] = baseline
    return table


def _metric_names(table: pd.DataFrame) -> list[str]:
    return [name for name in dict.fromkeys(table.columns.get_level_values(0)) if name != "seeds"]


def format_results(table: pd.DataFrame, digits: int = 3) -> str:
    """The table of :func:`results_table` as Markdown: ``mean ± std (ratio×)`` per metric, with
    ``digits`` significant digits, and the number of seeds."""
    metrics = _metric_names(table)
    baseline = table.attrs.get("baseline", "?")
    header = ["method", *(f"{m} (× {baseline})" for m in metrics), "seeds"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for method, row in table.iterrows():
        cells = [str(method)]
        for name in metrics:
            ratio = row[(name, "ratio")]
            shown = "n/a" if pd.isna(ratio) else f"{ratio:.2g}×"
            cells.append(f"{row[(name, 'mean')]:.{digits}g} ± {row[(name, 'std')]:.2g} ({shown})")
        cells.append(str(int(row[("seeds", "n")])))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def plot_results(table: pd.DataFrame, metrics: Sequence[str] | None = None, ax: Axes | None = None) -> Axes:
    """Bars of each method's mean per metric (grouped by metric) with the seed spread (±1 std)
    as error bars; ``metrics`` default to all of the table's. Returns the axes."""
    known = _metric_names(table)
    metrics = list(metrics or known)
    unknown = [m for m in metrics if m not in known]
    if unknown:
        raise ValueError(f"plot_results: unknown metrics {unknown}; the table has {known}")
    if ax is None:
        _, ax = plt.subplots(figsize=(1.8 + 1.6 * len(metrics), 3.2))
    width = 0.8 / len(table)
    positions = np.arange(len(metrics))
    for index, (method, row) in enumerate(table.iterrows()):
        ax.bar(
            positions + (index - (len(table) - 1) / 2) * width,
            [row[(m, "mean")] for m in metrics],
            width,
            yerr=[row[(m, "std")] for m in metrics],
            capsize=3,
            label=str(method),
        )
    ax.set_xticks(positions, metrics)
    ax.legend(fontsize="small")
    return ax

"""Grading reports for instructors: a CSV per student per graded cell and an HTML page.

Both are built from the markers the grader writes beside each autograded submission
(:data:`autograder.submissions.MARKER`), so they cover every graded submission of the
assignment, whichever run graded it. The HTML page shows the submissions not graded
normally first (a notebook missing, unreadable or not this assignment's: scored 0 without
being run), then those that need review (they changed how cells run: the grader's check
failed, see :mod:`autograder.kernel_guard`; every test cell from there on scored 0), then the
score distribution of every question (histograms), the submissions with problems and their
reasons, and timings (execution in the sandbox, and the overhead of grading beyond it).
The CSV's ``not_graded_normally`` and ``needs_review`` columns hold the reasons (empty:
graded normally, nothing suspect).

Written answers are graded by hand in the formgrader, after the grader ran: the scores come
from the gradebook as it is when the report is written (nbgrader's rule: the manual score when
given, else the autograder's), and the page and ``dlgd-grade`` say how many written answers
still await manual grading (CSV column ``awaiting_manual_grade``).
"""

from __future__ import annotations

import csv
import html
import io
import statistics
from pathlib import Path
from typing import NamedTuple

from traitlets.config import Config

from autograder.submissions import MARKER, GradingRecord

CSV_COLUMNS = (
    "student_id",
    "assignment_id",
    "notebook_id",
    "grade_id",
    "score",
    "max_score",
    "execution_seconds",
    "not_graded_normally",
    "needs_review",
    "problems",
    "awaiting_manual_grade",
)


def load_records(
    config: Config, assignment_id: str, unreadable: list[str] | None = None
) -> list[GradingRecord]:
    """Every grading marker of ``assignment_id`` under ``autograded/``, sorted by student, with
    the gradebook's current scores (:func:`current_grades`: manual grades given since).

    An unreadable marker raises ``ValueError``, or, with ``unreadable`` given, is appended to
    it (``student: why``) and left out.
    """
    root = Path(str(config.CourseDirectory.autograded_directory))
    if not root.is_absolute():
        root = Path(config.CourseDirectory.root) / root
    records = []
    for path in sorted(root.glob(f"*/{assignment_id}/{MARKER}")):
        try:
            records.append(GradingRecord.from_json(path.read_text()))
        except (OSError, ValueError, TypeError) as error:
            if unreadable is None:
                raise ValueError(f"unreadable grading marker {path}: {error}") from None
            unreadable.append(
                f"{path.parent.parent.name}: unreadable grading marker {path} "
                f"({type(error).__name__}: {error}); regrade with --force --students"
            )
    return current_grades(config, records)


def current_grades(config: Config, records: list[GradingRecord]) -> list[GradingRecord]:
    """``records`` with each cell's score and flags as the gradebook holds them now.

    A marker holds the scores of its grading; an instructor grades the written answers later,
    in the formgrader, and may override an autograded score there. nbgrader's rule gives each
    cell its manual score when there is one, else the autograder's
    (:func:`autograder.grading.submission_scores`). A notebook the gradebook does not know
    keeps the marker's scores.
    """
    from nbgrader.api import MissingEntry

    from autograder.grading import submission_scores
    from autograder.submissions import gradebook

    if not records:  # nothing to bring up to date: no gradebook needed
        return records
    with gradebook(config) as gb:  # type: ignore[attr-defined]
        for record in records:
            for notebook_id, cells in record.scores.items():
                try:
                    now = submission_scores(gb, record.assignment_id, notebook_id, record.student_id)
                except MissingEntry:
                    continue
                cells.update({grade_id: cell.entry() for grade_id, cell in now.cells.items()})
    return records


def write_csv(records: list[GradingRecord], path: Path) -> Path:
    """One row per student per graded cell."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(CSV_COLUMNS)
        for record in records:
            for notebook_id, cells in record.scores.items():
                for grade_id, cell in cells.items():
                    writer.writerow(
                        [
                            record.student_id,
                            record.assignment_id,
                            notebook_id,
                            grade_id,
                            f"{cell['score']:g}",
                            f"{cell['max_score']:g}",
                            f"{record.execution_seconds:.2f}",
                            " | ".join(record.not_graded_normally),
                            " | ".join(record.needs_review),
                            " | ".join(record.problems),
                            "yes" if cell.get("written") and cell.get("needs_manual_grade") else "",
                        ]
                    )
    return path


def _histogram_svg(scores: list[float], max_score: float, title: str) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(3.2, 1.9))
    bins = min(10, max(2, len(set(scores)) + 1))
    axes.hist(scores, bins=bins, range=(0, max_score or 1), color="#3b6ea8", edgecolor="white")
    axes.set_title(title, fontsize=9)
    axes.set_xlabel("points", fontsize=8)
    axes.set_ylabel("students", fontsize=8)
    axes.tick_params(labelsize=7)
    figure.tight_layout()
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg")
    plt.close(figure)
    svg = buffer.getvalue()
    return svg[svg.index("<svg") :]


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(cell)}</th>" for cell in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def write_html(
    records: list[GradingRecord], path: Path, assignment_id: str, unreadable: list[str] | None = None
) -> Path:
    """The instructor's page: submissions not graded normally or needing review, questions,
    problems, timings (``unreadable``: markers left out, shown first)."""
    questions: dict[tuple[str, str], list[float]] = {}
    maxima: dict[tuple[str, str], float] = {}
    for record in records:
        for notebook_id, cells in record.scores.items():
            for grade_id, cell in cells.items():
                questions.setdefault((notebook_id, grade_id), []).append(cell["score"])
                maxima[(notebook_id, grade_id)] = cell["max_score"]
    totals = [record.score for record in records]
    total_max = max((record.max_score for record in records), default=0.0)
    flagged = [r for r in records if r.needs_review]
    abnormal = [r for r in records if r.not_graded_normally]
    awaiting = sum(r.awaiting_manual_grade for r in records)
    parts = [
        f"<h1>Grading report: {html.escape(assignment_id)}</h1>",
        f"<p>{len(records)} submissions graded; total score mean "
        f"{statistics.fmean(totals) if totals else 0:.2f} / {total_max:g}, median "
        f"{statistics.median(totals) if totals else 0:.2f}; "
        f"<strong>{len(abnormal)} not graded normally</strong>; "
        f"<strong>{len(flagged)} need review</strong>; "
        f"<strong id='awaiting-manual-grade'>{awaiting} written answers await manual grading</strong> "
        "(the formgrader's <em>Manual Grading</em>; their points count once given).</p>",
    ]
    if unreadable:
        parts.append(
            "<h2>Unreadable grading markers</h2><ul>"
            + "".join(f"<li>{html.escape(line)}</li>" for line in unreadable)
            + "</ul>"
        )
    parts += [
        "<h2 id='not-graded-normally'>Not graded normally</h2>",
        "<p>The grader could not grade a notebook of these submissions: it is missing, "
        "unreadable, not this assignment's (another notebook handed in, or its nbgrader "
        "metadata replaced), or the grader failed on it. That notebook scored 0 without "
        "being run; the submitted files are untouched. Ask the student for the right "
        "file, or fix it in <code>submitted/</code> and regrade with "
        "<code>--force --students</code>.</p>",
    ]
    parts.append(
        _table(
            ["student", "score", "reasons"],
            [
                [r.student_id, f"{r.score:g} / {r.max_score:g}", "; ".join(r.not_graded_normally)]
                for r in abnormal
            ],
        )
        if abnormal
        else "<p>None.</p>"
    )
    parts += [
        "<h2 id='needs-review'>Needs review</h2>",
        "<p>These submissions changed how the notebook's cells run (input or AST "
        "transformers, event callbacks, exception handlers, replaced execution machinery, "
        "trace functions, the course library's lock, ...). The test cell where the grader's "
        "check failed and every test cell after it scored 0; read the notebook before "
        "confirming the grade.</p>",
    ]
    parts.append(
        _table(
            ["student", "score", "reasons"],
            [[r.student_id, f"{r.score:g} / {r.max_score:g}", "; ".join(r.needs_review)] for r in flagged],
        )
        if flagged
        else "<p>None.</p>"
    )
    if totals:
        parts.append(f"<figure>{_histogram_svg(totals, total_max, 'total')}</figure>")
    parts.append("<h2>Questions</h2>")
    rows, figures = [], []
    for (notebook_id, grade_id), scores in questions.items():
        top = maxima[(notebook_id, grade_id)]
        full = sum(score >= top for score in scores) / len(scores)
        rows.append([notebook_id, grade_id, f"{top:g}", f"{statistics.fmean(scores):.2f}", f"{full:.0%}"])
        figures.append(f"<figure>{_histogram_svg(scores, top, grade_id)}</figure>")
    parts.append(_table(["notebook", "question", "points", "mean", "full credit"], rows))
    parts.append(f"<div class='figures'>{''.join(figures)}</div>")
    parts.append("<h2>Submissions with problems</h2>")
    problems = [
        [
            r.student_id,
            f"{r.score:g} / {r.max_score:g}",
            "yes" if r.not_graded_normally else "",
            "yes" if r.needs_review else "",
            "; ".join(r.problems),
        ]
        for r in records
        if r.problems
    ]
    parts.append(
        _table(["student", "score", "not graded normally", "needs review", "reasons"], problems)
        if problems
        else "<p>None.</p>"
    )
    parts.append("<h2>Timings</h2>")
    if records:
        execution = [r.execution_seconds for r in records]
        overhead = [max(0.0, r.wall_seconds - r.execution_seconds) for r in records]
        parts.append(
            _table(
                ["", "mean (s)", "median (s)", "max (s)"],
                [
                    [
                        "execution in the sandbox",
                        f"{statistics.fmean(execution):.2f}",
                        f"{statistics.median(execution):.2f}",
                        f"{max(execution):.2f}",
                    ],
                    [
                        "sandbox overhead",
                        f"{statistics.fmean(overhead):.2f}",
                        f"{statistics.median(overhead):.2f}",
                        f"{max(overhead):.2f}",
                    ],
                ],
            )
        )
        parts.append(
            _table(
                ["student", "score", "execution (s)", "sandbox wall (s)"],
                [
                    [
                        r.student_id,
                        f"{r.score:g} / {r.max_score:g}",
                        f"{r.execution_seconds:.2f}",
                        f"{r.wall_seconds:.2f}",
                    ]
                    for r in records
                ],
            )
        )
    style = (
        "body{font-family:sans-serif;max-width:70em;margin:2em auto}table{border-collapse:collapse;"
        "margin:1em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}"
        "figure{display:inline-block;margin:.3em}"
    )
    page = (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Grading report: "
        f"{html.escape(assignment_id)}</title><style>{style}</style></head><body>"
        f"{''.join(parts)}</body></html>"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path


class Reports(NamedTuple):
    """What :func:`write_reports` wrote, and how many written answers await manual grading."""

    csv: Path
    html: Path
    awaiting_manual_grade: int


def write_reports(config: Config, assignment_id: str, folder: Path) -> Reports:
    """``<folder>/<assignment>-grades.csv`` and ``<folder>/<assignment>-report.html``."""
    unreadable: list[str] = []
    records = load_records(config, assignment_id, unreadable)
    return Reports(
        write_csv(records, folder / f"{assignment_id}-grades.csv"),
        write_html(records, folder / f"{assignment_id}-report.html", assignment_id, unreadable),
        sum(record.awaiting_manual_grade for record in records),
    )

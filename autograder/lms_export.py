"""Grades out of the gradebook, in the CSV layouts that Canvas and Moodle import.

    dlgd-grade --export canvas --output canvas.csv
    dlgd-grade --export moodle --output moodle.csv --assignments 00-pytorch-lightning,03-data-assimilation
    dlgd-grade --export csv                         # one row per student, for a spreadsheet

One row per student of the gradebook, one column per assignment (the score after nbgrader's late
penalty: the manual score of a cell when the instructor gave one, else its autograded score). A
student without a submission scores 0, as in ``nbgrader export``. The layouts:

- **canvas**: Canvas's gradebook CSV. The identity columns ``Student`` (``Last, First``),
  ``ID`` (nbgrader's ``lms_user_id`` when set), ``SIS User ID``, ``SIS Login ID`` (the
  nbgrader student id, which is the hub login) and ``Section``; a second row ``Points
  Possible``; one column per assignment named after it (Canvas creates the assignment on
  import when no column of that name exists); ``Final Points``, a read-only column that Canvas
  ignores on import. Canvas's CSV import has no place for comments: they are not written.
- **moodle**: the layout of Moodle's own grade export, which its CSV import maps by column
  name: ``First name``, ``Last name``, ``ID number``, ``Institution``, ``Department``,
  ``Email address``, then per assignment ``<assignment> (Real)`` and ``<assignment>
  (Feedback)`` (the instructor's manual-grading comments, one line per commented cell), then
  ``Course total (Real)``. In Moodle's import, map ``Email address`` (or ``ID number``) to the
  user and each column to its grade item or its feedback.
- **csv**: ``student_id``, ``first_name``, ``last_name``, ``email``, one column per assignment,
  ``total``, ``max_total``, and ``needs_manual_grade`` (the assignments still waiting for a
  written answer to be graded by hand).

Submissions with written answers not yet graded by hand count them as 0; the export names them
(:attr:`GradeTable.pending_manual`) so that the instructor grades them first.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from traitlets.config import Config

#: The layouts ``dlgd-grade --export`` writes.
LAYOUTS = ("canvas", "moodle", "csv")

CANVAS_IDENTITY = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
CANVAS_POINTS_ROW = "Points Possible"
CANVAS_TOTAL = "Final Points"
MOODLE_IDENTITY = ("First name", "Last name", "ID number", "Institution", "Department", "Email address")
MOODLE_TOTAL = "Course total (Real)"


@dataclass(frozen=True)
class StudentGrades:
    """One student's scores (points) and manual-grading comments, per assignment."""

    student_id: str
    first_name: str
    last_name: str
    email: str
    lms_user_id: str
    scores: dict[str, float]
    comments: dict[str, str]
    pending_manual: tuple[str, ...]


@dataclass(frozen=True)
class GradeTable:
    """The gradebook as one row per student and one column per assignment."""

    assignments: tuple[str, ...]
    max_scores: dict[str, float]
    students: tuple[StudentGrades, ...]
    pending_manual: tuple[str, ...] = field(default=())
    """``"<assignment>/<student>"`` of the submissions with written answers not graded by hand."""


def _comments(submission) -> str:
    """The instructor's comments of a submission, one line ``<notebook> <cell>: <comment>``."""
    lines = []
    for notebook in submission.notebooks:
        for comment in sorted(notebook.comments, key=lambda c: c.name):
            text = (comment.manual_comment or "").strip()
            if text:
                lines.append(f"{notebook.name} {comment.name}: {' '.join(text.split())}")
    return "\n".join(lines)


def read_grade_table(config: Config, assignments: Sequence[str] | None = None) -> GradeTable:
    """Read the course's gradebook (``config.CourseDirectory.db_url``) into a :class:`GradeTable`.

    ``assignments``: the assignment ids to export, in this order (default: every assignment of
    the gradebook, sorted). Raises ``ValueError`` naming an assignment the gradebook lacks.
    """
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(config.CourseDirectory.db_url, config.CourseDirectory.course_id) as gradebook:
        known = {assignment.name: assignment for assignment in gradebook.assignments}
        names = tuple(assignments) if assignments else tuple(sorted(known))
        unknown = [name for name in names if name not in known]
        if unknown:
            present = ", ".join(sorted(known)) or "none"
            raise ValueError(f"the gradebook has no assignment {', '.join(unknown)} (it has: {present})")
        max_scores = {name: float(known[name].max_score) for name in names}
        rows, pending = [], []
        for student in sorted(gradebook.students, key=lambda s: s.id):
            scores, comments, waiting = {}, {}, []
            for name in names:
                try:
                    submission = gradebook.find_submission(name, student.id)
                except MissingEntry:
                    scores[name], comments[name] = 0.0, ""
                    continue
                penalty = float(submission.late_submission_penalty or 0.0)
                scores[name] = max(0.0, float(submission.score) - penalty)
                comments[name] = _comments(submission)
                if submission.needs_manual_grade:
                    waiting.append(name)
                    pending.append(f"{name}/{student.id}")
            rows.append(
                StudentGrades(
                    student_id=student.id,
                    first_name=student.first_name or "",
                    last_name=student.last_name or "",
                    email=student.email or "",
                    lms_user_id=student.lms_user_id or "",
                    scores=scores,
                    comments=comments,
                    pending_manual=tuple(waiting),
                )
            )
    return GradeTable(names, max_scores, tuple(rows), tuple(pending))


def _points(value: float) -> str:
    """Points as LMSs read them: ``12``, ``12.5`` (no trailing zeros, no exponent)."""
    return f"{value:.4f}".rstrip("0").rstrip(".")


def table_rows(table: GradeTable, layout: str) -> list[list[str]]:
    """The CSV rows (header first) of ``table`` in ``layout`` (one of :data:`LAYOUTS`)."""
    if layout == "canvas":
        header = [*CANVAS_IDENTITY, *table.assignments, CANVAS_TOTAL]
        points = [CANVAS_POINTS_ROW, "", "", "", ""]
        points += [_points(table.max_scores[a]) for a in table.assignments]
        points.append(_points(sum(table.max_scores.values())))
        rows = [header, points]
        for s in table.students:
            name = ", ".join(part for part in (s.last_name, s.first_name) if part) or s.student_id
            rows.append(
                [name, s.lms_user_id, "", s.student_id, ""]
                + [_points(s.scores[a]) for a in table.assignments]
                + [_points(sum(s.scores.values()))]
            )
        return rows
    if layout == "moodle":
        header = list(MOODLE_IDENTITY)
        for assignment in table.assignments:
            header += [f"{assignment} (Real)", f"{assignment} (Feedback)"]
        rows = [[*header, MOODLE_TOTAL]]
        for s in table.students:
            row = [s.first_name, s.last_name, s.lms_user_id or s.student_id, "", "", s.email]
            for assignment in table.assignments:
                row += [_points(s.scores[assignment]), s.comments[assignment]]
            rows.append([*row, _points(sum(s.scores.values()))])
        return rows
    if layout == "csv":
        header = ["student_id", "first_name", "last_name", "email", *table.assignments]
        rows = [[*header, "total", "max_total", "needs_manual_grade"]]
        for s in table.students:
            rows.append(
                [s.student_id, s.first_name, s.last_name, s.email]
                + [_points(s.scores[a]) for a in table.assignments]
                + [
                    _points(sum(s.scores.values())),
                    _points(sum(table.max_scores.values())),
                    " ".join(s.pending_manual),
                ]
            )
        return rows
    raise ValueError(f"unknown export layout {layout!r}: choose one of {', '.join(LAYOUTS)}")


def export_grades(
    config: Config, layout: str, path: Path | str, assignments: Sequence[str] | None = None
) -> GradeTable:
    """Write the gradebook to ``path`` in ``layout`` (UTF-8, comma-separated, every field quoted
    when needed, ``\\r\\n`` line ends as both LMSs write them); returns the table written.

    The file is written to a temporary name first and renamed, so a failed export never leaves
    a half-written file in place of an earlier one.
    """
    if layout not in LAYOUTS:
        raise ValueError(f"unknown export layout {layout!r}: choose one of {', '.join(LAYOUTS)}")
    table = read_grade_table(config, assignments)
    path = Path(path)
    partial = path.with_name(f".{path.name}.partial")
    with open(partial, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(table_rows(table, layout))
    partial.replace(path)
    return table

"""Grades out: ``dlgd-grade --export canvas|moodle|csv`` on a gradebook with autograded cells,
a written answer graded by hand (score and comment), one waiting for its manual grade, and a
student who submitted nothing.

The headers checked are the ones the two systems write and read back:
- Canvas's gradebook CSV: ``Student, ID, SIS User ID, SIS Login ID, Section``, one column per
  assignment, a ``Points Possible`` row under the header; read-only total columns such as
  ``Final Points`` are ignored on import (Canvas's gradebook import/export guide);
- Moodle's grade export: profile columns ``First name, Last name, ID number, Institution,
  Department, Email address``, grade columns named ``<item> (Real)`` and feedback columns
  ``<item> (Feedback)`` (``format_column_name`` of Moodle's ``grade/export/lib.php`` with the
  language string ``gradeexportcolumntype = '{name} ({extra})'``), then ``Course total (Real)``.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from autograder import cli
from autograder.course import course_config
from autograder.lms_export import export_grades, read_grade_table, table_rows

ASSIGNMENTS = ("00-alpha", "01-beta")


@pytest.fixture
def course(tmp_path: Path):
    """A course whose gradebook holds two assignments and three students:
    ada (everything graded, a comment on her written answer), bob (written answer waiting for
    its manual grade) and cy (no submission)."""
    from nbgrader.api import Gradebook

    root = tmp_path / "course"
    (root / "solutions").mkdir(parents=True)
    (root / "nbgrader_config.py").write_text("c = get_config()  # noqa: F821\n")
    (tmp_path / "data").mkdir()
    config = course_config(root, tmp_path / "data")
    with Gradebook(config.CourseDirectory.db_url, config.CourseDirectory.course_id) as gb:
        for name, cells in (
            ("00-alpha", (("test_a", 3.0, "code"), ("written_b", 2.0, "markdown"))),
            ("01-beta", (("test_c", 5.0, "code"),)),
        ):
            gb.add_assignment(name)
            gb.add_notebook(name, name)
            for cell, points, kind in cells:
                gb.add_grade_cell(cell, name, name, max_score=points, cell_type=kind)
                if kind == "markdown":
                    gb.add_solution_cell(cell, name, name)
        gb.add_student(
            "ada", first_name="Ada", last_name="Lovelace", email="ada@example.org", lms_user_id="1001"
        )
        gb.add_student("bob")
        gb.add_student("cy", first_name="Cy", last_name="Young", email="cy@example.org")
        for student, scores in (
            ("ada", {"test_a": 3.0, "written_b": 1.5, "test_c": 4.0}),
            ("bob", {"test_a": 2.0, "written_b": None, "test_c": 5.0}),
        ):
            for assignment in ASSIGNMENTS:
                gb.add_submission(assignment, student)
            cells = (("00-alpha", "test_a"), ("00-alpha", "written_b"), ("01-beta", "test_c"))
            for assignment, cell in cells:
                grade = gb.find_grade(cell, assignment, assignment, student)
                if cell.startswith("written_"):
                    grade.auto_score = None
                    grade.manual_score = scores[cell]
                    grade.needs_manual_grade = scores[cell] is None
                else:
                    grade.auto_score = scores[cell]
                    grade.needs_manual_grade = False
        comment = gb.find_comment("written_b", "00-alpha", "00-alpha", "ada")
        comment.manual_comment = "Good reading of the table;\nthe failure case is missing."
        gb.db.commit()
    return config, root, tmp_path / "data"


def _read(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert b"\r\n" in raw, "both systems write CRLF line ends"
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_canvas_layout(course, tmp_path: Path) -> None:
    config, _, _ = course
    rows = _read(_export(config, "canvas", tmp_path))
    identity = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert rows[0] == [*identity, *ASSIGNMENTS, "Final Points"]
    assert rows[1] == ["Points Possible", "", "", "", "", "5", "5", "10"]
    by_login = {row[3]: row for row in rows[2:]}
    assert by_login["ada"] == ["Lovelace, Ada", "1001", "", "ada", "", "4.5", "4", "8.5"]
    assert by_login["bob"][0] == "bob" and by_login["bob"][5:] == ["2", "5", "7"]
    assert by_login["cy"][5:] == ["0", "0", "0"], "no submission scores 0, as nbgrader's export"
    assert not any("failure case" in field for row in rows for field in row), "Canvas has no comment column"


def test_moodle_layout_carries_the_manual_comments(course, tmp_path: Path) -> None:
    config, _, _ = course
    rows = _read(_export(config, "moodle", tmp_path))
    assert rows[0] == [
        "First name",
        "Last name",
        "ID number",
        "Institution",
        "Department",
        "Email address",
        "00-alpha (Real)",
        "00-alpha (Feedback)",
        "01-beta (Real)",
        "01-beta (Feedback)",
        "Course total (Real)",
    ]
    ada = next(row for row in rows[1:] if row[5] == "ada@example.org")
    assert ada[:3] == ["Ada", "Lovelace", "1001"]
    assert ada[6] == "4.5" and ada[8] == "4" and ada[10] == "8.5"
    assert ada[7] == "00-alpha written_b: Good reading of the table; the failure case is missing."
    assert ada[9] == ""
    bob = next(row for row in rows[1:] if row[2] == "bob")
    assert bob[6] == "2" and bob[7] == ""


def test_plain_layout_names_the_answers_left_to_grade(course, tmp_path: Path) -> None:
    config, _, _ = course
    rows = _read(_export(config, "csv", tmp_path))
    assert rows[0] == [
        "student_id",
        "first_name",
        "last_name",
        "email",
        *ASSIGNMENTS,
        "total",
        "max_total",
        "needs_manual_grade",
    ]
    table = {row[0]: row for row in rows[1:]}
    assert table["ada"][4:] == ["4.5", "4", "8.5", "10", ""]
    assert table["bob"][4:] == ["2", "5", "7", "10", "00-alpha"]
    assert read_grade_table(config).pending_manual == ("00-alpha/bob",)


def test_one_assignment_and_bad_input(course, tmp_path: Path) -> None:
    config, _, _ = course
    table = read_grade_table(config, ["01-beta"])
    assert table_rows(table, "canvas")[0][5:] == ["01-beta", "Final Points"]
    with pytest.raises(ValueError, match="no assignment 02-gamma"):
        read_grade_table(config, ["02-gamma"])
    with pytest.raises(ValueError, match="unknown export layout 'blackboard'"):
        export_grades(config, "blackboard", tmp_path / "x.csv")
    assert not (tmp_path / "x.csv").exists()


def test_command_line(course, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, root, data = course
    common = ["--course-root", str(root), "--course-data", str(data)]
    output = tmp_path / "moodle.csv"
    assert cli.main(["--export", "moodle", "--output", str(output), *common]) == 0
    captured = capsys.readouterr()
    assert f"{output}: 3 students, 2 assignments (moodle layout)" in captured.out
    assert "1 submissions have written answers not graded by hand yet" in captured.err
    assert "00-alpha/bob" in captured.err
    assert _read(output)[0][0] == "First name"
    assert cli.main(["--export", "csv", "--assignments", "02-gamma", *common]) == 2
    assert "no assignment 02-gamma" in capsys.readouterr().err
    assert cli.main([*common]) == 2
    assert "name the assignment to grade" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["--export", "blackboard", *common])


def _export(config, layout: str, tmp_path: Path) -> Path:
    path = tmp_path / f"{layout}.csv"
    export_grades(config, layout, path)
    return path

"""The session-5 reports (``solutions/3T-<theme>-report``, issue 18): notebooks graded by hand
only, which a group fills with its method, its results table and its written sections, and which
the instructor re-runs from a clean copy of the course.

1. each report follows the course's conventions for a notebook graded by hand: only written
   answers are graded (each with its model answer and rubric in the instructor's source), the
   first cell states the total, the set-up cell is there, the group's method has one place
   (``group_method``) and the table comes from :mod:`dlgd_course.reporting`;
2. the released report, untouched, runs end to end under ``dlgd check`` (one execution per
   report): the results table holds every baseline and the group's method over the seeds, the
   report shows at least two figures, and every written section is reported as still to write;
   the forecasting report runs the same way with each of its other cases (its ``CASE`` line
   edited, as a group does), and an unknown case is refused with the names of the known ones;
3. ``dlgd check`` on a tiny report (no torch: seconds) names the cell that stops a broken report
   and exits 1, and counts the sections a group has written;
4. it runs a report with what the group hands in only (a clean checkout): a module of the
   group's that git does not track stops the run and is named, and outside git the files
   nbgrader would not collect are left out.

The leak check of the model answers and rubrics (they never reach ``exercises/``, the built book
or feedback) is ``test_pipeline_assignments.test_no_solution_or_hidden_test_in_student_files``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
from pipeline_helpers import REPORTS, release_notebook, source_notebook

from autograder.grading import check_source_notebook, graded_cells
from autograder.mutants import insert_written_answer
from dlgd_course.cli import main as dlgd_main
from dlgd_course.forecasting.report_cases import FORECAST_CASES, forecast_case
from dlgd_course.selfcheck import UNWRITTEN, check_report, is_report

REQUIRED_SECTIONS = ("written_problem", "written_results", "written_what_did_not_work")
SEEDS = 3


def test_every_theme_has_a_report() -> None:
    """One report per project theme (01–06), numbered 31–36."""
    assert [name[:2] for name in REPORTS] == [f"3{theme}" for theme in range(1, 7)], REPORTS


@pytest.mark.parametrize("report", REPORTS)
def test_report_conventions(report: str) -> None:
    source = source_notebook(report)
    check_source_notebook(source)
    assert [p.name for p in source.parent.iterdir()] == [source.name], "the folder is released: notebook only"
    nb = nbformat.read(source, as_version=4)
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"
    ids = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}
    assert "setup_notebook(seed=" in ids["setup"].source, "the set-up cell calls setup_notebook(seed=...)"
    written = graded_cells(source, written=True)
    assert set(REQUIRED_SECTIONS) <= set(written), f"written sections {sorted(written)}"
    assert not graded_cells(source, written=False), "a report has no autograded cell"
    total = sum(written.values())
    assert re.search(rf"total[^0-9]{{0,8}}{total:g} points", nb.cells[0].source.lower()), (
        f"the first cell should state the total ({total:g} points)"
    )
    for grade_id in written:
        text = ids[grade_id].source
        assert "**Model answer.**" in text and "**Rubric (" in text, f"{grade_id}: model answer and rubric"
        points = len(re.findall(r"^- 1 point:", text, flags=re.MULTILINE))
        assert points == written[grade_id], f"{grade_id}: one rubric line per point ({points} lines)"
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert code.count("def group_method(") == 1, "the group's method has one place, group_method"
    assert "results_table(" in code and "format_results(" in code, (
        "the table comes from dlgd_course.reporting"
    )


FORECASTING_REPORT = "32-forecasting-report"
RELEASED_CASE = "lorenz63"


def _assert_runs_end_to_end(report: str, released: Path) -> None:
    """Run a released report under `dlgd check`: one table (baselines first, the group's method
    last, every row over the seeds, no NaN), at least two figures, every written section unwritten."""
    run = check_report(released)
    assert run.failure is None, f"{report} does not run end to end: {run.failure}"
    assert set(run.unwritten) == set(REQUIRED_SECTIONS) and run.written == len(run.unwritten)
    outputs = [o for c in run.notebook.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    tables = [
        o["text"] for o in outputs if o.get("output_type") == "stream" and o["text"].startswith("| method |")
    ]
    assert len(tables) == 1, f"the report prints one results table, found {len(tables)}"
    rows = [line for line in tables[0].splitlines()[2:] if line.startswith("|")]
    assert rows[-1].startswith("| group's method |") and len(rows) >= 3, (
        "baselines first, the group's method last"
    )
    assert all(line.rstrip(" |").endswith(f"| {SEEDS}") for line in rows), f"every row over {SEEDS} seeds"
    assert all("nan" not in line for line in rows), tables[0]
    figures = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(figures) >= 2, f"a report shows the data and the results: {len(figures)} figures"


@pytest.mark.parametrize("report", REPORTS)
def test_released_report_runs_end_to_end(report: str) -> None:
    """One execution: the student's version, as released, runs under `dlgd check`."""
    _assert_runs_end_to_end(report, release_notebook(report))


@pytest.mark.parametrize("case", [name for name in FORECAST_CASES if name != RELEASED_CASE])
def test_forecasting_report_runs_with_each_case(case: str, tmp_path: Path) -> None:
    """One execution per other case of the forecasting theme: the released report with its one
    ``CASE`` line changed, as a group that worked on that case does, runs with the same checks."""
    nb = nbformat.read(release_notebook(FORECASTING_REPORT), as_version=4)
    released_line = f'CASE = "{RELEASED_CASE}"'
    cells = [c for c in nb.cells if c.cell_type == "code" and released_line in c.source]
    assert len(cells) == 1, f"the released report sets {released_line} in one cell"
    cells[0].source = cells[0].source.replace(released_line, f'CASE = "{case}"')
    edited = tmp_path / f"{FORECASTING_REPORT}.ipynb"
    nbformat.write(nb, edited)
    _assert_runs_end_to_end(f"{FORECASTING_REPORT} ({case})", edited)


def test_forecast_cases() -> None:
    """The registry behind the report's ``CASE`` line: the three cases of the theme, each with
    one label per lead and persistence as the reference; a wrong name is refused with the list."""
    assert list(FORECAST_CASES) == ["lorenz63", "lorenz96", "coastal wind"]
    for name, case in FORECAST_CASES.items():
        assert forecast_case(name) is case and case.reference == "persistence"
        assert len(case.lead_names) == len(case.leads) == len(set(case.lead_names)), case.lead_names
    assert forecast_case("coastal wind").lead_times == pytest.approx((0.5, 1, 2, 3, 4, 5, 6))  # hours
    with pytest.raises(
        ValueError, match=r"unknown forecasting case 'wind'.*'lorenz63', 'lorenz96', 'coastal wind'"
    ):
        forecast_case("wind")


def _tiny_report(path: Path, failing: bool, mean: str = "sum(values) / len(values)") -> Path:
    """A released report: two code cells (the second prints ``mean``, and raises when
    ``failing``) and one written answer as nbgrader releases it (its text stub in place of the
    model answer)."""
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}})
    nb.cells = [
        nbformat.v4.new_markdown_cell(
            "# Report 99 — tiny\n\n**Total: 2 points** (0 autograded, 2 graded by hand)"
        ),
        nbformat.v4.new_code_cell("values = [1.0, 2.0]"),
        nbformat.v4.new_code_cell("print(sum(values) / len(value))" if failing else f"print({mean})"),
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    insert_written_answer(
        path, "written_problem", 2, "The mean of two numbers is their sum halved.", ["sum", "halved"]
    )
    nb = nbformat.read(path, as_version=4)
    nb.cells[-1].source = UNWRITTEN
    nbformat.write(nb, path)
    return path


def test_dlgd_check_on_a_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = _tiny_report(tmp_path / "broken" / "99-tiny-report.ipynb", failing=True)
    assert is_report(nbformat.read(broken, as_version=4))
    assert dlgd_main(["check", str(broken)]) == 1
    out = capsys.readouterr().out
    assert "runs end to end: NO" in out and "code cell 2 of 2 (`print(sum(values) / len(value))`)" in out
    assert "NameError" in out and "written sections still to write: 1 of 1 (written_problem)" in out

    good = _tiny_report(tmp_path / "good" / "99-tiny-report.ipynb", failing=False)
    nb = nbformat.read(good, as_version=4)
    answer = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "written_problem")
    answer.source = "We halve the sum."  # what a group writes in place of the released text
    nbformat.write(nb, good)
    assert dlgd_main(["check", str(good)]) == 0
    out = capsys.readouterr().out
    assert "runs end to end: yes (2 code cells)" in out and "written sections: all 1 written" in out
    assert nbformat.read(good, as_version=4).cells[1].get("outputs") == [], "the file is untouched"


def test_a_graded_notebook_is_not_a_report(tmp_path: Path) -> None:
    released_text = _tiny_report(tmp_path / "r" / "99-tiny-report.ipynb", failing=False)
    nb = nbformat.read(released_text, as_version=4)
    nb.cells[2].metadata["nbgrader"] = {
        "grade": True,
        "solution": False,
        "locked": True,
        "points": 1,
        "grade_id": "test_mean",
    }
    nbformat.write(nb, released_text)
    assert not is_report(nb)
    with pytest.raises(ValueError, match="is not a report"):
        check_report(released_text)
    assert UNWRITTEN == "YOUR ANSWER HERE"  # nbgrader's text stub for a written answer


def test_dlgd_check_runs_a_report_with_what_is_handed_in(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repository = tmp_path / "group-repository"
    report = _tiny_report(repository / "report" / "99-tiny-report.ipynb", False, "group_mean(values)")
    nb = nbformat.read(report, as_version=4)
    nb.cells[1].source = "from group_model import group_mean\n\nvalues = [1.0, 2.0]"
    nbformat.write(nb, report)
    (report.parent / "group_model.py").write_text("def group_mean(v):\n    return sum(v) / len(v)\n")
    subprocess.run(["git", "init", "-q"], cwd=repository, check=True)
    subprocess.run(["git", "add", "report/99-tiny-report.ipynb"], cwd=repository, check=True)

    # the module works in the group's folder, but a clean checkout would not hold it
    run = check_report(report)
    assert run.hand_in.files == ("99-tiny-report.ipynb",) and run.used_not_handed_in == ("group_model.py",)
    assert run.failure is not None and "ModuleNotFoundError" in run.failure, run.failure
    assert dlgd_main(["check", str(report)]) == 1
    out = capsys.readouterr().out
    assert "used but not handed in: group_model.py" in out and "git tracks" in out, out

    subprocess.run(["git", "add", "report/group_model.py"], cwd=repository, check=True)
    run = check_report(report)
    assert run.failure is None and run.used_not_handed_in == ()
    assert run.hand_in.files == ("99-tiny-report.ipynb", "group_model.py")
    assert "1.5" in run.notebook.cells[2].outputs[0]["text"]

    # outside git: what nbgrader collects (its ignored names, e.g. __pycache__, are left out)
    folder = tmp_path / "submitted"
    shutil.copytree(report.parent, folder)
    (folder / "__pycache__").mkdir(exist_ok=True)
    (folder / "__pycache__" / "group_model.cpython-311.pyc").write_bytes(b"stale")
    run = check_report(folder / report.name)
    assert run.failure is None and "nbgrader collects" in run.hand_in.rule
    assert run.hand_in.files == ("99-tiny-report.ipynb", "group_model.py")
    assert run.hand_in.left_out == ("__pycache__/group_model.cpython-311.pyc",)

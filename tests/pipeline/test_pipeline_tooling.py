"""Fast tests of the pipeline tooling on the tiny fixture assignment (no torch in the kernel).

The fixture ``fixtures/01-tiny`` has two parts; the test cell of the second one writes a
warning to stderr, which nbgrader would score 0 without the course's ``IgnorePattern``.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest
from pipeline_helpers import (
    FIXTURES,
    KERNEL_THREADS,
    REPO_ROOT,
    hidden_test_lines,
    pack_batches,
    part_readers,
    parts_of,
    public_lines,
    shows_line,
    solution_lines,
    visible_text,
    written_answer_fragments,
)

from autograder import course, locate
from autograder.grading import (
    autograde_notebook,
    check_source_notebook,
    generate_assignment,
    gradebook_schema_head,
    graded_cells,
    validate_notebook,
)
from autograder.mutants import (
    Edit,
    Mutant,
    apply_mutant,
    fill_solutions,
    insert_written_answer,
    load_mutant,
    student_written_answer,
)
from autograder.preprocessors import REDACTED, StripHiddenTests
from autograder.submissions import gradebook
from dlgd_course.cli import main as dlgd_main
from dlgd_course.selfcheck import PartResult, format_table

TINY = FIXTURES / "01-tiny" / "01-tiny.ipynb"


@pytest.fixture(scope="module")
def tiny_course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A course root holding the fixture as its only assignment, with its student version."""
    root = tmp_path_factory.mktemp("tiny-course")
    shutil.copytree(FIXTURES / "01-tiny", root / "solutions" / "01-tiny")
    generate_assignment("01-tiny", root)
    return root


@pytest.fixture(scope="module")
def tiny_release(tiny_course: Path) -> Path:
    return tiny_course / "exercises" / "01-tiny" / "01-tiny.ipynb"


def test_data_dir_default_and_override(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(course.DATA_ENV_VAR, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert course.data_dir() == (tmp_path / "xdg" / "dlgd-course").resolve()
    monkeypatch.setenv(course.DATA_ENV_VAR, str(tmp_path / "elsewhere"))
    assert course.data_dir() == (tmp_path / "elsewhere").resolve()


def test_course_config_keeps_instructor_state_out_of_the_repository(tmp_path: Path) -> None:
    c = course.course_config(REPO_ROOT, data=tmp_path)
    assert c.CourseDirectory.course_id == "dlgd"
    assert c.CourseDirectory.source_directory == "solutions"
    assert c.CourseDirectory.release_directory == "exercises"
    for name in ("submitted_directory", "autograded_directory", "feedback_directory"):
        assert Path(c.CourseDirectory[name]).parent == tmp_path.resolve()
    assert c.CourseDirectory.db_url == f"sqlite:///{tmp_path.resolve() / 'gradebook.db'}"
    assert Path(c.Exchange.root) == tmp_path.resolve() / "exchange"
    assert c.IgnorePattern.enabled and c.Execute.timeout == course.CELL_TIMEOUT_S
    with pytest.raises(ValueError, match="cell_timeout"):
        course.course_config(REPO_ROOT, data=tmp_path, cell_timeout=0)


def test_course_root_comes_from_the_caller_the_environment_or_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tools find the course from configuration, never from where their code lies (a wheel's
    code lies in site-packages): explicit root, then $DLGD_COURSE_ROOT, then the nearest folder
    from the current one upwards that holds nbgrader_config.py and solutions/."""
    monkeypatch.delenv(locate.ROOT_ENV_VAR, raising=False)
    own, other = tmp_path / "own", tmp_path / "other"
    (own / "solutions" / "00-a").mkdir(parents=True)
    (own / "nbgrader_config.py").write_text("")
    (own / "solutions" / "00-a" / "00-a.ipynb").write_text("{}")
    other.mkdir()
    assert locate.course_root(start=own / "solutions" / "00-a") == own.resolve()
    monkeypatch.chdir(own / "solutions")
    assert locate.course_root() == own.resolve()
    assert locate.course_root(other) == other.resolve()  # explicit wins
    monkeypatch.chdir(other)
    with pytest.raises(locate.CourseNotFound, match="--course-root.*DLGD_COURSE_ROOT"):
        locate.course_root()
    with pytest.raises(ValueError, match="no course found"):
        course.course_config(data=tmp_path)
    monkeypatch.setenv(locate.ROOT_ENV_VAR, str(own))
    assert locate.course_root() == own.resolve() and course.assignments() == ["00-a"]
    with pytest.raises(locate.CourseNotFound, match="is not a folder"):
        locate.course_root(tmp_path / "missing")
    monkeypatch.setenv(locate.ROOT_ENV_VAR, str(tmp_path / "missing"))
    with pytest.raises(locate.CourseNotFound, match=f"{locate.ROOT_ENV_VAR} .* is not a folder"):
        locate.course_root()


def test_mathjax_from_the_setting_or_the_course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from autograder.offline_math import MATHJAX_ENV_VAR, mathjax_dir

    monkeypatch.setenv(MATHJAX_ENV_VAR, str(tmp_path / "mathjax"))
    assert mathjax_dir(REPO_ROOT) == tmp_path / "mathjax"
    monkeypatch.delenv(MATHJAX_ENV_VAR)
    assert mathjax_dir(tmp_path) == tmp_path.resolve() / "book" / "_mathjax" / "mathjax" / "es5"


def test_repository_nbgrader_config_is_the_course_config() -> None:
    from traitlets.config.loader import PyFileConfigLoader

    loaded = PyFileConfigLoader("nbgrader_config.py", path=str(REPO_ROOT)).load_config()
    assert loaded.CourseDirectory.course_id == "dlgd"
    assert loaded.CourseDirectory.release_directory == "exercises"
    assert loaded.IgnorePattern.pattern == course.IGNORED_STDERR


@pytest.mark.parametrize(
    ("text", "ignored"),
    [
        ("/x/lightning/trainer.py:12: PossibleUserWarning: The number of batches...\n", True),
        ("/x/torch/nn.py:3: UserWarning: some deprecation\n  warnings.warn(\n", True),
        ("GPU available: False, used: False\nTPU available: False\n", True),
        ("my debugging print to stderr\n", False),
        ("Traceback (most recent call last):\nAssertionError: x\n", False),
    ],
)
def test_ignored_stderr_pattern(text: str, ignored: bool) -> None:
    import re

    assert bool(re.search(course.IGNORED_STDERR, text)) is ignored


def test_assignments_lists_folders_and_rejects_bad_names(tmp_path: Path) -> None:
    (tmp_path / "solutions" / "01-good-one").mkdir(parents=True)
    (tmp_path / "solutions" / "01-good-one" / "01-good-one.ipynb").write_text("{}")
    assert course.assignments(tmp_path) == ["01-good-one"]
    (tmp_path / "solutions" / "Bad_Name").mkdir()
    with pytest.raises(ValueError, match="NN-slug"):
        course.assignments(tmp_path)


def test_check_source_notebook_rejects_outputs_and_duplicate_ids(tmp_path: Path) -> None:
    nb = nbformat.read(TINY, as_version=4)
    nb.cells[3].outputs = [nbformat.v4.new_output("stream", name="stdout", text="hi")]
    nbformat.write(nb, tmp_path / "outputs.ipynb")
    with pytest.raises(ValueError, match="outputs"):
        check_source_notebook(tmp_path / "outputs.ipynb")
    nb = nbformat.read(TINY, as_version=4)
    nb.cells[6].metadata["nbgrader"]["grade_id"] = "add"
    nbformat.write(nb, tmp_path / "dup.ipynb")
    with pytest.raises(ValueError, match="used twice"):
        check_source_notebook(tmp_path / "dup.ipynb")


def _with_written_answer(tmp_path: Path) -> Path:
    """A copy of the tiny fixture with one written answer (2 points) at the end."""
    path = tmp_path / "written" / "solutions" / "01-tiny" / "01-tiny.ipynb"
    shutil.copytree(FIXTURES / "01-tiny", path.parent)
    return insert_written_answer(
        path,
        "written_sum",
        2,
        "The sum of two Python integers is exact whatever their size; floats would round.",
        ["the sum is exact for integers", "floats would round large values"],
    )


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (lambda cells: None, None),  # the convention itself
        (lambda cells: cells[-1].metadata.nbgrader.update(grade_id="sum_essay"), "written_ grade_id"),
        (lambda cells: cells[-1].metadata.nbgrader.update(points=0), "points > 0"),
        (lambda cells: cells[-1].metadata.nbgrader.update(grade=False, grade_id="essay"), "is not graded"),
        (lambda cells: setattr(cells[-1], "source", "**Model answer.** exact"), "solution markers"),
        # a graded code solution cell would give full marks for any edit
        (lambda cells: cells[3].metadata.nbgrader.update(grade=True, points=1), "code test cell"),
        (lambda cells: cells[4].metadata.nbgrader.update(grade_id="written_add"), "prefix of written"),
    ],
)
def test_check_source_notebook_takes_written_answers_by_the_convention(
    tmp_path: Path, edit: Callable[[list], None], problem: str | None
) -> None:
    path = _with_written_answer(tmp_path)
    nb = nbformat.read(path, as_version=4)
    edit(nb.cells)
    nbformat.write(nb, path)
    if problem is None:
        check_source_notebook(path)
        assert graded_cells(path, written=True) == {"written_sum": 2.0}
        assert graded_cells(path, written=False) == {"test_add": 2.0, "test_square": 3.0}
    else:
        with pytest.raises(ValueError, match=problem):
            check_source_notebook(path)


def test_student_version_and_student_work_hold_no_model_answer(tmp_path: Path) -> None:
    """ClearSolutions leaves "YOUR ANSWER HERE" in the student version; the leak check's
    fragments find the model answer and rubric in the source (a control), not there; the
    filled-in student's work holds their own words."""
    source = _with_written_answer(tmp_path)
    fragments = written_answer_fragments(source, public_lines())
    assert fragments == {  # "Model answer." and "Rubric": too short to prove a leak
        "The sum of two Python integers is exact whatever their size; floats would round.",
        "1 point: the sum is exact for integers",
        "1 point: floats would round large values",
    }
    assert all(piece in visible_text(source) for piece in fragments)
    release = generate_assignment("01-tiny", source.parents[2], tmp_path / "release") / source.name
    text = visible_text(release)
    assert "YOUR ANSWER HERE" in text and not any(piece in text for piece in fragments)
    work = visible_text(fill_solutions(release, source, tmp_path / "work" / source.name))
    assert student_written_answer("written_sum") in work and not any(p in work for p in fragments)


def test_generated_student_version_hides_solutions_and_hidden_tests(tiny_release: Path) -> None:
    text = visible_text(tiny_release)
    assert "raise NotImplementedError()" in text
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "SECRET_HIDDEN"):
        assert marker not in text
    secrets = solution_lines(TINY) | hidden_test_lines(TINY)
    assert secrets
    leaked = {line for line in secrets if shows_line(text, line)}
    assert not leaked
    nb = nbformat.read(tiny_release, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    assert graded_cells(tiny_release) == {"test_add": 2.0, "test_square": 3.0}


def test_leak_detection_finds_solutions_in_the_source_itself() -> None:
    """Control: the detector does find the solution and hidden lines where they are."""
    text = visible_text(TINY)
    secrets = solution_lines(TINY) | hidden_test_lines(TINY)
    assert {"return a + b", "return x * x"} <= secrets
    assert all(shows_line(text, line) for line in secrets)


def _graded_test_cell(source: str) -> nbformat.NotebookNode:
    """A locked test cell of one point, ``test_x``, as nbgrader's source notebooks have them."""
    nbgrader = {"grade": True, "grade_id": "test_x", "points": 1, "solution": False, "locked": True}
    return nbformat.v4.new_code_cell(source, metadata={"nbgrader": nbgrader | {"schema_version": 3}})


def test_strip_hidden_tests_removes_region_and_its_traceback() -> None:
    cell = _graded_test_cell("assert ok\n### BEGIN HIDDEN TESTS\nassert secret_check()\n### END HIDDEN TESTS")
    cell.outputs = [
        nbformat.v4.new_output(
            "error",
            ename="AssertionError",
            evalue="the message",
            traceback=["----> 3 assert secret_check()", "AssertionError: the message"],
        )
    ]
    stripped, _ = StripHiddenTests().preprocess_cell(cell, {}, 0)
    assert "secret_check" not in stripped.source
    assert stripped.outputs[0].traceback == ["AssertionError: the message"]


@pytest.mark.parametrize(
    "source, kept, gone",
    [
        # a delimiter without its end (nbgrader's ClearHiddenTests raised: no feedback for anyone)
        ("assert ok\n### BEGIN HIDDEN TESTS\nassert secret_check()", "assert ok", "secret_check"),
        # a nested one stays inside the region
        (
            "a = 1\n### BEGIN HIDDEN TESTS\nx = secret\n### BEGIN HIDDEN TESTS\ny = secret\n"
            "### END HIDDEN TESTS\nb = 2",
            "a = 1\nb = 2",
            "secret",
        ),
        # in a cell a student typed (not a graded cell)
        ("print(1)  # ### BEGIN HIDDEN TESTS (my notes)\nprint(2)", "", "my notes"),
    ],
)
def test_strip_hidden_tests_never_raises_on_what_a_student_typed(source: str, kept: str, gone: str) -> None:
    cell = nbformat.v4.new_code_cell(source)
    stripped, _ = StripHiddenTests().preprocess_cell(cell, {}, 0)
    assert stripped.source == kept and gone not in stripped.source


def _graded_notebook(source: str, *outputs: nbformat.NotebookNode) -> nbformat.NotebookNode:
    test = _graded_test_cell(source)
    free = nbformat.v4.new_code_cell("print(stuff)")
    free.outputs = list(outputs)
    return nbformat.v4.new_notebook(cells=[test, free])


HIDDEN = (
    "assert ok\n### BEGIN HIDDEN TESTS\n"
    "expected = torch.tensor([1.0, 2.0], dtype=torch.float64)\n"
    "assert torch.allclose(got, part.reference(secret_function, hidden_input)), (\n"
    '    f"expected {expected} got {got}")\n'
    "x = 1\ny = 2\n### END HIDDEN TESTS"
)


def test_feedback_keeps_helpful_messages_and_redacts_distinctive_quotes() -> None:
    helpful = nbformat.v4.new_output(
        "stream",
        name="stdout",
        text="expected tensor([1., 2.], dtype=torch.float64) got tensor([1., 3.], dtype=torch.float64)\n",
    )
    quoting = nbformat.v4.new_output(
        "stream",
        name="stdout",
        text="assert torch.allclose(got, part.reference(secret_function, hidden_input)), (\n",
    )
    history = nbformat.v4.new_output("stream", name="stdout", text=repr(["", "x = 1\n    y = 2"]) + "\n")
    nb, _ = StripHiddenTests().preprocess(_graded_notebook(HIDDEN, helpful, quoting, history), {})
    outputs = nb.cells[1].outputs
    assert outputs[0].text == helpful.text, "a message with expected/got values must survive"
    assert [o.text for o in outputs[1:]] == [REDACTED, REDACTED], (
        "a distinctive hidden line, or two hidden lines together (printed input history), are redacted"
    )
    assert "secret_function" not in nb.cells[0].source


def test_feedback_redaction_threshold_is_configurable() -> None:
    generic = nbformat.v4.new_output(
        "stream", name="stdout", text="dtype=torch.float64)\nexpected = torch.tensor([1.0, 2.0]\n"
    )
    strict = StripHiddenTests(min_line_length=20)
    nb, _ = strict.preprocess(_graded_notebook(HIDDEN.replace("x = 1\ny = 2\n", ""), generic), {})
    assert nb.cells[1].outputs[0].text == generic.text  # no hidden line of 20+ characters in it
    nb, _ = StripHiddenTests(min_line_length=10).preprocess(
        _graded_notebook(
            HIDDEN.replace("x = 1\ny = 2\n", "") + "\n",
            nbformat.v4.new_output(
                "stream", name="stdout", text="expected = torch.tensor([1.0, 2.0], dtype=torch.float64)\n"
            ),
        ),
        {},
    )
    assert nb.cells[1].outputs[0].text == REDACTED


def test_mutant_format_and_application(tmp_path: Path) -> None:
    path = tmp_path / "wrong_add.py"
    path.write_text(
        '"""Subtracts instead of adding."""\n'
        'NOTEBOOK = "01-tiny.ipynb"\nCELL = "add"\nFIND = "a + b"\nREPLACE = "a - b"\n'
        'FAILS = ["test_add"]\n'
    )
    mutant = load_mutant(path)
    assert mutant.fails == ("test_add",) and not mutant.lazy
    out = apply_mutant(TINY, mutant, tmp_path / "01-tiny.ipynb")
    assert "return a - b" in visible_text(out)
    path.write_text(path.read_text().replace('FIND = "a + b"', 'FIND = "b"'))
    with pytest.raises(ValueError, match="occurs 2 times"):
        apply_mutant(TINY, load_mutant(path), tmp_path / "x.ipynb")
    path.write_text('NOTEBOOK = "01-tiny.ipynb"\n')
    with pytest.raises(ValueError, match="docstring"):
        load_mutant(path)


def test_lazy_mutant_edits_several_cells_and_inserts_a_free_cell(tmp_path: Path) -> None:
    path = tmp_path / "lazy.py"
    path.write_text(
        '"""Returns constants and fakes a result in a cell of its own."""\n'
        'NOTEBOOK = "01-tiny.ipynb"\nSTRATEGY = "expected_value"\n'
        'EDITS = [("add", "return a + b", "return 5"), ("after:add", "", "a_result = 5")]\n'
        'FAILS = ["test_add"]\n'
    )
    mutant = load_mutant(path)
    assert mutant.lazy and len(mutant.edits) == 2
    out = nbformat.read(apply_mutant(TINY, mutant, tmp_path / "01-tiny.ipynb"), as_version=4)
    sources = [c.source for c in out.cells]
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in out.cells]
    index = ids.index("add")
    assert "return 5" in sources[index] and sources[index + 1] == "a_result = 5"
    assert "nbgrader" not in out.cells[index + 1].metadata  # a free cell, as a student adds one
    path.write_text(path.read_text().replace('"expected_value"', '"guessing"'))
    with pytest.raises(ValueError, match="STRATEGY must be one of"):
        load_mutant(path)


def test_fill_solutions_can_leave_a_part_blank(tiny_release: Path, tmp_path: Path) -> None:
    out = fill_solutions(tiny_release, TINY, tmp_path / "01-tiny.ipynb", blank=("add",))
    cells = {
        c.metadata.get("nbgrader", {}).get("grade_id"): c.source
        for c in nbformat.read(out, as_version=4).cells
    }
    assert "NotImplementedError" in cells["add"] and "NotImplementedError" not in cells["square"]
    with pytest.raises(ValueError, match="no solution cell"):
        fill_solutions(tiny_release, TINY, tmp_path / "x.ipynb", blank=("nope",))


def test_autograde_fixture_full_marks_zero_and_warning_filter(
    tiny_course: Path, tiny_release: Path, tmp_path: Path
) -> None:
    """Solution: 5/5 although a test cell writes a warning to stderr (IgnorePattern);
    untouched student version: 0/5; the same solution without IgnorePattern loses the
    warning cell (the nbgrader trap the course configuration handles)."""
    source = tiny_course / "solutions" / "01-tiny" / "01-tiny.ipynb"
    full = autograde_notebook(
        source, fill_solutions(tiny_release, source, tmp_path / "a.ipynb"), threads=KERNEL_THREADS
    )
    assert {k: c.score for k, c in full.cells.items()} == {"test_add": 2.0, "test_square": 3.0}
    empty = autograde_notebook(source, tiny_release, threads=KERNEL_THREADS)
    assert empty.score == 0.0 and empty.max_score == 5.0


def test_without_ignore_pattern_a_warning_costs_the_cell(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(course, "IGNORED_STDERR", r"(?!)")  # a pattern that never matches
    score = autograde_notebook(TINY, TINY, threads=KERNEL_THREADS)
    assert score.cells["test_add"].score == 2.0
    assert score.cells["test_square"].score == 0.0


def test_gradebook_schema_head_is_what_nbgrader_asks_alembic_for(tmp_path: Path) -> None:
    """nbgrader stamps each new gradebook with the head of its migrations, which it gets from the
    ``alembic`` executable (a subprocess); the course reads the same revision in-process, and the
    gradebooks it creates carry it."""
    import nbgrader.api
    from nbgrader.dbutil import _temp_alembic_ini

    with _temp_alembic_ini("sqlite:///unused.db") as ini:
        heads = subprocess.run(
            [sys.executable, "-m", "alembic", "-c", ini, "heads"], capture_output=True, text=True, check=True
        )
    assert gradebook_schema_head() == heads.stdout.split()[0]
    config = course.course_config(tmp_path, tmp_path / "data")
    course.ensure_state_directories(config)
    with gradebook(config):
        pass
    assert nbgrader.api.get_alembic_version is gradebook_schema_head
    with sqlite3.connect(tmp_path / "data" / "gradebook.db") as db:
        stamped = db.execute("SELECT version_num FROM alembic_version").fetchall()
    assert stamped == [(gradebook_schema_head(),)]


def test_validate_returns_a_real_verdict(tiny_course: Path, tiny_release: Path, tmp_path: Path) -> None:
    config = course.course_config(tiny_course, tmp_path / "data")
    assert validate_notebook(tiny_release, config).exit_code == 1
    source = tiny_course / "solutions" / "01-tiny" / "01-tiny.ipynb"
    done = fill_solutions(tiny_release, source, tmp_path / "done" / "01-tiny.ipynb")
    result = validate_notebook(done, config)
    assert result.ok and result.exit_code == 0, result


def test_dlgd_check_passes_a_solution_and_fails_a_student_version(
    tiny_course: Path, tiny_release: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`dlgd check` on notebooks outside any course directory: table, points, exit status."""
    outside = tmp_path / "somewhere" / "my work.ipynb"
    outside.parent.mkdir()
    shutil.copy(tiny_release, outside)
    assert dlgd_main(["check", str(outside)]) == 1
    report = capsys.readouterr().out
    assert "add" in report and "FAIL" in report and "0/5 points" in report
    # the unwritten function is named
    assert "NotImplementedError: `add` is not written yet" in report
    done = fill_solutions(tiny_release, TINY, tmp_path / "done.ipynb")
    assert dlgd_main(["check", str(done)]) == 0
    report = capsys.readouterr().out
    assert "FAIL" not in report and "5/5 points" in report
    assert nbformat.read(done, as_version=4).cells[4].get("outputs") == []  # file untouched


def test_dlgd_check_prints_whole_failure_messages() -> None:
    message = (
        "one RK4 step differs:\nexpected tensor([0.9048374180, 0.9048374180, 0.9048374180], "
        "dtype=torch.float64) got tensor([0.9000000000, 0.9000000000, 0.9000000000], "
        "dtype=torch.float64) (the Euler step?)"
    )
    report = format_table([PartResult("test_rk4", 4.0, False, message), PartResult("test_ok", 3.0, True, "")])
    shown = " ".join(line.strip() for line in report.splitlines())
    assert " ".join(message.split()) in shown, "the whole message, wrapped, not cut"
    assert all(len(line) <= 104 for line in report.splitlines()[:-1])
    assert "3/7 points" in report and "rk4" in report and "FAIL" in report


def test_dlgd_check_rejects_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert dlgd_main(["check", str(tmp_path / "nope.ipynb")]) == 2
    assert "no such notebook" in capsys.readouterr().err


def test_batches_share_executions_only_between_parts_that_do_not_read_each_other(tmp_path: Path) -> None:
    """The tiny fixture's parts are independent: a mistake in `add` and `square` left blank
    share an execution; once `square`'s test uses `add`, they no longer do (a cascade from
    `add` into `test_square` would be hidden), and a mistake that also fails `test_square`
    touches both parts."""
    subtract = Mutant("subtract", "a - b", TINY.name, (Edit("add", "a + b", "a - b"),), ("test_add",))
    assert part_readers(TINY, parts_of(TINY)) == {"add": set(), "square": set()}
    batches = pack_batches([subtract], TINY)
    assert [b.losses for b in batches] == [
        {"mistake:subtract": ("test_add",), "blank:square": ("test_square",)},
        {"blank:add": ("test_add",)},
    ]
    assert batches[0].mutants == (subtract,) and batches[0].blanks == ("square",)

    reading = tmp_path / TINY.name
    nb = nbformat.read(TINY, as_version=4)
    nb.cells[7].source = "assert square(add(1, 2)) == 9\n" + nb.cells[7].source
    nbformat.write(nb, reading)
    assert part_readers(reading, parts_of(reading)) == {"add": {"square"}, "square": set()}
    assert [list(b.losses) for b in pack_batches([subtract], reading)] == [
        ["mistake:subtract"],
        ["blank:add"],
        ["blank:square"],
    ]
    both = Mutant("both", "a - b", TINY.name, (Edit("add", "a + b", "a - b"),), ("test_add", "test_square"))
    assert [list(b.losses) for b in pack_batches([both, subtract], TINY)] == [
        ["mistake:both"],
        ["mistake:subtract", "blank:square"],
        ["blank:add"],
    ]

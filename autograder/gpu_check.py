"""``make gpu-check``: does the course run, and grade, on this CUDA machine?

Three steps (``python -m autograder.gpu_check``):

1. report Python, torch (and the CUDA/cuDNN it was built with), Lightning, nbgrader and the
   device :func:`dlgd_course.default_device` picks;
2. run the GPU-relevant tests: the test files that go through ``default_device()``,
   ``quiet_trainer()`` or an explicit accelerator/CUDA device (:func:`gpu_relevant_tests`);
3. autograde every solution notebook against itself (:func:`autograder.grading.autograde_notebook`),
   which must earn full marks on its autograded cells (written answers are graded by hand, and
   left out), and print a table: notebook, device, seconds, score/max.

The device column is what ``setup_notebook`` returns inside a kernel of the notebook's
kernelspec started from this process's environment, i.e. the device the graded notebook's
code uses. Exit status 1 when a test fails or a notebook loses points; 2 (before running
anything) when CUDA is not available, unless ``--allow-cpu``.
"""

from __future__ import annotations

import argparse
import platform
import re
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from autograder.course import assignments
from autograder.locate import SOURCE_DIRECTORY, course_root, course_root_option

# A test file is GPU-relevant when its code picks the course device or trains through Lightning.
GPU_RELEVANT = re.compile(r"default_device\(|quiet_trainer\(|accelerator=|\.cuda\(|[\"']cuda[\"']")
# tests of this machinery itself are not re-run by it
OWN_TESTS = "runners"
KERNEL_PROBE = "from dlgd_course.notebook import setup_notebook\nprint(setup_notebook(seed=0))"


@dataclass(frozen=True)
class NotebookRun:
    """One row of the table: an autograded solution notebook."""

    assignment: str
    device: str
    seconds: float
    score: float
    max_score: float
    error: str = ""

    @property
    def full_marks(self) -> bool:
        return not self.error and self.max_score > 0 and self.score >= self.max_score


def environment_report() -> list[tuple[str, str]]:
    """(name, value) pairs: versions and the device the course picks."""
    import nbgrader
    import pytorch_lightning
    import torch

    from dlgd_course import default_device

    device = default_device()
    rows = [
        ("python", platform.python_version()),
        ("torch", torch.__version__),
        ("torch built with CUDA", torch.version.cuda or "no (CPU build)"),
        ("cuDNN", str(torch.backends.cudnn.version()) if torch.backends.cudnn.is_available() else "-"),
        ("pytorch-lightning", pytorch_lightning.__version__),
        ("nbgrader", nbgrader.__version__),
        ("CUDA devices visible", str(torch.cuda.device_count())),
        ("default_device()", str(device)),
    ]
    if device.type == "cuda":
        props = torch.cuda.get_device_properties(device)
        rows += [
            ("device name", props.name),
            ("compute capability", f"{props.major}.{props.minor}"),
            ("device memory", f"{props.total_memory / 2**30:.1f} GiB"),
        ]
    return rows


def gpu_relevant_tests(root: Path | str | None = None) -> list[Path]:
    """Test files under ``<root>/tests`` whose code matches :data:`GPU_RELEVANT`, sorted
    (``root``: the course root, default :func:`~autograder.locate.course_root`)."""
    tests = course_root(root) / "tests"
    return sorted(
        path
        for path in tests.rglob("test_*.py")
        if OWN_TESTS not in path.relative_to(tests).parts[:1] and GPU_RELEVANT.search(path.read_text())
    )


def run_tests(files: Sequence[Path], root: Path | str | None = None) -> int:
    """Run pytest on ``files`` in the course root ``root`` (output streamed); its exit status."""
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *map(str, files)]
    return subprocess.run(command, cwd=course_root(root)).returncode


def kernel_device(kernel_name: str) -> str:
    """The device ``setup_notebook`` returns in a fresh kernel ``kernel_name``."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(KERNEL_PROBE)])
    NotebookClient(nb, kernel_name=kernel_name, timeout=120).execute()
    return "".join(o.get("text", "") for o in nb.cells[0].outputs).strip()


def grade_solutions(
    names: Sequence[str], root: Path | str | None = None, threads: int | None = None
) -> list[NotebookRun]:
    """Autograde each solution notebook against itself; one :class:`NotebookRun` each."""
    import nbformat

    from autograder.grading import autograde_notebook

    probed: dict[str, str] = {}
    runs = []
    for name in names:
        notebook = course_root(root) / SOURCE_DIRECTORY / name / f"{name}.ipynb"
        kernel = nbformat.read(notebook, as_version=4).metadata.get("kernelspec", {}).get("name", "python3")
        try:
            if kernel not in probed:
                probed[kernel] = kernel_device(kernel)
            score = autograde_notebook(notebook, notebook, threads=threads).autograded()
        except Exception as error:  # a broken notebook is a row of the report, not a crash
            runs.append(NotebookRun(name, probed.get(kernel, "?"), 0.0, 0.0, 0.0, repr(error)[:200]))
            continue
        runs.append(NotebookRun(name, probed[kernel], score.seconds, score.score, score.max_score))
    return runs


def table(runs: Sequence[NotebookRun]) -> str:
    """A Markdown table of the runs, with a total line."""
    lines = ["| notebook | device | seconds | score/max | result |", "| --- | --- | ---: | ---: | --- |"]
    for run in runs:
        result = "ok" if run.full_marks else (run.error or "lost points")
        lines.append(
            f"| {run.assignment} | {run.device} | {run.seconds:.1f} | "
            f"{run.score:g}/{run.max_score:g} | {result} |"
        )
    seconds, score = sum(r.seconds for r in runs), sum(r.score for r in runs)
    lines.append(f"| total | | {seconds:.1f} | {score:g}/{sum(r.max_score for r in runs):g} | |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m autograder.gpu_check", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--allow-cpu", action="store_true", help="run even when CUDA is not available")
    parser.add_argument("--notebooks", nargs="+", metavar="ID", help="assignment ids (default: all)")
    parser.add_argument(
        "--tests",
        nargs="*",
        type=Path,
        metavar="FILE",
        help="test files to run instead of the GPU-relevant ones (none: skip)",
    )
    parser.add_argument("--threads", type=int, help="CPU threads of each notebook kernel")
    parser.add_argument(
        "--root",
        type=course_root_option,
        default="",
        help="course root, holding solutions/ and tests/ (default: $DLGD_COURSE_ROOT, else the current one)",
    )
    parser.add_argument("--table", type=Path, help="also write the table (Markdown) to this file")
    args = parser.parse_args(argv)

    available = assignments(args.root)
    names = args.notebooks or available
    unknown = sorted(set(names) - set(available))
    if unknown:
        raise ValueError(f"unknown notebooks {unknown}; the course has {available}")
    report = environment_report()
    for key, value in report:
        print(f"{key:>22}: {value}")
    if not dict(report)["default_device()"].startswith("cuda") and not args.allow_cpu:
        print("CUDA is not available: nothing checked (use --allow-cpu to run on the CPU)", file=sys.stderr)
        return 2

    files = gpu_relevant_tests(args.root) if args.tests is None else args.tests
    tests_status = 0
    if files:
        print(f"\n== pytest on {len(files)} GPU-relevant test files", flush=True)
        tests_status = run_tests(files, args.root)

    print(f"\n== autograding {len(names)} solution notebooks against themselves", flush=True)
    start = time.perf_counter()
    runs = grade_solutions(names, args.root, args.threads)
    text = table(runs)
    print(text)
    verdict = "passed" if tests_status == 0 else "FAILED"
    print(f"wall time {time.perf_counter() - start:.0f} s; tests {verdict}")
    if args.table:
        args.table.parent.mkdir(parents=True, exist_ok=True)
        environment = "\n".join(f"- {key}: {value}" for key, value in report)
        args.table.write_text(f"{environment}\n- tests: exit status {tests_status}\n\n{text}\n")
    return 0 if tests_status == 0 and all(run.full_marks for run in runs) else 1


if __name__ == "__main__":
    sys.exit(main())

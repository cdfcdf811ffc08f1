"""GPU-runner packaging (issue 11): the wheelhouse, ``make gpu-check`` run on the CPU, the
container recipes and the self-hosted GPU workflow, checked as far as a CPU machine without
Docker can check them. Nothing here needs a GPU; what needs one is ``make gpu-check`` itself."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.version import Version

from autograder import gpu_check, wheelhouse
from autograder.grading import graded_cells
from autograder.mutants import apply_mutant, load_mutant

#: the repository (the course root of these tests)
REPO_ROOT = Path(__file__).resolve().parents[2]

CONTAINERS = REPO_ROOT / "containers"
WORKFLOW = REPO_ROOT / ".github" / "workflows" / "gpu-check.yml"
NOTEBOOK_00 = REPO_ROOT / "solutions" / "00-pytorch-lightning" / "00-pytorch-lightning.ipynb"


# --- wheelhouse ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def project_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return wheelhouse.build_project_wheel(tmp_path_factory.mktemp("wheelhouse"), REPO_ROOT)


def test_project_wheel_holds_library_autograder_and_grading_extra(project_wheel: Path) -> None:
    names = zipfile.ZipFile(project_wheel).namelist()
    for module in ("dlgd_course/dynamics/__init__.py", "autograder/grading.py", "autograder/gpu_check.py"):
        assert module in names, f"{module} missing from {project_wheel.name}"
    requires = [Requirement(line) for line in wheelhouse.wheel_requirements(project_wheel)]
    grading = {r.name for r in requires if r.marker and r.marker.evaluate({"extra": "grading"})}
    assert {"nbgrader", "nbclient", "nbformat", "ipykernel"} <= grading, f"grading extra: {grading}"


def test_target_options_and_bad_targets() -> None:
    options = wheelhouse.Target("3.12", "manylinux_2_28_x86_64").pip_options()
    assert options[-6:] == ["--python-version", "3.12", "--implementation", "cp", "--abi", "cp312"]
    platforms = [options[i + 1] for i, option in enumerate(options) if option == "--platform"]
    # pip takes --platform literally: wheels tagged for older glibc must be accepted too
    assert platforms[0] == "manylinux_2_28_x86_64" and "manylinux2014_x86_64" in platforms
    assert "manylinux_2_17_x86_64" in platforms and "manylinux_2_29_x86_64" not in platforms
    aarch64 = wheelhouse.platform_tags("manylinux_2_17_aarch64")
    assert aarch64 == ["manylinux_2_17_aarch64", "manylinux2014_aarch64"]
    assert wheelhouse.platform_tags("win_amd64") == ["win_amd64"]
    with pytest.raises(ValueError, match="python must look like"):
        wheelhouse.Target("python3.12")
    with pytest.raises(ValueError, match="platform must be"):
        wheelhouse.Target("3.12", "manylinux x86")


def test_offline_check_refuses_an_incomplete_wheelhouse(project_wheel: Path) -> None:
    """The course's wheel alone cannot be installed offline: the check must say so."""
    with pytest.raises(RuntimeError, match="No matching distribution|Could not find"):
        wheelhouse.resolve(["dlgd-course[grading]"], wheelhouse.Target(), wheelhouse=project_wheel.parent)


@pytest.mark.slow
def test_gpu_node_target_resolves_the_autograding_stack(project_wheel: Path) -> None:
    """A GPU node's install (CPython 3.12, manylinux_2_28, a CUDA torch 2.11 from PyPI) resolves
    from binary wheels alone and brings every package ARCHITECTURE.md lists as what nbgrader's
    autograding needs in an image without Jupyter. Needs the package index (metadata only)."""
    target = wheelhouse.Target("3.12", "manylinux_2_28_x86_64")
    resolved = wheelhouse.resolve(
        ["torch==2.11.0", f"{project_wheel}[grading]", wheelhouse.pytest_requirement(REPO_ROOT)],
        target,
        wheelhouse=None,
    )
    assert wheelhouse.missing_autograding_packages(resolved) == []
    assert Version(resolved["torch"]).release[:2] == (2, 11)
    assert resolved["dlgd-course"] == "0.1.0" and "pytest" in resolved


# --- gpu-check -------------------------------------------------------------------------


def test_gpu_relevant_tests_are_those_that_use_the_course_device() -> None:
    selected = {p.relative_to(REPO_ROOT).as_posix() for p in gpu_check.gpu_relevant_tests(REPO_ROOT)}
    assert "tests/pipeline/test_notebook_helpers.py" in selected  # default_device(), quiet_trainer()
    assert "tests/assimilation/test_learned.py" in selected  # Lightning training
    assert "tests/test_dynamics.py" not in selected  # CPU generators only
    assert not any(p.startswith("tests/runners/") for p in selected)


def test_refuses_to_run_without_cuda(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setenv("DLGD_DEVICE", "cpu")
    assert gpu_check.main(["--notebooks", "00-pytorch-lightning"]) == 2
    assert "CUDA is not available" in capsys.readouterr().err
    with pytest.raises(ValueError, match="unknown notebooks"):
        gpu_check.main(["--allow-cpu", "--notebooks", "99-nothing"])


def _run_gpu_check(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, DLGD_DEVICE="cpu", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return subprocess.run(
        [sys.executable, "-m", "autograder.gpu_check", "--allow-cpu", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.slow
def test_gpu_check_on_cpu_grades_exercise_00_with_full_marks(tmp_path: Path) -> None:
    """The whole check on the CPU, for exercise 00 and one test file: full marks, device cpu."""
    table = tmp_path / "gpu-check.md"
    result = _run_gpu_check(
        "--notebooks",
        "00-pytorch-lightning",
        "--tests",
        "tests/pipeline/test_notebook_helpers.py",
        "--table",
        str(table),
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    points = sum(graded_cells(NOTEBOOK_00, written=False).values())  # written answers: by hand
    row = re.search(
        r"^\| 00-pytorch-lightning \| (\S+) \| ([\d.]+) \| ([\d.]+)/([\d.]+) \| ok \|$",
        table.read_text(),
        re.M,
    )
    assert row, table.read_text()
    assert row[1] == "cpu" and float(row[2]) > 0
    assert float(row[3]) == float(row[4]) == points, f"expected {points}/{points}, got {row[3]}/{row[4]}"
    assert "passed" in result.stdout and "- tests: exit status 0" in table.read_text()


@pytest.mark.slow
def test_gpu_check_fails_when_a_solution_loses_points(tmp_path: Path) -> None:
    """A course whose solution 00 carries the Euler-instead-of-RK4 mutant must fail the check."""
    mutant = load_mutant(REPO_ROOT / "tests" / "mutants" / "00-pytorch-lightning" / "euler_instead_of_rk4.py")
    folder = tmp_path / "solutions" / "00-pytorch-lightning"
    folder.mkdir(parents=True)
    apply_mutant(NOTEBOOK_00, mutant, folder / NOTEBOOK_00.name)
    result = _run_gpu_check("--root", str(tmp_path), "--tests")
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-3000:]
    row = r"^\| 00-pytorch-lightning \| cpu \|.*\| lost points \|$"
    assert re.search(row, result.stdout, re.M), result.stdout


# --- container recipes and workflow ------------------------------------------------------


def _torch_bounds() -> Requirement:
    text = (REPO_ROOT / "pyproject.toml").read_text()
    (line,) = re.findall(r'"(torch[<>=!~][^"]*)"', text)
    return Requirement(line)


def _base_image_torch(image: str) -> Version:
    match = re.fullmatch(r"pytorch/pytorch:(\d+\.\d+\.\d+)-cuda[\d.]+-cudnn\d+-(runtime|devel)", image)
    assert match, f"{image} is not a pytorch/pytorch CUDA image tag"
    return Version(match[1])


def test_dockerfile_base_image_and_build_context() -> None:
    text = (CONTAINERS / "Dockerfile").read_text()
    (image,) = re.findall(r"^ARG BASE_IMAGE=(\S+)$", text, re.M)
    torch_version = _base_image_torch(image)
    assert _torch_bounds().specifier.contains(torch_version), f"{image}: torch outside {_torch_bounds()}"
    assert re.search(r"^FROM \$\{BASE_IMAGE\}$", text, re.M)
    assert re.search(r"^USER grader$", text, re.M) and "useradd" in text, "the image must not grade as root"
    assert re.search(r'^CMD \["python", "-m", "autograder.gpu_check"\]$', text, re.M)
    assert "-c /tmp/keep-torch.txt" in text, "pip must keep the base image's CUDA torch"
    ignored = (CONTAINERS / "Dockerfile.dockerignore").read_text().split()
    for heavy in (".venv", "wheelhouse", ".git", "book/_build"):
        assert heavy in ignored, f"{heavy} would be copied into the image"
    assert text.count("python -m autograder.wheelhouse --print-pytest-requirement") == 1
    for needed in ("autograder", "dlgd_course", "solutions", "tests", "pyproject.toml"):
        assert (REPO_ROOT / needed).exists() and needed not in ignored


def test_apptainer_definition() -> None:
    text = (CONTAINERS / "dlgd.def").read_text()
    header = dict(re.findall(r"^(Bootstrap|From):\s*(\S+)$", text, re.M))
    assert header["Bootstrap"] == "docker"
    docker_image = re.search(r"^ARG BASE_IMAGE=(\S+)$", (CONTAINERS / "Dockerfile").read_text(), re.M)[1]
    assert header["From"] == docker_image, "Apptainer and Docker images must share their base"
    sections = dict(re.findall(r"^%(\w+)\n(.*?)(?=^%|\Z)", text, re.M | re.S))
    for section in ("files", "post", "environment", "runscript", "help", "labels", "test"):
        assert sections.get(section, "").strip(), f"dlgd.def lacks a %{section} section"
    for line in sections["files"].strip().splitlines():
        source, destination = line.split()
        assert (REPO_ROOT / source).exists(), f"%files copies {source}, which does not exist"
        assert destination.startswith("/opt/dlgd-course/")
    assert "--no-index --find-links /mnt" in sections["post"]
    assert "python -m autograder.wheelhouse --print-pytest-requirement" in sections["post"]
    assert "python -m autograder.gpu_check" in sections["runscript"]
    # the modules the recipes run exist
    assert (REPO_ROOT / "autograder" / "gpu_check.py").is_file()


def test_gpu_workflow() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as True
    assert "workflow_dispatch" in triggers
    (job,) = workflow["jobs"].values()
    assert {"self-hosted", "gpu"} <= set(job["runs-on"])
    steps = job["steps"]
    assert steps[0]["uses"].startswith("actions/checkout@")
    (check,) = [s for s in steps if "make gpu-check" in s.get("run", "")]
    torch_spec = Requirement(job["env"]["TORCH_SPEC"])
    assert torch_spec.name == "torch" and "==" not in str(torch_spec.specifier), "needs a CUDA torch"
    assert str(torch_spec.specifier) == str(_torch_bounds().specifier), "TORCH_SPEC must match pyproject"
    (upload,) = [s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert upload["if"] == "always()"
    assert upload["with"]["path"] == job["env"]["GPU_CHECK_TABLE"]
    assert "GPU_CHECK_TABLE" in check["run"]
    makefile = (REPO_ROOT / "Makefile").read_text()
    recipe = r"^gpu-check:.*\n\t.*autograder\.gpu_check --table \"\$\(GPU_CHECK_TABLE\)\""
    assert re.search(recipe, makefile, re.M), "make gpu-check must write the table the workflow uploads"

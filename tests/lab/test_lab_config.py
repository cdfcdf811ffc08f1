"""The Jupyter configuration that :mod:`autograder.lab` writes for each role (issue 12), without
starting a server: which nbgrader extensions each role gets, the nbgrader settings its servers
load, the launch command and the URL printed by the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from traitlets.config.loader import PyFileConfigLoader

from autograder import lab
from autograder.course import COURSE_ID

#: the repository (the course root of these tests)
REPO_ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.xdist_group("lab")


def _enabled(extensions: dict[str, bool]) -> set[str]:
    return {name.rsplit(".", 1)[-1] for name, on in extensions.items() if on}


def test_each_role_gets_only_its_nbgrader_extensions() -> None:
    assert _enabled(lab.server_extensions("student")) == {"assignment_list", "lab"}
    assert _enabled(lab.server_extensions("instructor")) == {"formgrader", "course_list"}
    # nbgrader's validate handler is replaced by the course's one for students, never left on
    for role in lab.ROLES:
        assert lab.server_extensions(role)["nbgrader.server_extensions.validate_assignment"] is False
    student_off = {n for n, off in lab.disabled_lab_plugins("student").items() if off}
    teacher_off = {n for n, off in lab.disabled_lab_plugins("instructor").items() if off}
    assert {
        "@jupyter/nbgrader:formgrader",
        "@jupyter/nbgrader:course-list",
        "@jupyter/nbgrader:create-assignment",
    } <= student_off
    assert "@jupyter/nbgrader:assignment-list" not in student_off
    assert {"@jupyter/nbgrader:assignment-list", "@jupyter/nbgrader:validate-assignment"} <= teacher_off
    assert "@jupyter/nbgrader:formgrader" not in teacher_off


def _load_nbgrader_config(directory: Path):
    return PyFileConfigLoader("nbgrader_config.py", path=str(directory)).load_config()


def test_written_config_dir_is_what_the_servers_load(tmp_path: Path) -> None:
    data, workspace = tmp_path / "data", tmp_path / "work"
    student = lab.write_config_dir("student", tmp_path / "s", root=REPO_ROOT, data=data, workspace=workspace)
    server = json.loads((student / "jupyter_server_config.json").read_text())
    assert server["ServerApp"]["jpserver_extensions"] == lab.server_extensions("student")
    page = json.loads((student / "labconfig" / "page_config.json").read_text())
    assert page["disabledExtensions"] == lab.disabled_lab_plugins("student")
    config = _load_nbgrader_config(student)
    assert config.CourseDirectory.course_id == COURSE_ID
    assert config.Exchange.root == str(data.resolve() / "exchange")
    assert config.Exchange.assignment_dir == str(workspace.resolve())
    assert config.IgnorePattern.enabled is True, "validation must filter stderr warnings as grading does"
    assert "db_url" not in config.CourseDirectory, "a student's server must not know the gradebook"

    teacher = lab.write_config_dir(
        "instructor", tmp_path / "i", root=REPO_ROOT, data=data, workspace=workspace
    )
    config = _load_nbgrader_config(teacher)
    assert config.CourseDirectory.root == str(REPO_ROOT)
    assert config.CourseDirectory.source_directory == "solutions"
    assert config.CourseDirectory.release_directory == "exercises"
    assert config.CourseDirectory.db_url == f"sqlite:///{data.resolve() / 'gradebook.db'}"
    assert config.Exchange.root == str(data.resolve() / "exchange")


def test_prepare_builds_the_launch_and_rejects_bad_input(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin", "JUPYTER_CONFIG_PATH": "/etc/other"}
    server = lab.prepare(
        "student", port=8123, workspace=tmp_path / "work", data=tmp_path / "data", token="abc", environ=env
    )
    assert server.url == "http://127.0.0.1:8123/lab?token=abc"
    assert server.root_dir == (tmp_path / "work").resolve() and server.root_dir.is_dir()
    assert server.env["JUPYTER_CONFIG_PATH"].split(":") == [str(server.config_dir), "/etc/other"]
    assert server.env["DLGD_COURSE_DATA"] == str((tmp_path / "data").resolve())
    assert "--ServerApp.port=8123" in server.argv and "--IdentityProvider.token=abc" in server.argv
    assert (tmp_path / "data" / "exchange").is_dir()
    teacher = lab.prepare("instructor", data=tmp_path / "data", environ=env)
    assert teacher.root_dir == REPO_ROOT and teacher.formgrader_url.split("?")[0].endswith("/formgrader")
    assert (tmp_path / "data" / "gradebook.db").parent.is_dir()

    with pytest.raises(ValueError, match="role must be one of"):
        lab.prepare("grader", data=tmp_path / "data", environ=env)
    with pytest.raises(ValueError, match="port must be"):
        lab.prepare("student", port=70000, workspace=tmp_path / "w", data=tmp_path / "data", environ=env)
    with pytest.raises(ValueError, match="outside the course root"):
        lab.prepare("student", workspace=REPO_ROOT / "exercises", data=tmp_path / "data", environ=env)


def test_command_line_prints_the_url_then_starts_jupyterlab(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    started = []
    monkeypatch.setenv("DLGD_COURSE_DATA", str(tmp_path / "data"))
    monkeypatch.setattr(lab.os, "execve", lambda path, argv, env: started.append((argv, env)))
    lab.main(["instructor", "--port", "8124"])
    out = capsys.readouterr().out
    assert "open:  http://127.0.0.1:8124/lab?token=" in out
    assert "formgrader:  http://127.0.0.1:8124/formgrader?token=" in out
    ((argv, env),) = started
    assert argv[1:3] == ["-m", "jupyterlab"] and env["DLGD_COURSE_DATA"] == str((tmp_path / "data").resolve())
    with pytest.raises(SystemExit):
        lab.main(["student", "--workspace", str(REPO_ROOT / "exercises")])
    assert "outside the course root" in capsys.readouterr().err

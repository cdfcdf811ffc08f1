"""JupyterLab for the course's students and instructors, with nbgrader's extensions (issue 12).

``make lab`` / ``python -m autograder.lab student`` starts JupyterLab for a student: the
*Assignments* panel (``assignment_list``) on the course's exchange, and the *Validate*
button of notebooks. ``make formgrader`` / ``python -m autograder.lab instructor`` starts it
for an instructor at the course root (this repository): the formgrader with its gradebook,
the course list and the *Create Assignment* cell toolbar. Each role gets only its own
nbgrader extensions (nbgrader 0.9.6 installs and enables all of them):

- server extensions ``nbgrader.server_extensions.{assignment_list, validate_assignment,
  formgrader, course_list}`` — toggled in ``jupyter_server_config.json``;
- JupyterLab plugins ``@jupyter/nbgrader:{assignment-list, validate-assignment, formgrader,
  course-list, create-assignment}`` — toggled in ``labconfig/page_config.json``.

Both files and an ``nbgrader_config.py`` are written into a Jupyter configuration folder of
the role (default ``<data>/jupyter/<role>``, ``<data>`` being
:func:`autograder.course.data_dir`), put first on ``JUPYTER_CONFIG_PATH`` so that the user's
own ``~/.jupyter`` settings still apply.

nbgrader's validate handler runs a ``Validator`` without the course's stderr filter
(``IgnorePattern``, see :mod:`autograder.course`): a correct notebook whose test cell prints
a warning would fail. The student server therefore replaces ``validate_assignment`` by this
module's server extension, which serves the same URLs with
:func:`autograder.grading.course_validator`, so that *Validate* gives the course's verdict.
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import sys
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from traitlets.config import Config

from autograder.course import COURSE_ID, course_config, data_dir, ensure_state_directories, execution_settings
from autograder.locate import course_root

ROLES = ("student", "instructor")
NBGRADER_SERVER_EXTENSIONS = {
    "student": ("assignment_list",),
    "instructor": ("formgrader", "course_list"),
}
ALL_SERVER_EXTENSIONS = ("assignment_list", "validate_assignment", "formgrader", "course_list")
NBGRADER_LAB_PLUGINS = {
    "student": ("assignment-list", "validate-assignment"),
    "instructor": ("formgrader", "course-list", "create-assignment"),
}
ALL_LAB_PLUGINS = ("assignment-list", "validate-assignment", "formgrader", "course-list", "create-assignment")
COURSE_VALIDATE_EXTENSION = "autograder.lab"
# The course runs offline: no pop-up offering to fetch Jupyter news from the internet.
OTHER_LAB_PLUGINS_OFF = ("@jupyterlab/apputils-extension:announcements",)


def default_workspace() -> Path:
    """Where a student's fetched assignments land: ``~/dlgd-course`` (outside the repository)."""
    return Path.home() / "dlgd-course"


def student_config(workspace: Path | str, root: Path | str, data: Path | str | None = None) -> Config:
    """nbgrader settings of a student: the course's exchange, fetched assignments in
    ``workspace/<course>/<assignment>``, and the course's execution settings for validation.

    ``root`` is the course the student's server belongs to, given explicitly: the server runs in
    the student's workspace, outside the course, where the course cannot be found."""
    course = course_config(root, data)
    c = Config()
    c.CourseDirectory.course_id = COURSE_ID
    c.Exchange.root = course.Exchange.root
    c.Exchange.path_includes_course = course.Exchange.path_includes_course
    c.Exchange.assignment_dir = str(Path(workspace).resolve())
    c.merge(execution_settings())
    return c


def nbgrader_settings(role: str, *, root: Path | str, data: Path | str, workspace: Path | str) -> Config:
    """The nbgrader configuration of ``role`` (loaded by ``nbgrader_config.py`` in the server)."""
    _check_role(role)
    if role == "student":
        return student_config(workspace, root, data)
    return course_config(root, data)


def server_extensions(role: str) -> dict[str, bool]:
    """``ServerApp.jpserver_extensions`` of ``role``: nbgrader's own ones on or off, and the
    course's validate handler for a student."""
    _check_role(role)
    enabled = {
        f"nbgrader.server_extensions.{name}": name in NBGRADER_SERVER_EXTENSIONS[role]
        for name in ALL_SERVER_EXTENSIONS
    }
    enabled[COURSE_VALIDATE_EXTENSION] = role == "student"
    return enabled


def disabled_lab_plugins(role: str) -> dict[str, bool]:
    """``disabledExtensions`` of JupyterLab's page config: the other role's nbgrader plugins
    (and the news announcements)."""
    _check_role(role)
    disabled = {
        f"@jupyter/nbgrader:{name}": name not in NBGRADER_LAB_PLUGINS[role] for name in ALL_LAB_PLUGINS
    }
    return disabled | dict.fromkeys(OTHER_LAB_PLUGINS_OFF, True)


def write_config_dir(
    role: str, directory: Path | str, *, root: Path | str, data: Path | str, workspace: Path | str
) -> Path:
    """Write the Jupyter configuration folder of ``role`` into ``directory``; returns it.

    Holds ``jupyter_server_config.json`` (server extensions), ``labconfig/page_config.json``
    (lab plugins) and ``nbgrader_config.py`` (calls :func:`nbgrader_settings`).
    """
    import json

    _check_role(role)
    directory = Path(directory).resolve()
    (directory / "labconfig").mkdir(parents=True, exist_ok=True)
    server = {"ServerApp": {"jpserver_extensions": server_extensions(role)}}
    (directory / "jupyter_server_config.json").write_text(json.dumps(server, indent=2) + "\n")
    page = {"disabledExtensions": disabled_lab_plugins(role)}
    (directory / "labconfig" / "page_config.json").write_text(json.dumps(page, indent=2) + "\n")
    paths = {
        name: str(Path(value).resolve())
        for name, value in (("root", root), ("data", data), ("workspace", workspace))
    }
    (directory / "nbgrader_config.py").write_text(
        f'"""nbgrader settings of the course {COURSE_ID!r} for the {role}, written by autograder.lab."""\n\n'
        "from autograder.lab import nbgrader_settings\n\n"
        "c = get_config()  # noqa: F821  (provided by the Jupyter application loading this file)\n"
        f"c.merge(nbgrader_settings({role!r}, root={paths['root']!r}, data={paths['data']!r}, "
        f"workspace={paths['workspace']!r}))\n"
    )
    return directory


@dataclass(frozen=True)
class LabServer:
    """How to start the JupyterLab server of one role: ``argv`` run with ``env``."""

    role: str
    argv: list[str]
    env: dict[str, str]
    url: str
    root_dir: Path
    config_dir: Path

    @property
    def formgrader_url(self) -> str:
        return self.url.replace("/lab?", "/formgrader?", 1)


def free_port() -> int:
    """A TCP port free on localhost now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(
    role: str,
    *,
    port: int = 0,
    workspace: Path | str | None = None,
    root: Path | str | None = None,
    data: Path | str | None = None,
    config_dir: Path | str | None = None,
    token: str | None = None,
    environ: dict[str, str] | None = None,
) -> LabServer:
    """Write the configuration of ``role`` and return how to start its server.

    The student's server serves ``workspace`` (default :func:`default_workspace`); the
    instructor's serves the course ``root`` (default :func:`~autograder.locate.course_root`).
    ``port`` 0 picks a free one; ``token`` defaults to a random one. State (exchange,
    gradebook) is in ``data`` (default :func:`data_dir`).
    """
    _check_role(role)
    if not 0 <= port < 65536:
        raise ValueError(f"port must be in 0..65535, got {port!r}")
    data_path = Path(data).resolve() if data is not None else data_dir()
    workspace_path = Path(workspace).expanduser().resolve() if workspace else default_workspace()
    root_path = course_root(root)
    if role == "student" and workspace_path.is_relative_to(root_path):
        raise ValueError(
            f"the student workspace {workspace_path} must lie outside the course root {root_path}"
        )
    directory = Path(config_dir) if config_dir else data_path / "jupyter" / role
    write_config_dir(role, directory, root=root_path, data=data_path, workspace=workspace_path)
    settings = nbgrader_settings(role, root=root_path, data=data_path, workspace=workspace_path)
    ensure_state_directories(settings)
    served = workspace_path if role == "student" else root_path
    served.mkdir(parents=True, exist_ok=True)

    port = port or free_port()
    token = token or secrets.token_hex(24)
    env = dict(os.environ if environ is None else environ)
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(
        p for p in (str(directory.resolve()), env.get("JUPYTER_CONFIG_PATH", "")) if p
    )
    env["DLGD_COURSE_DATA"] = str(data_path)
    # nbgrader's gradebook runs the `alembic` executable of this environment
    env["PATH"] = os.pathsep.join(p for p in (str(Path(sys.executable).parent), env.get("PATH", "")) if p)
    argv = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={served}",
        f"--IdentityProvider.token={token}",
    ]
    if os.name == "posix" and os.geteuid() == 0:  # containers (CI, JupyterHub images) run as root
        argv.append("--ServerApp.allow_root=True")
    url = f"http://127.0.0.1:{port}/lab?token={token}"
    return LabServer(role, argv, env, url, served, directory.resolve())


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}, got {role!r}")


# --- the course's validate handler (a Jupyter server extension) -------------------------------


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": COURSE_VALIDATE_EXTENSION}]


def _load_jupyter_server_extension(serverapp: object) -> None:
    """Serve ``/assignments/validate`` (with the course's validator) and ``/nbgrader_version``,
    the URLs of nbgrader's ``validate_assignment`` extension that the lab plugin calls."""
    from jupyter_server.utils import url_path_join
    from nbgrader.server_extensions.validate_assignment import handlers
    from tornado import web

    from autograder.grading import course_validator

    class CourseValidateHandler(handlers.ValidateAssignmentHandler):
        def validate_notebook(self, path: str) -> dict[str, object]:
            root = Path(self.root_dir).resolve()
            target = (root / path).resolve()
            if not target.is_relative_to(root):
                raise web.HTTPError(403, "the notebook lies outside the server's root folder")
            try:
                results = course_validator(self.load_config()).validate(str(target))
            except Exception:
                self.log.error(traceback.format_exc())
                return {"success": False, "value": traceback.format_exc()}
            return {"success": True, "value": results}

    webapp = serverapp.web_app  # type: ignore[attr-defined]
    webapp.settings["root_dir"] = serverapp.root_dir  # type: ignore[attr-defined]
    base_url = webapp.settings["base_url"]
    webapp.add_handlers(
        ".*$",
        [
            (url_path_join(base_url, "/assignments/validate"), CourseValidateHandler),
            (url_path_join(base_url, "/nbgrader_version"), handlers.NbGraderVersionHandler),
        ],
    )


# --- command line ------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m autograder.lab student|instructor [--port N] [--workspace DIR]``: print the
    URL, then replace this process by the JupyterLab server (Ctrl-C stops it)."""
    parser = argparse.ArgumentParser(prog="python -m autograder.lab", description=__doc__.splitlines()[0])
    parser.add_argument("role", choices=ROLES)
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    parser.add_argument(
        "--workspace",
        type=Path,
        default=None,
        help=f"student: folder of fetched assignments (default {default_workspace()})",
    )
    parser.add_argument(
        "--course-root", type=Path, help="the course folder (default: $DLGD_COURSE_ROOT or the current one)"
    )
    args = parser.parse_args(argv)
    try:
        server = prepare(args.role, port=args.port, workspace=args.workspace, root=args.course_root)
    except ValueError as error:
        parser.error(str(error))
    print(f"dlgd-course JupyterLab for the {server.role}, serving {server.root_dir}")
    print(
        f"course data (exchange{', gradebook' if server.role == 'instructor' else ''}): "
        f"{server.env['DLGD_COURSE_DATA']}"
    )
    print(f"open:  {server.url}")
    if server.role == "instructor":
        print(f"formgrader:  {server.formgrader_url}")
    sys.stdout.flush()
    os.execve(server.argv[0], server.argv, server.env)


if __name__ == "__main__":
    main()

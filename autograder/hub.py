"""``make hub``: the course on a real JupyterHub on this machine, one Unix user per person (issue 21).

    sudo make hub                                   # 1 instructor, 3 students, http://127.0.0.1:8000
    sudo .venv/bin/python -m autograder.hub up --students 30 --port 8000
    sudo .venv/bin/python -m autograder.hub grade 00-pytorch-lightning --workers 2

Pipeline of ``up`` (run as root; it says so otherwise):

1. accounts: the instructor and the students are Unix users (``useradd``, home folders made
   private, mode 0700), each with a random password (``chpasswd``) printed once and kept in
   ``<state>/accounts.txt`` (root only); users that exist keep their home and get a new password;
2. Python for the users' servers: a virtual environment ``<state>/venv`` with the course
   installed from its wheel (no ``solutions/``, no hidden test, no mutant) over the packages of
   the environment running this command;
3. the instructor's course: ``nbgrader_config.py`` and ``solutions/`` copied into
   ``~instructor/dlgd-course``, and the course data (gradebook, ``submitted/``,
   ``autograded/``, ``feedback/``) in ``~instructor/dlgd-data``, both private to the instructor;
4. the nbgrader exchange ``<exchange>`` (default ``/srv/nbgrader/exchange``, mode 0777 as
   nbgrader requires); the instructor's first release creates ``dlgd/{outbound,inbound,feedback}``
   in it with nbgrader's own permissions (students may write into ``inbound`` but not list it);
5. Jupyter configuration per role in ``<state>/jupyter/<role>``: a student's server offers the
   assignment list and *Validate* only, and its nbgrader settings are literal values (it never
   reads the course); the instructor's offers the formgrader, the course list and *Create
   Assignment*, on the instructor's course;
6. ``<state>/jupyterhub_config.py``: login with the Unix passwords (PAM), only the course's
   users allowed, every server started as its own user (``LocalProcessSpawner``), the role's
   environment set before each start;
7. JupyterHub in the foreground, behind ``configurable-http-proxy`` (npm); Ctrl-C or SIGTERM
   stops the hub, the proxy and every user's server.

``grade`` runs ``dlgd-grade`` on the instructor's course (its ``local`` sandbox needs root),
then gives the course data back to the instructor, whose formgrader then shows the grades and
releases the feedback.
"""

from __future__ import annotations

import argparse
import grp
import json
import os
import pwd
import secrets
import shutil
import site
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from autograder.course import COURSE_ID
from autograder.lab import default_workspace, disabled_lab_plugins, server_extensions, student_config
from autograder.locate import SOURCE_DIRECTORY, course_root
from autograder.offline_math import MATHJAX_SCRIPT, mathjax_dir

DEFAULT_STATE = Path("/srv/dlgd-hub")
DEFAULT_EXCHANGE = Path("/srv/nbgrader/exchange")
DEFAULT_INSTRUCTOR = "instructor"
STUDENT_PREFIX = "student"
STUDENTS_GROUP = "dlgd-students"
COURSE_FOLDER = "dlgd-course"
DATA_FOLDER = "dlgd-data"
#: The student's workspace, relative to their home (fetched assignments in <it>/dlgd/<assignment>).
WORKSPACE = default_workspace().relative_to(Path.home())


class HubSetupError(RuntimeError):
    """The hub cannot be set up here (not root, a tool missing, a user name taken...)."""


@dataclass(frozen=True)
class HubLayout:
    """Where the hub keeps its files, and who uses it."""

    state: Path = DEFAULT_STATE
    exchange: Path = DEFAULT_EXCHANGE
    instructor: str = DEFAULT_INSTRUCTOR
    students: tuple[str, ...] = (f"{STUDENT_PREFIX}1", f"{STUDENT_PREFIX}2", f"{STUDENT_PREFIX}3")
    port: int = 8000

    def __post_init__(self) -> None:
        names = (self.instructor, *self.students)
        if len(set(names)) != len(names):
            raise ValueError(f"user names must differ: {names}")
        bad = [n for n in names if not n.isascii() or not n[:1].isalpha() or not n.replace("-", "").isalnum()]
        if bad or any(n != n.lower() or len(n) > 32 for n in names):
            raise ValueError(f"user names must be lower-case letters, digits and '-', got {bad or names}")
        if not 0 < self.port < 65536:
            raise ValueError(f"port must be in 1..65535, got {self.port}")

    @property
    def venv(self) -> Path:
        return self.state / "venv"

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def home(self, user: str) -> Path:
        return Path(pwd.getpwnam(user).pw_dir)

    def course_root(self) -> Path:
        return self.home(self.instructor) / COURSE_FOLDER

    def course_data(self) -> Path:
        return self.home(self.instructor) / DATA_FOLDER

    def config_dir(self, role: str) -> Path:
        return self.state / "jupyter" / role


def require_root() -> None:
    """Raise :class:`HubSetupError` unless this process runs as root."""
    if os.geteuid() != 0:
        raise HubSetupError(
            "the hub creates Unix users and starts servers as them: run it as root "
            "(sudo make hub, or sudo .venv/bin/python -m autograder.hub up)"
        )


def _run(argv: Sequence[str], **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(list(argv), capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        raise HubSetupError(f"{' '.join(argv)} failed ({result.returncode}): {result.stderr.strip()}")
    return result


def create_users(layout: HubLayout) -> dict[str, str]:
    """Create (or reuse) the Unix users of ``layout`` with new random passwords; returns
    ``{user: password}``. Homes are made private (0700); students join :data:`STUDENTS_GROUP` and
    get their workspace ``~/dlgd-course``."""
    try:
        grp.getgrnam(STUDENTS_GROUP)
    except KeyError:
        _run(["groupadd", STUDENTS_GROUP])
    passwords = {}
    for user in (layout.instructor, *layout.students):
        try:
            pwd.getpwnam(user)
        except KeyError:
            _run(["useradd", "--create-home", "--shell", "/bin/bash", user])
        if user in layout.students:
            _run(["usermod", "--append", "--groups", STUDENTS_GROUP, user])
        home = layout.home(user)
        home.chmod(0o700)
        if user in layout.students:  # nbgrader's assignment list needs the workspace to exist
            entry = pwd.getpwnam(user)
            workspace = home / WORKSPACE
            workspace.mkdir(exist_ok=True)
            os.chown(workspace, entry.pw_uid, entry.pw_gid)
        passwords[user] = secrets.token_urlsafe(12)
    _run(["chpasswd"], input="".join(f"{user}:{word}\n" for user, word in passwords.items()))
    return passwords


def install_environment(layout: HubLayout, wheel: Path) -> Path:
    """The users' Python: a venv with the course's ``wheel`` over this environment's packages
    (plain path lines: the repository's editable install is not read). Returns its python."""
    if not wheel.is_file() or wheel.suffix != ".whl":
        raise HubSetupError(f"no wheel at {wheel}: build it with `python -m build --wheel` or `make hub`")
    if layout.venv.exists():
        shutil.rmtree(layout.venv)
    _run([sys.executable, "-m", "venv", "--without-pip", str(layout.venv)])
    (site_packages,) = layout.venv.glob("lib/python*/site-packages")
    (site_packages / "course-environment.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    _run(
        [
            str(layout.python),
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--no-index",
            "--ignore-installed",
            str(wheel),
        ],
        env={k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "DLGD_COURSE_ROOT"}},
    )
    for path in (layout.state, layout.venv):
        path.chmod(0o755)
    return layout.python


def interpreter_paths() -> list[Path]:
    """The files the users' servers need from this environment: its interpreter and packages."""
    return [Path(sys.executable).resolve(), Path(sys.base_prefix) / "lib", *map(Path, site.getsitepackages())]


def make_reachable(paths: Sequence[Path]) -> list[Path]:
    """Let every user traverse (not list) the folders above ``paths``, so that the users'
    servers can run this machine's Python (e.g. under ``/root/.pyenv``); returns the folders
    changed (``o+x`` added)."""
    changed = []
    for path in paths:
        for folder in Path(path).resolve().parents:
            mode = folder.stat().st_mode
            if not mode & 0o001:
                folder.chmod(mode | 0o001)
                changed.append(folder)
    return changed


def copy_course(layout: HubLayout, source: Path | str | None = None) -> Path:
    """``nbgrader_config.py`` and ``solutions/`` of the course at ``source`` (default: the
    course around the current folder) into the instructor's private course folder."""
    source_root = course_root(source)
    root, data = layout.course_root(), layout.course_data()
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(mode=0o700)
    shutil.copy2(source_root / "nbgrader_config.py", root)
    shutil.copytree(source_root / SOURCE_DIRECTORY, root / SOURCE_DIRECTORY)
    mathjax = mathjax_dir(source_root)  # the formgrader's and the feedback's offline equations
    if not (mathjax / MATHJAX_SCRIPT).is_file():
        raise HubSetupError(f"the course's MathJax is missing in {mathjax}: run `make mathjax`")
    shutil.copytree(mathjax, root / "book" / "_mathjax" / "mathjax" / "es5")
    data.mkdir(mode=0o700, exist_ok=True)
    entry = pwd.getpwnam(layout.instructor)
    for path in (root, data):
        _run(["chown", "-R", f"{entry.pw_uid}:{entry.pw_gid}", str(path)])
        path.chmod(0o700)
    return root


def student_nbgrader_config(layout: HubLayout) -> str:
    """The nbgrader settings of a student's server, as literal values (``nbgrader_config.py``):
    the course id, the hub's exchange, ``~/dlgd-course`` as the workspace, and the course's
    execution settings for *Validate*. Computed once here, where the course can be read."""
    settings = student_config(Path("/nonexistent-workspace"), layout.course_root(), layout.course_data())
    settings.Exchange.root = str(layout.exchange)
    lines = [
        f'"""nbgrader settings of a student of the course {COURSE_ID!r} on the hub (autograder.hub)."""',
        "",
        "import os",
        "",
        "c = get_config()  # noqa: F821  (provided by the Jupyter application loading this file)",
    ]
    for section, values in sorted(settings.items()):
        for key, value in sorted(values.items()):
            if (section, key) == ("Exchange", "assignment_dir"):
                lines.append(f"c.{section}.{key} = os.path.expanduser({f'~/{WORKSPACE}'!r})")
            else:
                lines.append(f"c.{section}.{key} = {value!r}")
    return "\n".join(lines) + "\n"


INSTRUCTOR_NBGRADER_CONFIG = f'''"""nbgrader settings of the instructor of the course {COURSE_ID!r} on the hub
(autograder.hub): the course, its data and the exchange come from the server's environment
(DLGD_COURSE_ROOT, DLGD_COURSE_DATA, DLGD_EXCHANGE), set by the hub."""

from autograder.course import course_config

c = get_config()  # noqa: F821  (provided by the Jupyter application loading this file)
c.merge(course_config())
'''


def write_role_configs(layout: HubLayout) -> None:
    """The Jupyter configuration folders of both roles (readable by all; nothing secret)."""
    for role in ("student", "instructor"):
        directory = layout.config_dir(role)
        (directory / "labconfig").mkdir(parents=True, exist_ok=True)
        server = {
            "ServerApp": {
                "jpserver_extensions": server_extensions(role),
                # JupyterHub's single-user server forbids all framing; the formgrader is a frame
                # of JupyterLab, served by the same server
                "tornado_settings": {"headers": {"Content-Security-Policy": "frame-ancestors 'self'"}},
            }
        }
        (directory / "jupyter_server_config.json").write_text(json.dumps(server, indent=2) + "\n")
        page = {"disabledExtensions": disabled_lab_plugins(role)}
        (directory / "labconfig" / "page_config.json").write_text(json.dumps(page, indent=2) + "\n")
        (directory / "nbgrader_config.py").write_text(
            student_nbgrader_config(layout) if role == "student" else INSTRUCTOR_NBGRADER_CONFIG
        )
        for path in (layout.state / "jupyter", directory, directory / "labconfig"):
            path.chmod(0o755)
        for path in directory.rglob("*"):
            if path.is_file():
                path.chmod(0o644)


def prepare_exchange(layout: HubLayout) -> None:
    """The exchange root, writable by every user (nbgrader's requirement)."""
    layout.exchange.mkdir(parents=True, exist_ok=True)
    layout.exchange.chmod(0o777)
    for parent in layout.exchange.parents:
        if parent == Path("/"):
            break
        parent.chmod(parent.stat().st_mode | 0o755)


def proxy_command(repository: Path) -> Path:
    """``configurable-http-proxy`` installed by ``make hub-deps`` (``.hub/node_modules``), else on PATH."""
    local = repository / ".hub" / "node_modules" / ".bin" / "configurable-http-proxy"
    if local.is_file():
        return local
    found = shutil.which("configurable-http-proxy")
    if not found:
        raise HubSetupError(
            "configurable-http-proxy is missing: run `make hub-deps` (npm install into .hub/)"
        )
    return Path(found)


HUB_CONFIG = '''"""JupyterHub of the course {course!r}, written by autograder.hub: run as root."""

c = get_config()  # noqa: F821  (provided by JupyterHub)

INSTRUCTOR = {instructor!r}
STUDENTS = {students!r}
ROLE_CONFIG = {role_config!r}
VENV_BIN = {venv_bin!r}
# tools of the environment the venv builds on, after the venv's own (nbgrader runs `alembic`)
TOOLS_BIN = {tools_bin!r}
# JupyterLab, nbgrader's extensions and the kernel of the environment the venv builds on: its
# settings (after the role's, which take precedence) and its data
JUPYTER_SETTINGS = {jupyter_settings!r}
JUPYTER_DATA = {jupyter_data!r}
COURSE_ROOT = {course_root!r}
COURSE_DATA = {course_data!r}
EXCHANGE = {exchange!r}

c.JupyterHub.bind_url = "http://127.0.0.1:{port}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.db_url = "sqlite:///{state}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "{state}/jupyterhub_cookie_secret"
c.JupyterHub.pid_file = "{state}/jupyterhub.pid"
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True
c.ConfigurableHTTPProxy.command = [{proxy!r}]
c.ConfigurableHTTPProxy.pid_file = "{state}/proxy.pid"

# Unix users and their passwords (PAM); nobody else may log in, nobody is a hub admin
c.JupyterHub.authenticator_class = "pam"
c.Authenticator.allowed_users = {{INSTRUCTOR, *STUDENTS}}
c.Authenticator.admin_users = set()
c.PAMAuthenticator.open_sessions = False

# each server runs as its own Unix user, from the course's venv (the course's wheel inside)
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [VENV_BIN + "/python", "-m", "jupyterhub.singleuser"]
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120


def role_environment(spawner):
    """The role's Jupyter configuration, course and threads, set before each server starts."""
    user = spawner.user.name
    role = "instructor" if user == INSTRUCTOR else "student"
    spawner.environment = {{
        "JUPYTER_CONFIG_PATH": ROLE_CONFIG[role] + ":" + JUPYTER_SETTINGS,
        "JUPYTER_PATH": JUPYTER_DATA,
        "PATH": VENV_BIN + ":" + TOOLS_BIN + ":/usr/local/bin:/usr/bin:/bin",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }}
    if role == "instructor":
        spawner.environment |= {{
            "DLGD_COURSE_ROOT": COURSE_ROOT,
            "DLGD_COURSE_DATA": COURSE_DATA,
            "DLGD_EXCHANGE": EXCHANGE,
        }}
        spawner.notebook_dir = COURSE_ROOT
    else:
        spawner.notebook_dir = "~"


c.Spawner.pre_spawn_hook = role_environment
'''


def write_hub_config(layout: HubLayout, proxy: Path) -> Path:
    """``<state>/jupyterhub_config.py`` (root only: it names the course's private folders)."""
    path = layout.state / "jupyterhub_config.py"
    path.write_text(
        HUB_CONFIG.format(
            course=COURSE_ID,
            instructor=layout.instructor,
            students=list(layout.students),
            role_config={role: str(layout.config_dir(role)) for role in ("student", "instructor")},
            venv_bin=str(layout.venv / "bin"),
            tools_bin=str(Path(sys.executable).parent),
            jupyter_settings=str(Path(sys.prefix) / "etc" / "jupyter"),
            jupyter_data=str(Path(sys.prefix) / "share" / "jupyter"),
            course_root=str(layout.course_root()),
            course_data=str(layout.course_data()),
            exchange=str(layout.exchange),
            port=layout.port,
            state=layout.state,
            proxy=str(proxy),
        )
    )
    path.chmod(0o600)
    return path


def set_up(layout: HubLayout, wheel: Path, repository: Path) -> tuple[dict[str, str], Path]:
    """Steps 1–6 of the module's pipeline; returns the passwords and the hub's configuration."""
    require_root()
    proxy = proxy_command(repository)
    layout.state.mkdir(parents=True, exist_ok=True)
    layout.state.chmod(0o755)
    passwords = create_users(layout)
    for folder in make_reachable([*interpreter_paths(), layout.state]):
        print(f"autograder.hub: {folder} may now be traversed by every user (o+x), for its Python")
    install_environment(layout, wheel)
    copy_course(layout, repository)
    prepare_exchange(layout)
    write_role_configs(layout)
    accounts = layout.state / "accounts.txt"
    accounts.write_text("".join(f"{user} {word}\n" for user, word in passwords.items()))
    accounts.chmod(0o600)
    return passwords, write_hub_config(layout, proxy)


def hub_command(layout: HubLayout, config: Path) -> list[str]:
    """The JupyterHub command line (run as root, in the state folder)."""
    return [sys.executable, "-m", "jupyterhub", "-f", str(config)]


def give_back(layout: HubLayout) -> None:
    """The instructor's course data back to the instructor (after root graded into it)."""
    entry = pwd.getpwnam(layout.instructor)
    _run(["chown", "-R", f"{entry.pw_uid}:{entry.pw_gid}", str(layout.course_data())])


def grade(layout: HubLayout, assignment: str, workers: int, extra: Sequence[str] = ()) -> int:
    """``dlgd-grade`` (sandboxed, ``workers`` in parallel) on the instructor's course, as root;
    the course data is given back to the instructor afterwards. Returns dlgd-grade's status."""
    from autograder import cli

    require_root()
    try:
        return cli.main(
            [
                assignment,
                "--workers",
                str(workers),
                "--course-root",
                str(layout.course_root()),
                "--course-data",
                str(layout.course_data()),
                "--no-progress",
                *extra,
            ]
        )
    finally:
        give_back(layout)


def _layout(args: argparse.Namespace) -> HubLayout:
    students = tuple(f"{STUDENT_PREFIX}{i}" for i in range(1, args.students + 1))
    return HubLayout(args.state, args.exchange, args.instructor, students, args.port)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.hub", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("up", "grade"))
    parser.add_argument("assignment", nargs="?", help="grade: the assignment id")
    parser.add_argument("--students", type=int, default=3, help="up: number of students (student1..N)")
    parser.add_argument("--instructor", default=DEFAULT_INSTRUCTOR, help="the instructor's user name")
    parser.add_argument("--port", type=int, default=8000, help="the hub's port on 127.0.0.1")
    parser.add_argument("--state", type=Path, default=DEFAULT_STATE, help="the hub's own folder")
    parser.add_argument("--exchange", type=Path, default=DEFAULT_EXCHANGE, help="nbgrader's exchange root")
    parser.add_argument("--wheel", type=Path, help="up: the course's wheel (make hub builds it)")
    parser.add_argument("--course-root", type=Path, help="up: the course to copy (default: this one)")
    parser.add_argument("--workers", type=int, default=2, help="grade: parallel sandboxes")
    args = parser.parse_args(argv)
    try:
        if args.students < 1:
            raise ValueError(f"--students must be at least 1, got {args.students}")
        layout = _layout(args)
        if args.command == "grade":
            if not args.assignment:
                raise ValueError("grade needs the assignment id")
            return grade(layout, args.assignment, args.workers)
        if args.wheel is None:
            raise ValueError("up needs --wheel (make hub builds it)")
        repository = course_root(args.course_root)
        passwords, config = set_up(layout, args.wheel, repository)
    except (HubSetupError, ValueError) as error:
        print(f"autograder.hub: {error}", file=sys.stderr)
        return 2
    print(f"dlgd-course JupyterHub: {layout.url}  (Ctrl-C stops it and every server)")
    print(f"  instructor  {layout.instructor}  {passwords[layout.instructor]}  (formgrader: Nbgrader menu)")
    for user in layout.students:
        print(f"  student     {user}  {passwords[user]}")
    print(f"  accounts kept in {layout.state / 'accounts.txt'} (root only); grade with:")
    print(f"  sudo {sys.executable} -m autograder.hub grade ASSIGNMENT --workers 2")
    sys.stdout.flush()
    os.chdir(layout.state)
    os.execv(sys.executable, hub_command(layout, config))


if __name__ == "__main__":
    sys.exit(main())

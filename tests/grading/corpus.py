"""The adversarial corpus: hostile or broken submissions of the tiny fixture assignment
(``tests/pipeline/fixtures/01-tiny``: ``add`` tested by ``test_add``, 2 points; ``square``
tested by ``test_square``, 3 points), each with the score it must get and the reason the
report must give.

A case edits the student version: ``solutions`` replaces the code of solution cells (by
grade id), ``edit`` changes the notebook further, ``raw`` replaces the file's bytes,
``filename`` saves it under another name. ``{placeholders}`` in code are filled in by the
test (paths the submission must not read, a port it must not reach).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from nbformat.notebooknode import NotebookNode

ADD = "def add(a, b):\n    return a + b\n"
SQUARE = "def square(x):\n    return x * x\n"
FULL = {"test_add": 2.0, "test_square": 3.0}


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


CASES = [
    Case("full", FULL, {"add": ADD, "square": SQUARE}),
    Case("blank", {"test_add": 0.0, "test_square": 0.0}),
    Case("partial", {"test_add": 2.0, "test_square": 0.0},
         {"add": ADD, "square": "def square(x):\n    return x + x\n"}),
    Case("infinite_loop", {"test_add": 0.0, "test_square": 3.0},
         {"add": "while True:\n    pass\n" + ADD, "square": SQUARE},
         reason="exceeded the time limit of one cell"),
    Case("memory_bomb", {"test_add": 0.0, "test_square": 3.0},
         {"add": "blocks = []\nwhile True:\n    blocks.append(bytearray(64 * 2**20))\n" + ADD,
          "square": SQUARE},
         reason="ran out of memory"),
    Case("fork_bomb", {"test_add": 0.0, "test_square": 3.0},
         {"add": "import os, time\nwhile True:\n    if os.fork() == 0:\n        time.sleep(600)\n"
                 "        os._exit(0)\n" + ADD, "square": SQUARE},
         reason="could not start more processes"),
    Case("output_flood", FULL,
         {"add": ADD + "for _ in range(300):\n    print('x' * 100_000)\n", "square": SQUARE}),
    Case("kills_kernel", {"test_add": 2.0, "test_square": 0.0},
         {"add": ADD, "square": "import os\nos._exit(3)\n" + SQUARE},
         reason="the kernel died"),
    Case("network", FULL,
         {"add": "import socket\nfor host in {hosts!r}:\n    try:\n"
                 "        socket.create_connection((host, {port}), timeout=3).sendall(b'LEAK')\n"
                 "        print('CONNECTED', host)\n"
                 "    except OSError as error:\n        print('blocked', host, error)\n" + ADD,
          "square": SQUARE}),
    Case("snoops", FULL,
         {"add": "import os\nfor path in {secrets!r}:\n    try:\n"
                 "        seen = bool(os.listdir(path) if os.path.isdir(path)\n"
                 "                    else open(path, 'rb').read())\n"
                 "    except OSError:\n        seen = False\n"
                 "    print('SEEN' if seen else 'hidden', path)\n" + ADD, "square": SQUARE}),
    Case("edits_locked_test", {"test_add": 0.0, "test_square": 3.0},
         {"add": "def add(a, b):\n    return a - b\n", "square": SQUARE},
         edit=_set_locked("test_add", "pass")),
    Case("deletes_locked_test", {"test_add": 2.0, "test_square": 0.0},
         {"add": ADD, "square": "def square(x):\n    return x\n"}, edit=_delete("test_square")),
    Case("always_equal", {"test_add": 0.0, "test_square": 3.0},
         {"add": "class Anything(int):\n    def __eq__(self, other):\n        return True\n\n"
                 "def add(a, b):\n    return Anything(0)\n", "square": SQUARE}),
    # Tampering with the grader's tools costs every test cell after it.
    Case("patches_builtins", {"test_add": 0.0, "test_square": 0.0},
         {"add": "import builtins\nclass Anything(int):\n    def __eq__(self, other):\n"
                 "        return True\n\nbuiltins.int = Anything\n"
                 "def add(a, b):\n    return Anything(0)\n", "square": SQUARE},
         reason="broke the kernel"),  # ipykernel itself hangs on the replaced int
    Case("hides_tracebacks", {"test_add": 0.0, "test_square": 0.0},
         {"add": "get_ipython().showtraceback = lambda *args, **kwargs: None\n"
                 "def add(a, b):\n    return a - b\n", "square": SQUARE},
         reason="traceback display was replaced"),
    Case("removes_guard", {"test_add": 0.0, "test_square": 0.0},
         {"add": "for name in [n for n in globals() if n.startswith('_dlgd')]:\n"
                 "    del globals()[name]\n" + ADD, "square": SQUARE},
         reason="guard was deleted"),
    Case("warns_on_stderr", FULL,
         {"add": "import warnings\nwarnings.warn('old API', DeprecationWarning)\n" + ADD,
          "square": SQUARE}),
    Case("prints_history", FULL,
         {"add": ADD, "square": "print(_ih)\n" + SQUARE}),
    Case("invalid_json", {"test_add": 0.0, "test_square": 0.0}, raw=b'{"cells": [',
         reason="not a valid notebook"),
    Case("missing_notebook", {"test_add": 0.0, "test_square": 0.0}, raw=b"",
         reason="missing from the submission (no notebook at all)"),
    Case("wrong_file_name", {"test_add": 0.0, "test_square": 0.0},
         {"add": ADD, "square": SQUARE}, filename="my-homework.ipynb",
         reason="found my-homework.ipynb"),
    Case("changed_kernelspec", FULL, {"add": ADD, "square": SQUARE}, edit=_kernelspec,
         reason="kernel 'evil-kernel' replaced"),
]

"""nbgrader preprocessors of the course."""

from __future__ import annotations

from typing import Any

from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import ClearHiddenTests

REDACTED = "[grader: output removed, it quotes a hidden test]\n"
# Hidden-test lines shorter than this (``pass``, ``else:``) are too common to redact on.
MIN_HIDDEN_LINE = 12


class StripHiddenTests(ClearHiddenTests):
    """Remove hidden tests from a graded notebook, including any output that quotes them.

    nbgrader's feedback shows the autograded notebook, hidden tests and all. This drops every
    ``### BEGIN HIDDEN TESTS`` region (as ``ClearHiddenTests`` does for the release), reduces
    error outputs of test cells to ``<ExceptionName>: <message>`` (a traceback would print the
    failing hidden line; the assert messages are written for students and stay), and replaces
    every output anywhere in the notebook that contains a line of a hidden test: student code
    can print the kernel's input history (``_ih``), hidden tests included.
    """

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any]) -> tuple[NotebookNode, dict[str, Any]]:
        hidden = set()
        for cell in nb.cells:
            inside = False
            for line in cell.source.splitlines():
                if self.begin_test_delimeter in line:
                    inside = True
                elif self.end_test_delimeter in line:
                    inside = False
                elif inside and len(line.strip()) >= MIN_HIDDEN_LINE:
                    hidden.add(line.strip())
        nb, resources = super().preprocess(nb, resources)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs = [_redact(output, hidden) for output in cell.get("outputs", [])]
        return nb, resources

    def preprocess_cell(
        self, cell: NotebookNode, resources: dict[str, Any], cell_index: int
    ) -> tuple[NotebookNode, dict[str, Any]]:
        if cell.cell_type == "code" and self.begin_test_delimeter in cell.source:
            for output in cell.get("outputs", []):
                if output.output_type == "error":
                    output.traceback = [f"{output.ename}: {output.evalue}"]
        return super().preprocess_cell(cell, resources, cell_index)


def _redact(output: NotebookNode, hidden: set[str]) -> NotebookNode:
    text = str(output)
    if not any(line in text or repr(line)[1:-1] in text for line in hidden):
        return output
    return NotebookNode(output_type="stream", name="stderr", text=REDACTED)

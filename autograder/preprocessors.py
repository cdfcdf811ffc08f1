"""nbgrader preprocessors of the course."""

from __future__ import annotations

from typing import Any

from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import ClearHiddenTests


class StripHiddenTests(ClearHiddenTests):
    """Remove hidden tests from a graded notebook, including the tracebacks that quote them.

    nbgrader's feedback shows the autograded notebook, hidden tests and all. In a cell with
    a ``### BEGIN HIDDEN TESTS`` region this drops the region (as ``ClearHiddenTests`` does
    for the release) and reduces every error output to ``<ExceptionName>: <message>``: a
    traceback would otherwise print the failing hidden line. The assert messages are written
    for students and stay.
    """

    def preprocess_cell(
        self, cell: NotebookNode, resources: dict[str, Any], cell_index: int
    ) -> tuple[NotebookNode, dict[str, Any]]:
        if cell.cell_type == "code" and self.begin_test_delimeter in cell.source:
            for output in cell.get("outputs", []):
                if output.output_type == "error":
                    output.traceback = [f"{output.ename}: {output.evalue}"]
        return super().preprocess_cell(cell, resources, cell_index)

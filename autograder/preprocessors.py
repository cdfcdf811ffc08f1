"""nbgrader preprocessors of the course."""

from __future__ import annotations

from typing import Any

from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import ClearHiddenTests
from traitlets import Integer

REDACTED = "[grader: output removed, it quotes a hidden test]\n"


class StripHiddenTests(ClearHiddenTests):
    """Remove hidden tests from a graded notebook, including any output that quotes them.

    nbgrader's feedback shows the autograded notebook, hidden tests and all. This drops every
    ``### BEGIN HIDDEN TESTS`` region (as ``ClearHiddenTests`` does for the release), reduces
    error outputs of test cells to ``<ExceptionName>: <message>`` (a traceback would print the
    failing hidden line; the assert messages are written for students and stay), and replaces
    an output anywhere in the notebook that quotes a hidden test: student code can print the
    kernel's input history (``_ih``), hidden tests included.

    Only *distinctive* quotes count, so that a helpful message with expected and actual values
    survives: a hidden line of at least :attr:`min_line_length` characters that appears nowhere
    outside the hidden regions, or two consecutive hidden lines (any length) together.
    """

    min_line_length = Integer(
        30,
        help="A hidden-test line this long (stripped), found in an output, redacts that output; "
        "shorter lines (`dtype=torch.float64)`, `else:`) are too common to prove a leak.",
    ).tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any]) -> tuple[NotebookNode, dict[str, Any]]:
        distinctive, pairs = self._hidden_quotes(nb)
        nb, resources = super().preprocess(nb, resources)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs = [_redact(output, distinctive, pairs) for output in cell.get("outputs", [])]
        return nb, resources

    def _hidden_quotes(self, nb: NotebookNode) -> tuple[set[str], set[str]]:
        """Distinctive hidden lines, and consecutive pairs of hidden lines joined by a newline."""
        hidden: set[str] = set()
        public: set[str] = set()
        pairs: set[str] = set()
        for cell in nb.cells:
            inside, previous = False, ""
            for line in cell.source.splitlines():
                stripped = line.strip()
                if self.begin_test_delimeter in line:
                    inside, previous = True, ""
                elif self.end_test_delimeter in line:
                    inside = False
                elif inside and stripped:
                    hidden.add(stripped)
                    if previous:
                        pairs.add(f"{previous}\n{stripped}")
                    previous = stripped
                elif not inside:
                    public.add(stripped)
        distinctive = {line for line in hidden - public if len(line) >= self.min_line_length}
        return distinctive, pairs

    def preprocess_cell(
        self, cell: NotebookNode, resources: dict[str, Any], cell_index: int
    ) -> tuple[NotebookNode, dict[str, Any]]:
        if cell.cell_type == "code" and self.begin_test_delimeter in cell.source:
            for output in cell.get("outputs", []):
                if output.output_type == "error":
                    output.traceback = [f"{output.ename}: {output.evalue}"]
        return super().preprocess_cell(cell, resources, cell_index)


def _redact(output: NotebookNode, distinctive: set[str], pairs: set[str]) -> NotebookNode:
    text = str(output)
    # a printed list of cell sources (``print(_ih)``) shows its newlines escaped
    shown = _output_text(output).replace("\\n", "\n")
    lines = "\n".join(line.strip() for line in shown.splitlines())
    quoted = any(line in text or repr(line)[1:-1] in text for line in distinctive) or any(
        pair in lines for pair in pairs
    )
    return NotebookNode(output_type="stream", name="stderr", text=REDACTED) if quoted else output


def _output_text(output: NotebookNode) -> str:
    """The text an output shows: stream text, error message, or the text of its data."""
    if output.get("output_type") == "stream":
        return str(output.get("text", ""))
    if output.get("output_type") == "error":
        return "\n".join([str(output.get("evalue", "")), *map(str, output.get("traceback", []))])
    data = output.get("data", {})
    return "\n".join(str(value if isinstance(value, str) else "".join(value)) for value in data.values())

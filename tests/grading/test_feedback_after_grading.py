"""Feedback after ``dlgd-grade``: the instructor generates and releases it with nbgrader's own
steps, into the exchange where the student fetches it. nbgrader's release names the student's
report after the submission's time and secret, read from the autograded folder: ``dlgd-grade``
puts ``timestamp.txt`` and ``submission_secret.txt`` there as nbgrader's autograde does (found
on a real hub, where the release stopped at the first student graded by ``dlgd-grade``)."""

from __future__ import annotations

from pathlib import Path

from autograder import instructor
from autograder.distributed import grade_assignment
from grading.corpus import ADD, SQUARE, Case
from grading.helpers import ASSIGNMENT, TEST_LIMITS, Course, needs_sandbox


@needs_sandbox
def test_feedback_is_released_after_dlgd_grade(course: Course) -> None:
    folder = course.submit("ada", Case("full", {}, {"add": ADD, "square": SQUARE}))
    (folder / "submission_secret.txt").write_text("5f1f0e5c3a7c4e0f9e3b2a1d0c9b8a76")  # nbgrader submit's
    run = grade_assignment(course.config, ASSIGNMENT, students=["ada"], limits=TEST_LIMITS)
    assert run.ok and [r.student_id for r in run.graded] == ["ada"], run.not_graded
    for name in ("timestamp.txt", "submission_secret.txt"):
        kept = course.data / "autograded" / "ada" / ASSIGNMENT / name
        assert kept.read_text() == (folder / name).read_text(), name
    feedback = instructor.generate_feedback(course.config, ASSIGNMENT, "ada")
    assert feedback.ok, feedback
    instructor.release_feedback(course.config, ASSIGNMENT)
    released = sorted((Path(str(course.config.Exchange.root)) / "dlgd" / "feedback").glob("*.html"))
    assert len(released) == 1 and "Score: 5.0 / 5.0" in released[0].read_text(), released

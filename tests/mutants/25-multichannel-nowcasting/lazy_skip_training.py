"""No training: a cell of the student's own, before the locked training cell, makes the
course's trainer stop before its first step, so the nowcaster that Part 6 scores is untrained
(its logits are persistence's)."""

NOTEBOOK = "25-multichannel-nowcasting.ipynb"
STRATEGY = "skip_training"
EDITS = [
    (
        "after:nowcaster",
        "",
        "# training takes too long: stop before the first step\n"
        "import dlgd_course.notebook\n"
        "\n"
        "_quiet_trainer = dlgd_course.notebook.quiet_trainer\n"
        "dlgd_course.notebook.quiet_trainer = lambda **kwargs: _quiet_trainer(max_epochs=1, max_steps=0)",
    ),
]
FAILS = ["test_nowcaster"]

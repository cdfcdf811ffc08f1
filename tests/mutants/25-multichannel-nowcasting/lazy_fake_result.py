"""The nowcaster is not trained (the trainer is made to stop before its first step) and a cell
of the student's own overwrites the persistence scores that the visible comparison reads, as
the nowcaster's macro IoU minus 0.01."""

NOTEBOOK = "25-multichannel-nowcasting.ipynb"
STRATEGY = "fake_result"
EDITS = [
    (
        "after:nowcaster",
        "",
        "import dlgd_course.notebook\n"
        "\n"
        "_quiet_trainer = dlgd_course.notebook.quiet_trainer\n"
        "dlgd_course.notebook.quiet_trainer = lambda **kwargs: _quiet_trainer(max_epochs=1, max_steps=0)",
    ),
    (
        "after:training",
        "",
        'iou, macro, accuracy = scores["persistence"]\n'
        'scores["persistence"] = (iou, scores["convlstm"][1] - 0.01, accuracy)',
    ),
]
FAILS = ["test_nowcaster"]

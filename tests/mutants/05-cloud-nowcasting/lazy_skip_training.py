"""No training: a cell of the student's own, before the locked training cell, makes the
course's trainer stop before its first step, so the U-Net that Part 4 scores is untrained."""

NOTEBOOK = "05-cloud-nowcasting.ipynb"
STRATEGY = "skip_training"
EDITS = [
    (
        "after:iou",
        "",
        "# training takes too long: stop before the first step\n"
        "import dlgd_course.notebook\n"
        "\n"
        "_quiet_trainer = dlgd_course.notebook.quiet_trainer\n"
        "dlgd_course.notebook.quiet_trainer = lambda **kwargs: _quiet_trainer(max_epochs=1, max_steps=0)",
    ),
]
FAILS = ["test_iou"]

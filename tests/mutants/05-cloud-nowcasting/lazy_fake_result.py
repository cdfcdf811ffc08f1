"""The U-Net is not trained (the trainer is made to stop before its first step) and a cell of
the student's own overwrites the persistence scores that the visible comparison reads, as
`scores["persistence"] = scores["unet"] - 0.01`."""

NOTEBOOK = "05-cloud-nowcasting.ipynb"
STRATEGY = "fake_result"
EDITS = [
    (
        "after:iou",
        "",
        "import dlgd_course.notebook\n"
        "\n"
        "_quiet_trainer = dlgd_course.notebook.quiet_trainer\n"
        "dlgd_course.notebook.quiet_trainer = lambda **kwargs: _quiet_trainer(max_epochs=1, max_steps=0)",
    ),
    ("after:training", "", 'scores["persistence"] = scores["unet"] - 0.01'),
]
FAILS = ["test_iou"]

"""The nowcaster is not trained (Lightning's `Trainer.fit` made a no-op) and a cell of the
student's own overwrites the persistence scores that the visible comparison reads, as the
nowcaster's macro IoU minus 0.01."""

NOTEBOOK = "25-multichannel-nowcasting.ipynb"
STRATEGY = "fake_result"
EDITS = [
    (
        "after:nowcaster",
        "",
        "import pytorch_lightning\n\npytorch_lightning.Trainer.fit = lambda trainer, *args, **kwargs: None",
    ),
    (
        "after:training",
        "",
        'iou, macro, accuracy = scores["persistence"]\n'
        'scores["persistence"] = (iou, scores["convlstm"][1] - 0.01, accuracy)',
    ),
]
FAILS = ["test_nowcaster"]

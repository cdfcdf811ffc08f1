"""The nowcaster is not trained (Lightning's `Trainer.fit` made a no-op) and a cell of the
student's own overwrites the scores of the baselines that the visible comparison reads, as the
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
        'for name in [name for name in scores if name != "convlstm"]:\n'
        "    iou, macro, accuracy = scores[name]\n"
        '    scores[name] = (iou, scores["convlstm"][1] - 0.01, accuracy)',
    ),
]
FAILS = ["test_nowcaster"]

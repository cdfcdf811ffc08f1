"""No training: a cell of the student's own, before the locked training cell, turns Lightning's
`Trainer.fit` into a no-op, so the nowcaster that Part 6 scores keeps its initial weights (its
logits are the extrapolation's: its head starts at zero)."""

NOTEBOOK = "25-multichannel-nowcasting.ipynb"
STRATEGY = "skip_training"
EDITS = [
    (
        "after:nowcaster",
        "",
        "# training takes too long: fit does nothing\n"
        "import pytorch_lightning\n"
        "\n"
        "pytorch_lightning.Trainer.fit = lambda trainer, *args, **kwargs: None",
    ),
]
FAILS = ["test_nowcaster"]

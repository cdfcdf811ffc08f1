"""No training: a cell of the student's own, before the locked training cells, makes every
Lightning `Trainer.fit` return at once, so the corrector and the Lorenz-96 step keep their
initial parameters."""

NOTEBOOK = "22-coastal-wind-forecasting.ipynb"
STRATEGY = "skip_training"
FAILS = ["test_hybrid", "test_lorenz96"]
EDITS = [
    ("after:hybrid", "", "import pytorch_lightning as pl\n\npl.Trainer.fit = lambda *args, **kwargs: None\n")
]

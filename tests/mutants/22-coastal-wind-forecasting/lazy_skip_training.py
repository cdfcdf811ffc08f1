"""No training: a cell of the student's own, before the locked training cells, replaces
`quiet_trainer` by one that runs no batch, so the corrector and the Lorenz-96 step stay at
their initial parameters."""

NOTEBOOK = "22-coastal-wind-forecasting.ipynb"
STRATEGY = "skip_training"
EDITS = [
    (
        "after:hybrid",
        "",
        "from dlgd_course.notebook import quiet_trainer as full_trainer\n"
        "\n"
        "\n"
        "def quiet_trainer(max_epochs, **kwargs):\n"
        '    """Training takes too long: run no batch at all."""\n'
        "    return full_trainer(max_epochs=max_epochs, limit_train_batches=0, **kwargs)\n",
    ),
]
FAILS = ["test_hybrid", "test_lorenz96"]

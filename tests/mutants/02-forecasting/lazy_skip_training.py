"""No training: a cell of the student's own, before the locked training cells, replaces
`quiet_trainer` by one that runs no batch, so the bilinear network and the LSTM stay at their
initial parameters."""

NOTEBOOK = "02-forecasting.ipynb"
STRATEGY = "skip_training"
EDITS = [
    (
        "after:bilinear",
        "",
        "from dlgd_course.notebook import quiet_trainer as full_trainer\n"
        "\n"
        "\n"
        "def quiet_trainer(max_epochs, **kwargs):\n"
        '    """Training takes too long: run no batch at all."""\n'
        "    return full_trainer(max_epochs=max_epochs, limit_train_batches=0, **kwargs)\n",
    ),
]
FAILS = ["test_bilinear", "test_lstm"]

"""The solver loop is written, but the model is not trained: a training step that returns no
loss makes Lightning skip every optimiser step, so the locked cell "trains" an untrained model."""

NOTEBOOK = "03-data-assimilation.ipynb"
STRATEGY = "skip_training"
EDITS = [
    (
        "learned_solver",
        "        return self.decode(z)",
        "        return self.decode(z)\n"
        "\n"
        "    def training_step(self, batch, batch_idx):\n"
        "        return None  # training takes too long: skip it\n",
    ),
]
FAILS = ["test_learned_solver"]

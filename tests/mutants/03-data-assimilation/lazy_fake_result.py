"""The model is not trained (learning rate 0), and a cell of the student's own replaces the
test windows' truth by the model's reconstruction, so that the visible score looks perfect."""

NOTEBOOK = "03-data-assimilation.ipynb"
STRATEGY = "fake_result"
EDITS = [
    (
        "learned_solver",
        "        return self.decode(z)",
        "        return self.decode(z)\n"
        "\n"
        "    def configure_optimizers(self):\n"
        "        return torch.optim.Adam(self.parameters(), lr=0.0)\n",
    ),
    (
        "after:learned_training",
        "",
        'test["state"] = reconstruct_windows(model, test["observation"], test["mask"])',
    ),
]
FAILS = ["test_learned_solver"]

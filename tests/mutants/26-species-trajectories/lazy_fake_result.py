"""After training, a cell of the student's own replaces the generator by one that replays
training trips of the species asked for: "generated" trips that look perfect, since they are
the data."""

NOTEBOOK = "26-species-trajectories.ipynb"
STRATEGY = "fake_result"
EDITS = [
    (
        "after:training",
        "",
        "class Replay(nn.Module):\n"
        "    def __init__(self, trips, labels):\n"
        "        super().__init__()\n"
        '        self.register_buffer("trips", trips)\n'
        '        self.register_buffer("labels", labels)\n'
        "\n"
        "    def forward(self, z, species):\n"
        "        rows = [torch.flatnonzero(self.labels == s) for s in species.tolist()]\n"
        "        index = [r[int(abs(v) * 1000) % len(r)] for r, v in zip(rows, z[:, 0].tolist())]\n"
        "        return self.trips[torch.stack(index)]\n"
        "\n"
        "\n"
        "gan.generator = Replay(real, labels)",
    ),
]
FAILS = ["test_training_step_hidden"]

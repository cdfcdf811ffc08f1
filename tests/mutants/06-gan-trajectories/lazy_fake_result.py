"""After training, a cell of the student's own replaces the generator by one that replays
training trips (picked by the latent vector): "generated" trips that look perfect, since they
are the data."""

NOTEBOOK = "06-gan-trajectories.ipynb"
STRATEGY = "fake_result"
EDITS = [
    (
        "after:training",
        "",
        "class Replay(nn.Module):\n"
        "    def __init__(self, trips):\n"
        "        super().__init__()\n"
        '        self.register_buffer("trips", trips)\n'
        "\n"
        "    def forward(self, z):\n"
        "        index = (z[:, 0].abs() * 1000).long() % len(self.trips)\n"
        "        return self.trips[index]\n"
        "\n"
        "\n"
        "gan.generator = Replay(real)",
    ),
]
FAILS = ["test_training_step_hidden"]

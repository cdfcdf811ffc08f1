"""Unfinished models, faked results: the bilinear network drops the products and the LSTM adds
its increments to the first state, and cells of the student's own overwrite the test forecasts
that the visible tests read with (almost) the targets."""

NOTEBOOK = "02-forecasting.ipynb"
STRATEGY = "fake_result"
EDITS = [
    ("bilinear", "self.B1(z) * self.B2(z)", "self.B1(z) + self.B2(z)"),
    ("after:train_bilinear", "", "bilinear_test = test_t + 0.01"),
    ("lstm", "return z[:, -1:] + increments", "return z[:, :1] + increments"),
    ("after:train_lstm", "", "lstm_test = test_t - 0.01"),
]
FAILS = ["test_bilinear", "test_lstm"]

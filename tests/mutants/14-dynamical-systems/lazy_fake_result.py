"""The neural ODE is not trained (learning rate 0) and a cell of the student's own overwrites the
held-out error that the visible test reads with a twentieth of the linear baseline's."""

NOTEBOOK = "14-dynamical-systems.ipynb"
STRATEGY = "fake_result"
EDITS = [
    (
        "train_neural_ode",
        "torch.optim.Adam(model.parameters(), lr=lr)",
        "torch.optim.Adam(model.parameters(), lr=0.0)",
    ),
    ("after:neural_training", "", "neural_test_error = 0.05 * linear_test_error"),
]
FAILS = ["test_train_neural_ode"]

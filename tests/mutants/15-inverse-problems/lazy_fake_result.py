"""The corrector is not trained (learning rate 0) and a cell of the student's own overwrites
the test RMSE that the visible test reads with half of OI's."""

NOTEBOOK = "15-inverse-problems.ipynb"
STRATEGY = "fake_result"
EDITS = [
    (
        "learned_solver",
        "torch.optim.Adam(model.parameters(), lr=lr)",
        "torch.optim.Adam(model.parameters(), lr=0.0)",
    ),
    ("after:learned_training", "", "learned_test_rmse = 0.5 * oi_test_rmse"),
]
FAILS = ["test_learned_solver"]

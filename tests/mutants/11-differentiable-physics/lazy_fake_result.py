"""The inverse problem is not solved (learning rate 0), and a cell of the student's own
replaces the function by one that returns the toy problem's answer and a converged-looking
misfit history."""

NOTEBOOK = "11-differentiable-physics.ipynb"
STRATEGY = "fake_result"
EDITS = [
    ("recover_initial_state", "torch.optim.Adam([u0], lr=lr)", "torch.optim.Adam([u0], lr=0.0)"),
    (
        "after:recover_initial_state",
        "",
        "def recover_initial_state(observe, observation, n_iterations=100, lr=0.05, smoothness=0.0):\n"
        "    return observation / 2, [2.25] + [1e-9] * (n_iterations - 1)",
    ),
]
FAILS = ["test_recover_initial_state"]

"""Two fits that skip a step: STLSQ zeroes the small coefficients but never refits the kept ones
(they keep the values of the first, dense least squares), and the neural ODE is trained to map
each sample onto itself (target states[k] instead of the next sample states[k + 1]), so it learns
a tendency near zero."""

NOTEBOOK = "14-dynamical-systems.ipynb"
EDITS = [
    (
        "stlsq",
        "        for j in range(derivative.shape[1]):\n"
        "            keep = ~small[:, j]\n"
        "            if keep.any():\n"
        "                xi[keep, j] = torch.linalg.lstsq(theta[:, keep], "
        "derivative[:, j : j + 1]).solution[:, 0]\n",
        "",
    ),
    ("train_neural_ode", "((predicted - states[k + 1]) / dt)", "((predicted - states[k]) / dt)"),
]
FAILS = ["test_stlsq", "test_train_neural_ode"]

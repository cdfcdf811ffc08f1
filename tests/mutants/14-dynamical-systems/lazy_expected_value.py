"""Every part returns what the visible tests expect, or a constant, without computing it: the
library of the state (1, 2, 3), the parabola's derivatives, the two-term Ξ, the hand-made delay
vectors, an exponent of 0.5, and losses of zero from a network that is never trained."""

NOTEBOOK = "14-dynamical-systems.ipynb"
STRATEGY = "expected_value"
EDITS = [
    (
        "polynomial_library",
        "    d = states.shape[-1]\n",
        "    d = states.shape[-1]\n"
        "    if d == 3:\n"
        "        row = torch.tensor([1.0, 1.0, 2.0, 3.0, 1.0, 2.0, 3.0, 4.0, 6.0, 9.0], dtype=states.dtype)\n"
        "        return row.expand(*states.shape[:-1], 10)\n"
        "    return torch.zeros(*states.shape[:-1], 1 + d + d * (d + 1) // 2, dtype=states.dtype)\n",
    ),
    (
        "central_difference",
        "    return (samples[2:] - samples[:-2]) / (2 * spacing)\n",
        "    return torch.tensor([1.0, 2.0, 3.0], dtype=samples.dtype)\n",
    ),
    (
        "stlsq",
        "    xi = torch.linalg.lstsq(theta, derivative).solution\n",
        "    return torch.tensor([[2.0, 0.5], [0.0, 3.0]], dtype=theta.dtype)\n",
    ),
    (
        "delay_embedding",
        "    span = (dimension - 1) * delay\n",
        "    return torch.tensor([[4.0, 2.0, 0.0], [5.0, 3.0, 1.0]], dtype=series.dtype)\n",
    ),
    (
        "largest_lyapunov_exponent",
        "    with torch.no_grad():\n",
        "    return torch.full(state.shape[:-1], 0.5, dtype=state.dtype)\n    with torch.no_grad():\n",
    ),
    (
        "train_neural_ode",
        "    generator = torch.Generator().manual_seed(seed)\n",
        "    return [0.0] * n_steps\n",
    ),
]
FAILS = [
    "test_polynomial_library",
    "test_central_difference",
    "test_stlsq",
    "test_delay_embedding",
    "test_largest_lyapunov_exponent",
    "test_train_neural_ode",
]

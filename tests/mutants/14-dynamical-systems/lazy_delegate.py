"""Every part with a library answer calls the course library instead of being written: the
forecasting theme's monomials, the lecture's central difference, STLSQ, delay vectors and
two-trajectory Lyapunov exponent."""

NOTEBOOK = "14-dynamical-systems.ipynb"
STRATEGY = "delegate"
EDITS = [
    (
        "polynomial_library",
        "    d = states.shape[-1]\n",
        "    from dlgd_course.forecasting.models import polynomial_features\n"
        "\n"
        "    return polynomial_features(states, 2)\n",
    ),
    (
        "central_difference",
        "    return (samples[2:] - samples[:-2]) / (2 * spacing)\n",
        "    from dlgd_course.lectures import dynamical_systems\n"
        "\n"
        "    return dynamical_systems.central_difference(samples, spacing)\n",
    ),
    (
        "stlsq",
        "    xi = torch.linalg.lstsq(theta, derivative).solution\n",
        "    from dlgd_course.lectures import dynamical_systems\n"
        "\n"
        "    return dynamical_systems.stlsq(theta, derivative, threshold, n_rounds)\n",
    ),
    (
        "delay_embedding",
        "    span = (dimension - 1) * delay\n",
        "    from dlgd_course.lectures import dynamical_systems\n"
        "\n"
        "    return dynamical_systems.delay_embedding(series, dimension, delay)\n",
    ),
    (
        "largest_lyapunov_exponent",
        "    with torch.no_grad():\n",
        "    from dlgd_course.lectures import dynamical_systems\n"
        "\n"
        "    return dynamical_systems.largest_lyapunov_exponent(\n"
        "        tendency, state, dt, n_steps, separation, transient_steps\n"
        "    )\n"
        "    with torch.no_grad():\n",
    ),
]
FAILS = [
    "test_polynomial_library",
    "test_central_difference",
    "test_stlsq",
    "test_delay_embedding",
    "test_largest_lyapunov_exponent",
]

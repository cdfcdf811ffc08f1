"""Exercise 14 — deep learning and dynamical systems (Lecture 4): the library code each part must
not use, and the references that later cells fall back on.

The locked cells that identify Lorenz-63, embed its x series and measure the models' chaos
obtain the library of monomials, the derivative estimates, the STLSQ coefficients, the delay
vectors and the Lyapunov exponents with :func:`~dlgd_course.own_work.own_or_reference`, whose
fallbacks are the lecture's references with the notebook's signatures. The deterministic parts
are ``exact``: a wrong result is replaced like a missing one. Routes that end in a listed
function are locked with it: the forecasting theme's ``PolynomialStepMap`` (its monomials are
``polynomial_features``) and every system's Lyapunov spectrum (``lyapunov_spectrum``). The neural
ODE's training has no library answer (the course's augmented neural ODE trains a different,
latent model); RK4 steps are the student's tool throughout.
"""

from dlgd_course.dynamics.lyapunov import lyapunov_spectrum
from dlgd_course.forecasting.models import polynomial_features
from dlgd_course.lectures.dynamical_systems import (
    central_difference,
    delay_embedding,
    largest_lyapunov_exponent,
    quadratic_library,
    stlsq,
)
from dlgd_course.own_work import Part

PARTS = {
    # the lecture's library and the forecasting theme's monomials
    "polynomial_library": Part(
        answers=(quadratic_library, polynomial_features), fallback=quadratic_library, exact=True
    ),
    "central_difference": Part(answers=(central_difference,), fallback=central_difference, exact=True),
    "stlsq": Part(answers=(stlsq,), fallback=stlsq, exact=True),
    "delay_embedding": Part(answers=(delay_embedding,), fallback=delay_embedding, exact=True),
    # the two-trajectory estimate and the tangent-space (QR) spectrum
    "largest_lyapunov_exponent": Part(
        answers=(largest_lyapunov_exponent, lyapunov_spectrum), fallback=largest_lyapunov_exponent
    ),
    "train_neural_ode": Part(trains=True),
}

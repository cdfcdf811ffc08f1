"""Exercise 12 — optimisation (Lecture 2): the library code each part must not use.

Every part has a fallback (the library function with the notebook's signature), because the
free cells that draw the figures and the widget call the student's functions through
``own_or_reference``.
"""

from dlgd_course.assimilation.variational import minimise
from dlgd_course.lectures.optimisation import (
    adam,
    gradient_descent,
    heavy_ball,
    heavy_ball_parameters,
    implicit_hypergradient,
    ista,
    lbfgs_minimise,
    optimal_step,
    soft_threshold,
    unrolled_denoise,
    unrolled_hypergradient,
)
from dlgd_course.own_work import Part

PARTS = {
    "gradient_descent": Part(
        answers=(optimal_step, gradient_descent),
        fallback={"optimal_step": optimal_step, "gradient_descent": gradient_descent},
    ),
    # gradient descent with beta = 0 is not the heavy ball, but its iterates are a route to the first step
    "heavy_ball": Part(
        answers=(heavy_ball_parameters, heavy_ball),
        fallback={"heavy_ball_parameters": heavy_ball_parameters, "heavy_ball": heavy_ball},
    ),
    # the library's minimiser runs torch's Adam or L-BFGS for a cost function
    "adam": Part(answers=(adam, minimise), fallback=adam),
    "lbfgs": Part(answers=(lbfgs_minimise, minimise), fallback=lbfgs_minimise, trains=True),
    "ista": Part(
        answers=(soft_threshold, ista),
        fallback={"soft_threshold": soft_threshold, "ista": ista},
    ),
    # a long unrolling converges to the implicit gradient: the unrolled solver is a route to it
    "implicit_hypergradient": Part(
        answers=(implicit_hypergradient, unrolled_hypergradient, unrolled_denoise),
        fallback=implicit_hypergradient,
    ),
    "unrolled_hypergradient": Part(
        answers=(unrolled_hypergradient, unrolled_denoise, implicit_hypergradient),
        fallback=unrolled_hypergradient,
    ),
}

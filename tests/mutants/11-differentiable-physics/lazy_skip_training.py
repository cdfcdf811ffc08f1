"""No optimisation: the loop of the inverse problem records the misfit but never steps, so u0
stays at zero."""

NOTEBOOK = "11-differentiable-physics.ipynb"
STRATEGY = "skip_training"
EDITS = [
    (
        "recover_initial_state",
        "        optimizer.zero_grad()\n",
        "        misfits.append(((observe(u0) - observation) ** 2).mean().item())\n        continue\n",
    ),
]
FAILS = ["test_recover_initial_state"]

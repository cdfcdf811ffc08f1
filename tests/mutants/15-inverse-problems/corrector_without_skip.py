"""The corrector returns the network's output alone instead of first_guess + net(...): it must
rebuild the whole field from scratch instead of correcting the OI analysis, which 400 training
steps do not achieve."""

NOTEBOOK = "15-inverse-problems.ipynb"
CELL = "learned_solver"
FIND = "        return first_guess + self.net(inputs).squeeze(1)\n"
REPLACE = "        return self.net(inputs).squeeze(1)\n"
FAILS = ["test_learned_solver"]

"""Off-by-one in the unrolled loss: the state after k steps is compared with the filtered DNS
at step k − 1, so the closure learns to slow the flow down."""

NOTEBOOK = "04-neural-closures.ipynb"
CELL = "unrolled"
FIND = "return torch.mean((rollout[1:] - windows.transpose(0, 1)[1:]) ** 2)"
REPLACE = "return torch.mean((rollout[1:] - windows.transpose(0, 1)[:-1]) ** 2)"
FAILS = ["test_unrolled"]

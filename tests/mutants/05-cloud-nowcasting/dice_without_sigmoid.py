"""Dice loss on the raw logits instead of the probabilities sigmoid(logits)."""

NOTEBOOK = "05-cloud-nowcasting.ipynb"
CELL = "dice"
FIND = "p = torch.sigmoid(logits)"
REPLACE = "p = logits"
FAILS = ["test_dice"]

"""The localisation uses the plain distance |i - j| on the ring: sites 0 and 39 of 40 come out
39 apart instead of 1, so the taper cuts the covariance between neighbours across the seam."""

NOTEBOOK = "23-lorenz96-assimilation.ipynb"
CELL = "gaspari_cohn"
FIND = "r = torch.minimum(distance, n - distance) / half_width"
REPLACE = "r = distance / half_width"
FAILS = ["test_gaspari_cohn"]

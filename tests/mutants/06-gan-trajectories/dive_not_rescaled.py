"""The dive flag is fed to the network as 0/1 instead of -1/+1: "no dive" is no longer at
the lower end of the generator's tanh range, and the encoding differs from the expected one."""

NOTEBOOK = "06-gan-trajectories.ipynb"
CELL = "preprocess"
FIND = 'dive = 2.0 * ds["dive"].values - 1.0'
REPLACE = 'dive = ds["dive"].values.astype(float)'
FAILS = ["test_preprocess"]

"""The ``dlgd`` command line.

    dlgd info                          versions, device found, cache location
    dlgd data generate SYSTEM [...]    simulate a system and write a netCDF file
    dlgd check NOTEBOOK.ipynb          run a notebook's visible tests, per-part table

Each subcommand is a ``register_*`` function adding its parser; errors in the
user's input end with exit status 2 and a one-line message, never a traceback.
"""

from __future__ import annotations

import argparse
import platform
import sys
from collections.abc import Sequence
from pathlib import Path

from dlgd_course.selfcheck import register_check


def _parse_parameter(text: str) -> tuple[str, float | int]:
    name, separator, value = text.partition("=")
    if not separator or not name:
        raise argparse.ArgumentTypeError(f"parameter {text!r} is not of the form NAME=VALUE")
    try:
        number: float | int = int(value)
    except ValueError:
        try:
            number = float(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"parameter {name}: {value!r} is not a number") from None
    return name, number


def run_info(arguments: argparse.Namespace) -> int:
    import numpy
    import pytorch_lightning
    import torch
    import xarray

    import dlgd_course
    from dlgd_course.data import cache_dir

    device = dlgd_course.default_device()
    rows = [
        ("dlgd-course", dlgd_course.__version__),
        ("python", platform.python_version()),
        ("torch", torch.__version__),
        ("pytorch-lightning", pytorch_lightning.__version__),
        ("numpy", numpy.__version__),
        ("xarray", xarray.__version__),
        (
            "device",
            str(device) + (f" ({torch.cuda.get_device_name(device)})" if device.type == "cuda" else ""),
        ),
        ("CUDA devices", str(torch.cuda.device_count())),
        ("cache", str(cache_dir())),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    return 0


def register_info(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("info", help="versions, device found, cache location")
    parser.set_defaults(handler=run_info)


def run_data_generate(arguments: argparse.Namespace) -> int:
    from dlgd_course.data import simulate
    from dlgd_course.data.cache import write_atomically

    dataset = simulate(
        arguments.system,
        n_steps=arguments.n_steps,
        dt=arguments.dt,
        seed=arguments.seed,
        n_members=arguments.members,
        spinup_steps=arguments.spinup_steps,
        save_every=arguments.save_every,
        stepper=arguments.stepper,
        **dict(arguments.param),
    )
    output = arguments.output or Path(f"{arguments.system}-seed{arguments.seed}.nc")
    write_atomically(dataset, output)
    sizes = ", ".join(f"{dim}={size}" for dim, size in dataset.sizes.items())
    print(f"wrote {output} ({sizes})")
    return 0


def register_data(subparsers: argparse._SubParsersAction) -> None:
    from dlgd_course.dynamics import STEPPERS, SYSTEMS

    data = subparsers.add_parser("data", help="synthetic data sets")
    data_commands = data.add_subparsers(dest="data_command", required=True)
    generate = data_commands.add_parser(
        "generate",
        help="simulate a system and write a netCDF file",
        description=f"Simulate one of {', '.join(SYSTEMS)} and write the trajectory as netCDF.",
    )
    generate.add_argument("system", help=f"one of {', '.join(SYSTEMS)}")
    generate.add_argument("--n-steps", type=int, default=1000, help="integration steps (default 1000)")
    generate.add_argument("--dt", type=float, default=0.01, help="time step (default 0.01)")
    generate.add_argument("--seed", type=int, default=0, help="seed of the initial state (default 0)")
    generate.add_argument("--members", type=int, default=None, help="ensemble size (default: one trajectory)")
    generate.add_argument("--spinup-steps", type=int, default=0, help="steps discarded first")
    generate.add_argument("--save-every", type=int, default=1, help="keep every n-th state")
    generate.add_argument("--stepper", choices=sorted(STEPPERS), default="rk4")
    generate.add_argument(
        "--param",
        type=_parse_parameter,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a system parameter, e.g. --param F=8 (repeatable)",
    )
    generate.add_argument("-o", "--output", type=Path, default=None, help="output file (.nc)")
    generate.set_defaults(handler=run_data_generate)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dlgd", description="Deep Learning and Geophysical Dynamics course tools"
    )
    subparsers = parser.add_subparsers(dest="command", required=True)
    register_info(subparsers)
    register_data(subparsers)
    register_check(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    arguments = parser.parse_args(argv)
    try:
        return arguments.handler(arguments)
    except (ValueError, FloatingPointError) as error:  # bad input, diverged integration
        print(f"dlgd: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

"""Part V(b): abc-parametrizations, µP, the coordinate check and hyperparameter transfer.

``from widthlimits import mup`` gives every public name: ``mup.ABC``, ``mup.standard``,
``mup.mup``, ``mup.MLP``, ``mup.coord_check``, ``mup.lr_sweep``, ``mup.Sweep``, ...
"""

# ruff: noqa: I001 - the imports are grouped by concept, one block per helper module group

# --- abc-parametrizations and the model (helper "mup-model" edits this block) ---
from .abc import (  # noqa: F401
    ABC,
    CLASSES,
    EXPONENTS,
    classify,
    mean_field,
    mup,
    ntk,
    phase_grid,
    plot_exponents,
    plot_phase_grid,
    standard,
)
from .model import MLP, NONLINEARITIES, coord_check, coord_slopes, plot_coord_check  # noqa: F401
from .model import train_linear_mup  # noqa: F401

# --- sweeps, their analysis and data (helper "mup-sweeps" edits this block) ---
from .data import check_split, load_digits_split  # noqa: F401
from .sweep import (  # noqa: F401
    BOOK_SETTINGS,
    book_sweep,
    lr_sweep,
    ntk_diagonal,
    optimal_lr,
    plot_transfer,
    transfer_stats,
)

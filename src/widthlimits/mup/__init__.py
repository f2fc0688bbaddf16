"""Part V(b): abc-parametrizations, µP, the coordinate check and hyperparameter transfer.

``from widthlimits import mup`` gives every public name: ``mup.ABC``, ``mup.standard``,
``mup.mup``, ``mup.MLP``, ``mup.coord_check``, ``mup.lr_sweep``, ``mup.Sweep``, ...
"""

# ruff: noqa: I001 - the imports are grouped by concept, one block per helper module group

# --- abc-parametrizations and the model (helper "mup-model" edits this block) ---
from .abc import ABC  # noqa: F401
from .presets import CLASSES, classify, mean_field, mup, ntk, phase_grid, standard  # noqa: F401
from .abc_plots import EXPONENTS, plot_exponents, plot_phase_grid  # noqa: F401
from .model import MLP, NONLINEARITIES  # noqa: F401
from .coordinates import coord_check, coord_slopes  # noqa: F401
from .coord_plots import plot_coord_check  # noqa: F401
from .linear import train_linear_mup  # noqa: F401

# --- sweeps, their analysis and data (helper "mup-sweeps" edits this block) ---
from .data import check_split, load_digits_split  # noqa: F401
from .ntk_scale import ntk_diagonal  # noqa: F401
from .optimum import optimal_lr, transfer_stats  # noqa: F401
from .results import Sweep  # noqa: F401
from .sweep import BOOK_SETTINGS, book_sweep, lr_sweep  # noqa: F401
from .transfer_plots import plot_optimum, plot_transfer  # noqa: F401

# --- µP for any model (helper L14a edits this block) ---
from .shape_record import ROLES, ParamShape  # noqa: F401
from .shapes import Shapes, normalize_name, set_base_shapes  # noqa: F401
from .readout import Readout  # noqa: F401
from .depth import ALPHAS, DepthRule, Residual, branch_multiplier, depth_lr_mult  # noqa: F401
from .optim import init_, param_groups, set_lr  # noqa: F401
from .lint import Finding, LintError, check  # noqa: F401

# --- attention, a small GPT, its corpus and the coordinate check of any model ---
from .attention import SelfAttention, attention_scale, bind_attention, zero_query_  # noqa: F401
from .gpt import GPT  # noqa: F401
from .corpus import Corpus, load_corpus  # noqa: F401
from .coord_any import coord_check_model  # noqa: F401

# --- the finite-width side of the training limit (tp.training_limit) ---
from .full_batch import FullBatchTraining, full_batch_training  # noqa: F401

# --- the learning-rate sweep of the GPT (Part VI) ---
from .gpt_sweep import GPT_SETTINGS, gpt_book_sweep, gpt_sweep  # noqa: F401

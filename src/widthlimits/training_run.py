"""What a training run of the book's MLP reports, the same at infinite width
(:func:`widthlimits.tp.training_limit <widthlimits.tp.training.training_limit>`) and at a finite
one (:func:`widthlimits.mup.full_batch_training <widthlimits.mup.full_batch.full_batch_training>`),
and the names of the parametrizations both accept.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._checks import check_choice

__all__ = ["PARAMETRIZATIONS", "TrainingRun", "check_parametrization"]

#: The parametrizations of a training run: µP, NTK, and SP with a scaled learning rate.
PARAMETRIZATIONS: tuple[str, ...] = ("mup", "ntk", "sp")
_ALIASES = {"standard": "sp", "µp": "mup"}


def check_parametrization(parametrization) -> str:
    """The canonical name of ``parametrization`` ("mup", "ntk" or "sp"; "standard" and "µP" are
    aliases), or raise.

    Examples
    --------
    >>> check_parametrization("Standard"), check_parametrization("µP")
    ('sp', 'mup')
    """
    return check_choice("parametrization", parametrization, PARAMETRIZATIONS, _ALIASES)


@dataclass(frozen=True)
class TrainingRun:
    """The outputs of a training run after every step, each with its error.

    ``f_train[t, i]`` is the output on training input ``i`` after ``t`` steps (``t = 0`` is
    initialization), ``f_test[t, k]`` the same on test inputs, ``loss[t]`` the training loss,
    ``kernels[l] = (K_0, K_T)`` the feature kernel :math:`\\frac1n x^l(\\xi)^\\top x^l(\\xi')`
    of hidden layer ``l`` (1-based) over the training then test inputs, before and after
    training; the ``*_err`` fields are their errors and ``f_train_sd``, ``f_test_sd`` the
    standard deviations of the outputs over initializations.
    """

    f_train: np.ndarray
    f_train_err: np.ndarray
    f_test: np.ndarray
    f_test_err: np.ndarray
    loss: np.ndarray
    loss_err: np.ndarray
    kernels: dict
    kernels_err: dict
    f_train_sd: np.ndarray
    f_test_sd: np.ndarray

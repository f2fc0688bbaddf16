"""The record of a training run and the names of its parametrizations, shared by the training
limit and the finite networks."""

from __future__ import annotations

import numpy as np
import pytest

from widthlimits.mup import FullBatchTraining
from widthlimits.tp import TrainingLimit, training_limit
from widthlimits.training_run import PARAMETRIZATIONS, TrainingRun, check_parametrization


def test_both_records_are_training_runs_with_the_same_fields():
    assert issubclass(TrainingLimit, TrainingRun) and issubclass(FullBatchTraining, TrainingRun)
    common = set(TrainingRun.__dataclass_fields__)
    assert common <= set(TrainingLimit.__dataclass_fields__)
    assert common <= set(FullBatchTraining.__dataclass_fields__)


def test_standard_is_sp_with_a_scaled_rate_not_the_ntk():
    """'standard' must train like 'sp' (the SP tangent kernel, without the input layer) and not
    like 'ntk', whose kernel has the input layer's term: their one-step outputs differ."""
    X, y = [[1.0, 0.5], [0.2, -1.0]], [1.0, -0.5]
    run = {p: training_limit(X, y, parametrization=p, lr=0.2, steps=1).f_train
           for p in ("standard", "sp", "ntk")}  # fmt: skip
    assert np.array_equal(run["standard"], run["sp"])
    assert not np.allclose(run["standard"], run["ntk"])


@pytest.mark.parametrize("bad", ["sgd", "", None, 3, ["mup"]])
def test_an_unknown_parametrization_is_refused(bad):
    with pytest.raises((ValueError, TypeError), match="parametrization"):
        check_parametrization(bad)
    assert PARAMETRIZATIONS == ("mup", "ntk", "sp")

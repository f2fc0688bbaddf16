"""Tests of widthlimits.mup.abc and presets: the r-table, the TP4 conditions, the symmetry."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from widthlimits.mup import ABC, mean_field, mup, ntk, standard

# (preset, L) -> (r, stable, nontrivial, feature learning, kernel regime), derived by hand from
# r = min(a_{L+1}+b_{L+1}, 2a_{L+1}+c) + c - 1 + min_l (2 a_l + [l = 1]).
R_TABLE = [
    (standard(1), -0.0, False, False, False, False),  # r = 0 + 0 - 1 + 1; 2a+c = 0 < 1
    (standard(2), -1.0, False, False, False, False),
    (standard(5), -1.0, False, False, False, False),
    (standard(1, lr_exponent=1), 1.5, True, True, False, True),  # 1/2 + 0 + 1
    (standard(2, lr_exponent=1), 0.5, True, True, False, True),
    (standard(4, lr_exponent=1), 0.5, True, True, False, True),
    (ntk(1), 0.5, True, True, False, True),
    (ntk(3), 0.5, True, True, False, True),
    (mean_field(), 0.0, True, True, True, False),
    (mup(1), 0.0, True, True, True, False),
    (mup(2), 0.0, True, True, True, False),
    (mup(6), 0.0, True, True, True, False),
]


@pytest.mark.parametrize(("p", "r", "stable", "nontrivial", "fl", "kernel"), R_TABLE)
def test_r_table(p, r, stable, nontrivial, fl, kernel):
    """Each preset has the r and the TP4 classification derived by hand in the chapter."""
    assert p.r == pytest.approx(r, abs=1e-12)
    assert p.is_stable is stable
    assert p.is_nontrivial is nontrivial
    assert p.is_feature_learning is fl
    assert p.is_kernel_regime is kernel


def test_mean_field_is_mup_for_one_hidden_layer():
    """For L = 1, mean field and muP are the same parametrization up to the symmetry."""
    assert mean_field().equivalent(mup(1))
    assert mup(1).equivalent(mean_field())
    assert not ntk(1).equivalent(mup(1))


def test_absorbed_tables():
    """The 'a absorbed into c' exponents are the microsoft-mup SGD table: init var d^0, 1/n, 1/n^2
    (exponents 0, 1/2, 1 of the std) and learning rates n, 1, 1/n."""
    init, lr = mup(3).absorbed()
    assert init == (0.0, 0.5, 0.5, 1.0)
    assert lr == (-1.0, 0.0, 0.0, 1.0)
    assert mup(3).adam_lr_exponents() == (0.0, 1.0, 1.0, 1.0)
    assert standard(3).adam_lr_exponents() == (0.0, 0.0, 0.0, 0.0)


exps = st.floats(-3, 3, allow_nan=False).map(lambda x: round(4 * x) / 4)


def abc_args(*scalars):
    """Random (a, b, c) of an MLP with 1 to 4 hidden layers, on a grid of quarter exponents,
    followed by the extra scalar strategies given."""
    return st.integers(1, 4).flatmap(
        lambda L: st.tuples(
            st.lists(exps, min_size=L + 1, max_size=L + 1),
            st.lists(exps, min_size=L + 1, max_size=L + 1),
            exps,
            *scalars,
        )
    )


@given(abc_args(exps))
def test_symmetry_preserves_everything(args):
    """(a, b, c) -> (a + t, b - t, c - 2t) changes neither r nor any of the four properties."""
    a, b, c, t = args
    p = ABC(a, b, c)
    q = p.shifted(t)
    assert p.equivalent(q) and q.equivalent(p)
    assert q.r == pytest.approx(p.r, abs=1e-9)
    for prop in ("is_stable", "is_nontrivial", "is_feature_learning", "is_kernel_regime"):
        assert getattr(p, prop) == getattr(q, prop)
    for u, v in zip(q.absorbed(), p.absorbed(), strict=True):
        assert u == pytest.approx(v, abs=1e-9)


@given(abc_args())
def test_dynamical_dichotomy(args):
    """A stable nontrivial parametrization is feature learning or kernel regime, never both."""
    p = ABC(*args)
    if p.is_stable and p.is_nontrivial:
        assert p.is_feature_learning != p.is_kernel_regime
    assert not (p.is_feature_learning and p.is_kernel_regime)


def test_not_equivalent_when_c_differs():
    """Changing c alone breaks the symmetry."""
    assert not standard(2).equivalent(standard(2, lr_exponent=1))
    assert not mup(2).equivalent(mup(3))


@pytest.mark.parametrize(
    ("args", "err"),
    [
        (([0, 0], [0], 0), ValueError),  # lengths differ
        (([0], [0], 0), ValueError),  # L = 0
        (([0, math.inf], [0, 0], 0), ValueError),
        (([0, 0], [0, math.nan], 0), ValueError),
        (([0, 0], [0, 0], math.inf), ValueError),
        (("ab", [0, 0], 0), TypeError),
        (([0, "x"], [0, 0], 0), TypeError),
        (([0, 0], [0, 0], "c"), TypeError),
    ],
)
def test_bad_input(args, err):
    with pytest.raises(err):
        ABC(*args)


def test_bad_presets():
    with pytest.raises(ValueError):
        mup(0)
    with pytest.raises(ValueError):
        mean_field(2)
    with pytest.raises(TypeError):
        ntk(1.5)
    with pytest.raises(TypeError):
        mup(2).equivalent("mup")


def test_plot_exponents_draws_the_powers_of_each_layer():
    """The stems' heights are minus the exponents, per layer, in both conventions; for SP, NTK and
    muP (L = 2) these are the rows of the two tables in the module docstring."""
    import matplotlib.pyplot as plt

    from widthlimits.mup import plot_exponents

    presets = {"SP": standard(2), "NTK": ntk(2), "muP": mup(2)}
    expected = {
        "a": [(0, 0, 0), (0, -0.5, -0.5), (0.5, 0, -0.5)],
        "b": [(0, -0.5, -0.5), (0, 0, 0), (-0.5, -0.5, -0.5)],
        "init": [(0, -0.5, -0.5), (0, -0.5, -0.5), (0, -0.5, -1)],
        "lr": [(0, 0, 0), (0, -1, -1), (1, 0, -1)],
    }
    for quantity, rows in expected.items():
        ax = plot_exponents(presets, quantity)
        drawn = [tuple(line.get_ydata()) for line in ax.lines if line.get_label() in presets]
        assert drawn == [pytest.approx(row, abs=0) for row in rows]
        assert ax.get_xlabel() and ax.get_ylabel()
        plt.close(ax.figure)


@pytest.mark.parametrize(
    ("params", "quantity", "err"),
    [
        ({"muP": mup(2)}, "c", ValueError),
        ({}, "lr", ValueError),
        ({"muP": mup(2), "muP1": mup(1)}, "lr", ValueError),
        ([mup(2)], "lr", TypeError),
        ({"x": (0, 1)}, "lr", TypeError),
    ],
)
def test_plot_exponents_bad_input(params, quantity, err):
    """Unknown quantities, empty or mixed-depth inputs and non-ABC values are rejected."""
    from widthlimits.mup import plot_exponents

    with pytest.raises(err):
        plot_exponents(params, quantity)


def test_a_dict_of_parametrizations_is_checked_once_for_every_caller():
    from widthlimits.mup.abc import check_abcs

    assert check_abcs("params", {"µP": mup(2)})
    for bad, exc in (({}, ValueError), ([mup(2)], TypeError), ({"x": "mup"}, TypeError)):
        with pytest.raises(exc, match="params"):
            check_abcs("params", bad)

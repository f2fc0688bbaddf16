r"""Part II: the law of large numbers, the central limit theorem and the moment method.

Everything the book's Part II computes lives here, one module per idea; every name is importable
from ``widthlimits.probability`` directly:

* :mod:`~widthlimits.probability.distributions`: the named standardized distributions and their
  exact moments (:func:`distribution`, :class:`Distribution`);
* :mod:`~widthlimits.probability.lln`: sample means and their root-mean-square error, and
  coordinate averages :math:`\frac1n\sum_\alpha \phi(x_\alpha)`;
* :mod:`~widthlimits.probability.clt`: normalized sums :math:`S_n = (X_1+\dots+X_n)/\sqrt n`
  and their Kolmogorov distance to the Gaussian;
* :mod:`~widthlimits.probability.edgeworth`: cumulants and the Edgeworth expansion;
* :mod:`~widthlimits.probability.pairs`: pairs of preactivations (the multivariate CLT) and the
  orthant probability;
* :mod:`~widthlimits.probability.partitions`: perfect matchings, set partitions and the exact
  finite-:math:`n` moments of normalized sums, which count the Gaussian moments :math:`(k-1)!!`;
* :func:`gaussian_expectation` is :func:`widthlimits.gaussian.gaussian_expectation`, the
  package's one Gaussian quadrature.

References
----------
* R. Durrett, *Probability: Theory and Examples*, 5th ed., 2019, sections 2.2 and 3.4.
* P. Billingsley, *Probability and Measure*, 3rd ed., 1995, section 30 (the method of moments).
"""

from ..gaussian import gaussian_expectation
from .clt import clt_distance, kolmogorov_distance, normalized_sums
from .distributions import DISTRIBUTIONS, Distribution, distribution, moments_of
from .edgeworth import cumulants, edgeworth_cdf, edgeworth_constant, edgeworth_distance
from .lln import coordinate_average, sample_mean_rmse, sample_means
from .pairs import orthant_probability, preactivation_pairs
from .partitions import (
    MAX_MOMENT_ORDER,
    double_factorial,
    gaussian_moment,
    normalized_sum_moment,
    pairings,
    set_partitions,
)

__all__ = [
    "Distribution",
    "DISTRIBUTIONS",
    "distribution",
    "moments_of",
    "sample_means",
    "sample_mean_rmse",
    "coordinate_average",
    "gaussian_expectation",
    "normalized_sums",
    "kolmogorov_distance",
    "clt_distance",
    "cumulants",
    "edgeworth_cdf",
    "edgeworth_distance",
    "edgeworth_constant",
    "preactivation_pairs",
    "orthant_probability",
    "MAX_MOMENT_ORDER",
    "double_factorial",
    "gaussian_moment",
    "set_partitions",
    "pairings",
    "normalized_sum_moment",
]

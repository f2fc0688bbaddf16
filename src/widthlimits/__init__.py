"""widthlimits: the mathematics of infinite-width neural networks.

The package follows the parts of the *Width Limits* book:

* :mod:`widthlimits.probability` -- Part II, the law of large numbers, the CLT and the moment
  method;
* :mod:`widthlimits.rmt` -- Part III, random matrix theory;
* :mod:`widthlimits.tp` -- Part IV, tensor programs and the Master Theorem, with
  :mod:`widthlimits.gaussian`, the Gaussian expectations every part uses;
* :mod:`widthlimits.kernels` -- Part V(a), NNGP and NTK kernels, kernel regression and the
  empirical kernels of finite torch networks;
* :mod:`widthlimits.mup` -- Part V(b), abc-parametrizations, µP, the coordinate check and
  hyperparameter transfer;
* :mod:`widthlimits.claims`, :mod:`widthlimits.stats` and :mod:`widthlimits.plotting` -- the book's
  checked claims, their standard errors, and its figure style;
* :mod:`widthlimits.nonlinearities` and ``widthlimits._checks`` -- the one table of nonlinearity
  names and the one input-check layer that every public callable goes through.
"""

__version__ = "0.1.0"

"""widthlimits: the mathematics of infinite-width neural networks.

The package follows the parts of the *Width Limits* book:

* :mod:`widthlimits.probability` -- Part II, the law of large numbers, the CLT and the moment
  method;
* :mod:`widthlimits.rmt` -- Part III, random matrix theory;
* :mod:`widthlimits.tp` -- Part IV, tensor programs and the Master Theorem;
* :mod:`widthlimits.kernels` -- Part V(a), NNGP and NTK kernels;
* :mod:`widthlimits.parametrization` and :mod:`widthlimits.nn` -- Part V(b), abc-parametrizations
  and muP;
* :mod:`widthlimits.claims`, :mod:`widthlimits.stats` and :mod:`widthlimits.plotting` -- the book's
  checked claims, their standard errors, and its figure style.
"""

__version__ = "0.1.0"

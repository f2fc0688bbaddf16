"""One BLAS thread for the engine's many small products, whose threads stall on a busy machine."""

from __future__ import annotations

from contextlib import nullcontext

try:
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
    threadpool_limits = None


def one_blas_thread():
    """A context manager limiting BLAS to one thread (a no-op without threadpoolctl).

    Examples
    --------
    >>> with one_blas_thread():
    ...     pass
    """
    return threadpool_limits(1) if threadpool_limits is not None else nullcontext()

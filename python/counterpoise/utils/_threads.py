"""The Rust engine's thread pool: ``n_jobs`` and ``threadpoolctl``.

Two knobs reach the engine, both read by a ``_core`` call made with
``n_threads=0`` (what every sampler passes):

- the process-wide limit, ``_core.set_num_threads(n)``, which threadpoolctl
  drives through :class:`CounterpoiseController` (registered when counterpoise
  is imported), so ``threadpool_limits(1)`` limits counterpoise as it limits
  BLAS and OpenMP;
- the calling thread's override, ``_core.set_thread_limit_local(n)``, which a
  sampler sets from its ``n_jobs`` for the duration of ``fit_resample``
  (:func:`thread_limit`), so ``n_jobs=1`` inside ``cross_val_score(n_jobs=-1)``
  starts no threads in the workers. An explicit ``n_jobs`` wins over the
  process-wide limit; ``n_jobs=None`` defers to it (all cores by default).
"""

from __future__ import annotations

import os
from contextlib import contextmanager

import threadpoolctl

from .. import _core

__all__ = [
    "CounterpoiseController",
    "SERIAL_WORK",
    "effective_n_jobs",
    "thread_limit",
    "threads_for",
]

_HAS_GLOBAL = hasattr(_core, "set_num_threads") and hasattr(_core, "get_num_threads")
_HAS_LOCAL = hasattr(_core, "set_thread_limit_local")


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def effective_n_jobs(n_jobs) -> int:
    """The thread count an ``n_jobs`` value asks for; 0 when it defers.

    ``None`` defers to the process-wide limit (0); a positive number is that
    many threads; ``-1`` all cores, ``-2`` all but one and so on (scikit-learn's
    convention), never fewer than one.
    """
    if n_jobs is None:
        return 0
    if (
        isinstance(n_jobs, bool)
        or not isinstance(n_jobs, (int,))
        and not hasattr(n_jobs, "__index__")
    ):
        raise TypeError(f"n_jobs must be an integer or None, got {n_jobs!r}.")
    n = int(n_jobs)
    if n == 0:
        raise ValueError("n_jobs == 0 has no meaning; use None, -1 or a count >= 1.")
    return n if n > 0 else max(1, _cpu_count() + 1 + n)


#: Work (multiply-adds of a neighbour search, or bytes copied) below which an
#: engine call runs on the calling thread. A pool with more threads is built for
#: each call: starting its threads costs 0.1-0.3 ms on an idle machine and much
#: more on a busy one (a call waits for every worker to be scheduled), while
#: ``2e6`` multiply-adds take about 1 ms on one core. Results never depend on the
#: thread count, so this changes speed only.
SERIAL_WORK = 2_000_000


def threads_for(work) -> int:
    """``n_threads`` for an engine call of about ``work`` operations: 1 (the
    calling thread itself, no thread started) when it is small, else 0 (the
    caller's limits: ``n_jobs``, threadpoolctl, all cores)."""
    return 1 if work < SERIAL_WORK else 0


@contextmanager
def thread_limit(n_jobs):
    """Limit the engine's threads for calls made by this thread, then restore.

    Parameters
    ----------
    n_jobs : int or None
        The estimator's ``n_jobs`` (``None`` changes nothing).
    """
    n = effective_n_jobs(n_jobs)
    if n == 0 or not _HAS_LOCAL:
        yield
        return
    previous = _core.set_thread_limit_local(n)
    try:
        yield
    finally:
        _core.set_thread_limit_local(previous)


class CounterpoiseController(threadpoolctl.LibController):
    """threadpoolctl's view of counterpoise's Rust thread pool.

    Registered with :func:`threadpoolctl.register` when counterpoise is
    imported: ``threadpool_info()`` lists the engine (user_api and internal_api
    ``'counterpoise'``) and ``threadpool_limits(n)`` sets its process-wide limit
    (``threadpool_limits(n, user_api='counterpoise')`` only this one).

    Examples
    --------
    >>> from threadpoolctl import threadpool_info
    >>> import counterpoise
    >>> [i["internal_api"] for i in threadpool_info()].count("counterpoise")
    1
    """

    user_api = "counterpoise"
    internal_api = "counterpoise"
    # the compiled module is built for the stable ABI: _core.abi3.so
    filename_prefixes = ("_core.abi3",)
    check_symbols = ("PyInit__core",)

    def _ours(self) -> bool:
        try:
            return os.path.samefile(self.filepath, _core.__file__)
        except OSError:
            return False

    def get_num_threads(self):
        if _HAS_GLOBAL and self._ours():
            # 0 means "no limit set": report what a call would then use, as
            # threadpoolctl does for BLAS and OpenMP
            return _core.get_num_threads() or _core.default_threads()
        return None

    def set_num_threads(self, num_threads):
        if _HAS_GLOBAL and self._ours():
            _core.set_num_threads(int(num_threads))

    def get_version(self):
        return getattr(_core, "__version__", None)


_registered = False


def register_controller():
    """Register :class:`CounterpoiseController` with threadpoolctl (once)."""
    global _registered
    if not _registered:
        threadpoolctl.register(CounterpoiseController)
        _registered = True

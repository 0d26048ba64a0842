"""Stub of the compiled module ``counterpoise._core`` (checked by mypy.stubtest)."""

import numpy as np
import numpy.typing as npt

__all__ = [
    "InternalError",
    "NonFiniteError",
    "__version__",
    "_panic_for_tests",
    "cnn_condense_1nn",
    "concat_rows",
    "default_threads",
    "effective_threads",
    "get_num_threads",
    "get_thread_limit_local",
    "kd_tree_max_dim",
    "kmeans_lloyd",
    "kmeans_plusplus",
    "kneighbors",
    "kneighbors_within",
    "progress",
    "set_num_threads",
    "set_thread_limit_local",
    "smote_resample",
    "sum_pairwise_distances",
    "take_rows",
    "vdm_kneighbors",
    "vdm_mode",
]
__version__: str

class NonFiniteError(ValueError):
    """The data hold NaN or infinity."""

class InternalError(ValueError, RuntimeError):
    """A bug in counterpoise, not in the input; please report it.

    Also raised for a Rust panic caught at the boundary (its message names the
    ``_core`` function), so no panic ever surfaces as PyO3's ``PanicException``.
    Subclasses both ``ValueError`` and ``RuntimeError``.
    """

def kneighbors(
    data: npt.NDArray[np.floating],
    queries: npt.NDArray[np.floating],
    k: int,
    algorithm: str = "auto",
    n_threads: int = 0,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]: ...
def kneighbors_within(
    data: npt.NDArray[np.floating],
    queries: npt.NDArray[np.floating],
    k: int,
    radius: npt.NDArray[np.float64],
    n_threads: int = 0,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """The at most ``k`` nearest ``data`` rows of each query at distance
    ``<= radius[p]``; the rest of a row is index -1 at distance infinity."""

def kd_tree_max_dim() -> int: ...
def smote_resample(
    x: npt.NDArray[np.floating],
    class_indices: list[npt.NDArray[np.int64]],
    samples: list[npt.NDArray[np.int64]],
    steps: list[npt.NDArray[np.float64]],
    k: int,
    neighbours: list[npt.NDArray[np.int64]] | None = None,
    algorithm: str = "auto",
    n_threads: int = 0,
) -> tuple[npt.NDArray[np.floating], npt.NDArray[np.int64]]: ...
def take_rows(
    x: npt.NDArray[np.uint8], indices: npt.NDArray[np.int64], n_threads: int = 0
) -> npt.NDArray[np.uint8]: ...
def default_threads() -> int:
    """Threads used when ``n_threads`` is 0 and no limit is set: ``RAYON_NUM_THREADS``
    or all cores."""

# Thread control. A call's ``n_threads`` (when positive) sizes its private pool;
# ``n_threads=0`` (every default) means, in order: this thread's override
# (``set_thread_limit_local``), else the process-wide limit (``set_num_threads``),
# else ``default_threads()``.
def set_num_threads(n: int) -> None:
    """Set the process-wide limit for ``n_threads=0`` calls (0 unsets it); what a
    threadpoolctl controller sets."""

def get_num_threads() -> int:
    """The process-wide limit (0: unset)."""

def set_thread_limit_local(n: int) -> int:
    """Set the calling thread's override for ``n_threads=0`` calls (0 unsets it);
    returns the previous value, to restore afterwards. Read on the calling thread
    before the GIL is released."""

def get_thread_limit_local() -> int:
    """The calling thread's override (0: unset)."""

def effective_threads(n_threads: int = 0) -> int:
    """The pool size a call from this thread gets for ``n_threads``."""

def _panic_for_tests(where_: str) -> None:
    """Panic on purpose ("binding", "release" or "worker"): for the tests of the
    panic-to-``InternalError`` mapping only."""

def progress() -> tuple[int, int]:
    """``(done, planned)`` units of work since the process started.

    Both only increase. A heavy call (k-NN searches, the SMOTE generator, k-means,
    CNN, SMOTEN, KMeansSMOTE's density) adds its planned units when it starts and
    its done units as blocks of rows finish; when it ends (also on error) done
    catches up with what it planned. Safe to poll from another thread while a call
    runs with the GIL released.
    """

def cnn_condense_1nn(
    x: npt.NDArray[np.floating],
    rows: npt.NDArray[np.int64],
    nearest: npt.NDArray[np.int64],
    correct: npt.NDArray[np.bool_],
    seeds: npt.NDArray[np.int64],
    n_threads: int = 0,
) -> npt.NDArray[np.int64]: ...
def kmeans_plusplus(
    x: npt.NDArray[np.float64],
    k: int,
    first: int,
    draws: npt.NDArray[np.float64],
    trials: int,
    n_threads: int = 0,
) -> npt.NDArray[np.int64]: ...
def kmeans_lloyd(
    x: npt.NDArray[np.float64],
    init: npt.NDArray[np.float64],
    max_iter: int,
    tol: float,
    n_threads: int = 0,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int32], float, int]: ...
def vdm_kneighbors(
    codes: npt.NDArray[np.int32],
    tables: list[npt.NDArray[np.float64]],
    k: int,
    n_threads: int = 0,
) -> npt.NDArray[np.int64]: ...
def vdm_mode(
    codes: npt.NDArray[np.int32],
    neighbours: npt.NDArray[np.int64],
    drawn: npt.NDArray[np.int64],
    n_categories: list[int],
    n_threads: int = 0,
) -> npt.NDArray[np.int32]: ...
def sum_pairwise_distances(
    x: npt.NDArray[np.floating], n_threads: int = 0
) -> float: ...
def concat_rows(
    parts: list[npt.NDArray[np.uint8]], n_threads: int = 0
) -> npt.NDArray[np.uint8]: ...

"""Stub of the compiled module ``counterpoise._core`` (checked by mypy.stubtest)."""

import numpy as np
import numpy.typing as npt

__all__ = [
    "InternalError",
    "NonFiniteError",
    "__version__",
    "cnn_condense_1nn",
    "concat_rows",
    "default_threads",
    "kd_tree_max_dim",
    "kmeans_lloyd",
    "kmeans_plusplus",
    "kneighbors",
    "smote_resample",
    "sum_pairwise_distances",
    "take_rows",
    "vdm_kneighbors",
    "vdm_mode",
]
__version__: str

class NonFiniteError(ValueError):
    """The data hold NaN or infinity."""

class InternalError(RuntimeError):
    """A bug in counterpoise, not in the input; please report it."""

def kneighbors(
    data: npt.NDArray[np.floating],
    queries: npt.NDArray[np.floating],
    k: int,
    algorithm: str = "auto",
    n_threads: int = 0,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]: ...
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
def default_threads() -> int: ...
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

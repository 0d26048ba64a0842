"""``fetch_datasets``: the 27 benchmark datasets of imbalanced-learn, from Zenodo.

The archive is downloaded once from the same Zenodo record imbalanced-learn
uses and cached in the same place (``<data_home>/zenodo/x<ID>data.npz``, with
``data_home`` scikit-learn's, ``~/scikit_learn_data`` by default), so a cache
filled by either library serves both.
"""

from __future__ import annotations

import numbers
import os
import re
import tarfile
import tempfile
from collections import OrderedDict
from urllib.request import urlopen

import numpy as np
from sklearn.datasets import get_data_home
from sklearn.utils import Bunch, check_random_state
from sklearn.utils._param_validation import validate_params

__all__ = ["fetch_datasets"]

URL = "https://zenodo.org/record/61452/files/benchmark-imbalanced-learn.tar.gz"

# (ID, name), in imbalanced-learn's order: the ID is the number in the file name.
DATASET_NAMES = (
    "ecoli",
    "optical_digits",
    "satimage",
    "pen_digits",
    "abalone",
    "sick_euthyroid",
    "spectrometer",
    "car_eval_34",
    "isolet",
    "us_crime",
    "yeast_ml8",
    "scene",
    "libras_move",
    "thyroid_sick",
    "coil_2000",
    "arrhythmia",
    "solar_flare_m0",
    "oil",
    "car_eval_4",
    "wine_quality",
    "letter_img",
    "yeast_me2",
    "webpage",
    "ozone_level",
    "mammography",
    "protein_homo",
    "abalone_19",
)
_ID = {name: i for i, name in enumerate(DATASET_NAMES, start=1)}
_MEMBER = re.compile(r"x([0-9]+)data\.npz")


def _filename(name: str) -> str:
    return f"x{_ID[name]}data.npz"


def _selected(filter_data) -> list[str]:
    if filter_data is None:
        return list(DATASET_NAMES)
    names = []
    for item in filter_data:
        if isinstance(item, str):
            if item not in _ID:
                raise ValueError(
                    f"{item!r} is not a dataset available. The available datasets "
                    f"are {list(DATASET_NAMES)}."
                )
            names.append(item)
        elif isinstance(item, numbers.Integral) and not isinstance(item, bool):
            if not 1 <= item <= len(DATASET_NAMES):
                raise ValueError(
                    f"The dataset with the ID={item} is not an available dataset. "
                    f"The IDs are 1 to {len(DATASET_NAMES)}."
                )
            names.append(DATASET_NAMES[int(item) - 1])
        else:
            raise ValueError(
                "The value in the tuple should be str or int (a dataset's name or "
                f"ID). Got {type(item)} instead."
            )
    return names


def _download(zenodo_dir: str, verbose: bool) -> None:
    """Download the archive and unpack its ``x<ID>data.npz`` files into the cache.

    Only regular files with those names are written, each through a temporary
    file renamed into place, so an interrupted download leaves no partial file.
    """
    os.makedirs(zenodo_dir, exist_ok=True)
    if verbose:
        print(f"Downloading {URL}")
    with tempfile.TemporaryFile() as archive:
        with urlopen(URL) as response:
            while chunk := response.read(1 << 20):
                archive.write(chunk)
        archive.seek(0)
        with tarfile.open(fileobj=archive) as tar:
            for member in tar:
                base = os.path.basename(member.name)
                if not member.isfile() or _MEMBER.fullmatch(base) is None:
                    continue
                source = tar.extractfile(member)
                fd, tmp = tempfile.mkstemp(dir=zenodo_dir, suffix=".part")
                try:
                    with os.fdopen(fd, "wb") as out:
                        while chunk := source.read(1 << 20):
                            out.write(chunk)
                    os.replace(tmp, os.path.join(zenodo_dir, base))
                except BaseException:
                    os.unlink(tmp)
                    raise


@validate_params(
    {
        "data_home": [None, str, os.PathLike],
        "filter_data": [None, tuple],
        "download_if_missing": ["boolean"],
        "random_state": ["random_state"],
        "shuffle": ["boolean"],
        "verbose": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def fetch_datasets(
    *,
    data_home=None,
    filter_data=None,
    download_if_missing=True,
    random_state=None,
    shuffle=False,
    verbose=False,
):
    """Load imbalanced-learn's 27 benchmark datasets, downloading them if needed.

    The datasets of Ding (2011), as published on Zenodo (record 61452), from
    UCI, LIBSVM and KDD sources, each binarised with a minority class; the
    imbalance ratio goes from 8.6:1 (ecoli) to 130:1 (abalone_19). They are
    downloaded once (about 40 MB) and cached as
    ``<data_home>/zenodo/x<ID>data.npz``, exactly where imbalanced-learn
    caches them.

    Parameters
    ----------
    data_home : str or path-like, default=None
        The cache folder; ``None`` is scikit-learn's data home
        (``~/scikit_learn_data`` or ``$SCIKIT_LEARN_DATA``).
    filter_data : tuple of str or int, default=None
        The datasets to load, by name or ID (1 to 27, in the order of
        ``DATASET_NAMES``: 1 is 'ecoli', 27 'abalone_19'); ``None`` loads all.
    download_if_missing : bool, default=True
        Whether to download the archive when a dataset is not in the cache;
        ``False`` raises ``OSError`` instead.
    random_state : int, RandomState instance or None, default=None
        Seeds the shuffle (used only when ``shuffle``).
    shuffle : bool, default=False
        Whether to shuffle the rows of each dataset.
    verbose : bool, default=False
        Whether to say when downloading.

    Returns
    -------
    datasets : OrderedDict of Bunch
        One entry per dataset, in the order asked for, keyed by name; each
        ``Bunch`` has ``data`` (ndarray of shape (n_samples, n_features)),
        ``target`` (ndarray of shape (n_samples,), the class labels) and
        ``DESCR`` (the name).

    Raises
    ------
    OSError
        When a dataset is not cached and ``download_if_missing`` is False, or
        the download fails.

    See Also
    --------
    make_imbalance : Make any dataset imbalanced.

    References
    ----------
    .. [1] Ding, Zejin, "Diversified Ensemble Classifiers for Highly
       Imbalanced Data Learning and their Application in Bioinformatics."
       Dissertation, Georgia State University, (2011).

    Examples
    --------
    >>> from counterpoise.datasets import fetch_datasets
    >>> fetch_datasets(filter_data=("ecoli", 0))
    Traceback (most recent call last):
    ...
    ValueError: The dataset with the ID=0 is not an available dataset. The IDs are 1 to 27.
    """  # noqa: E501
    names = _selected(filter_data)
    zenodo_dir = os.path.join(get_data_home(data_home=data_home), "zenodo")
    datasets = OrderedDict()
    for name in names:
        path = os.path.join(zenodo_dir, _filename(name))
        if not os.path.isfile(path):
            if not download_if_missing:
                raise OSError(
                    f"Dataset {name!r} not found in {zenodo_dir} and "
                    "download_if_missing is False."
                )
            _download(zenodo_dir, verbose)
            if not os.path.isfile(path):
                raise OSError(
                    f"The archive downloaded from {URL} has no {_filename(name)}."
                )
        with np.load(path) as data:
            X, y = data["data"], data["label"]
        if shuffle:
            order = np.arange(X.shape[0])
            check_random_state(random_state).shuffle(order)
            X, y = X[order], y[order]
        datasets[name] = Bunch(data=X, target=y, DESCR=name)
    return datasets

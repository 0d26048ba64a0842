"""``show_versions``: the system and dependency versions, for bug reports."""

import platform
import sys
from importlib.metadata import PackageNotFoundError, version

__all__ = ["show_versions"]

_DEPS = (
    "counterpoise",
    "imbalanced-learn",
    "pip",
    "setuptools",
    "numpy",
    "scipy",
    "scikit-learn",
    "threadpoolctl",
    "Cython",
    "pandas",
    "polars",
    "keras",
    "tensorflow",
    "joblib",
)


def _get_sys_info():
    return {
        "python": sys.version.replace("\n", " "),
        "executable": sys.executable,
        "machine": platform.platform(),
    }


def _get_deps_info():
    """The installed version of each dependency (None when not installed)."""
    from .. import __version__

    info = {}
    for name in _DEPS:
        try:
            info[name] = version(name)
        except PackageNotFoundError:
            info[name] = None
    info["counterpoise"] = __version__
    return info


def show_versions(github=False):
    """Print the system, counterpoise and dependency versions.

    Paste the output into a bug report.

    Parameters
    ----------
    github : bool, default=False
        Wrap the output in GitHub markdown (a collapsed ``<details>`` block).

    See Also
    --------
    sklearn.show_versions : scikit-learn's equivalent.

    Examples
    --------
    >>> from counterpoise import show_versions
    >>> show_versions()
    <BLANKLINE>
    System:
    ...
    Python dependencies:
        counterpoise: ...
    """
    sys_info, deps_info = _get_sys_info(), _get_deps_info()
    if github:
        lines = ["<details><summary>System, Dependency Information</summary>", ""]
        lines += ["**System Information**", ""]
        lines += [f"* {k:<10}: `{v}`" for k, v in sys_info.items()]
        lines += ["", "**Python Dependencies**", ""]
        lines += [f"* {k:<10}: `{v}`" for k, v in deps_info.items()]
        lines += ["", "</details>"]
    else:
        lines = ["", "System:"]
        lines += [f"{k:>16}: {v}" for k, v in sys_info.items()]
        lines += ["", "Python dependencies:"]
        lines += [f"{k:>16}: {v}" for k, v in deps_info.items()]
    print("\n".join(lines))

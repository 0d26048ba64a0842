"""Names of a package loaded on first use (PEP 562), shared by the package and
``counterpoise.utils``: importing them must not import scikit-learn, so a Spark
or Dask worker that only needs the Rust engine stays light."""

from __future__ import annotations

import importlib
import sys


def lazy_names(package, names, submodules=()):
    """``(__getattr__, __dir__)`` for ``package``: each of ``names`` (``{name:
    relative module}``) is imported from its module when first read, then kept
    in the package's namespace; each of ``submodules`` is imported when read."""
    namespace = sys.modules[package].__dict__
    submodules = frozenset(submodules)

    def __getattr__(name):
        if name in submodules:
            return importlib.import_module(f".{name}", package)
        if name in names:
            value = getattr(importlib.import_module(f".{names[name]}", package), name)
            namespace[name] = value
            return value
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__():
        return sorted(set(namespace) | submodules | set(names))

    return __getattr__, __dir__

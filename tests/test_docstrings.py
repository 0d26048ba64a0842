"""The public API's docstrings: numpydoc validation and doctested Examples.

What is checked
---------------
Every public object: each name in the ``__all__`` of the public modules (for a
module without ``__all__``, such as the ``base`` modules, its public classes and
functions defined there), plus the public methods and properties those classes
define in counterpoise (not the ones inherited from scikit-learn, documented
there). Each object gets two tests:

``test_numpydoc``
    ``numpydoc.validate.validate`` must report none of these codes:

    - GL08 (no docstring), GL06/GL07 (unknown or misordered section: a misspelt
      "Parameter" header would otherwise hide the whole section from the checks);
    - SS01-SS06: a one-line summary, capitalised, ending with a period, starting
      with an infinitive ("Return", not "Returns");
    - PR01-PR03, PR06-PR10: every parameter of the signature documented, none
      unknown, in order, with scikit-learn's type spelling ("int", not "integer")
      and a description that is a capitalised sentence;
    - RT01, RT03: a Returns section with a description wherever the code
      returns a value (numpydoc reads that from the source, so ``fit``
      returning ``self`` counts). RT02 is not checked: it forbids naming a
      single returned value, and we follow scikit-learn's ``self : object``;
    - for classes and functions only: ES01 (an extended summary: what the
      algorithm does, where it differs from imbalanced-learn), SA01 (See Also)
      and EX01 (Examples). Methods are read on their class's page, whose summary,
      See Also and Examples cover them, as in scikit-learn.

    Beyond numpydoc's codes: an estimator class (one with ``fit``) needs an
    "Attributes" section for its fitted attributes, and every sampler or
    ensemble in ``over_sampling``, ``under_sampling``, ``combine`` and
    ``ensemble`` a "References" section citing its paper.

``test_doctest``
    Each object's own Examples, and those of the public modules' docstrings,
    run as doctests (``ELLIPSIS``,
    ``NORMALIZE_WHITESPACE``) in an empty namespace, so an example imports what
    it uses. Examples must be tiny (the whole file runs in seconds) and print
    values that do not depend on the numpy version (``print``/``float``/``tolist``
    rather than numpy scalar reprs) or on the machine.
"""

from __future__ import annotations

import doctest
import importlib
import inspect

import pytest
from numpydoc.validate import validate

# A name exported twice is checked under the first module listed that exports it,
# so the top-level package, which re-exports, comes last.
MODULES = [
    "counterpoise.base",
    "counterpoise.over_sampling",
    "counterpoise.over_sampling.base",
    "counterpoise.under_sampling",
    "counterpoise.under_sampling.base",
    "counterpoise.combine",
    "counterpoise.ensemble",
    "counterpoise.pipeline",
    "counterpoise.metrics",
    "counterpoise.metrics.pairwise",
    "counterpoise.datasets",
    "counterpoise.utils",
    "counterpoise.utils.estimator_checks",
    "counterpoise.workflow",  # checked once it exists
    "counterpoise.model_selection",
    "counterpoise.exceptions",
    "counterpoise.utils.deprecation",
    "counterpoise.dask",
    "counterpoise",
]
SAMPLER_MODULES = (
    "counterpoise.over_sampling",
    "counterpoise.under_sampling",
    "counterpoise.combine",
    "counterpoise.ensemble",
)
ALWAYS = {"GL06", "GL07", "GL08", "SS01", "SS02", "SS03", "SS04", "SS05", "SS06"}
ALWAYS |= {"PR01", "PR02", "PR03", "PR06", "PR07", "PR08", "PR09", "PR10"}
ALWAYS |= {"RT01", "RT03"}
TOP_LEVEL = ALWAYS | {"ES01", "SA01", "EX01"}


def _module_names(module):
    names = getattr(module, "__all__", None)
    if names is None:
        names = [
            n
            for n, obj in vars(module).items()
            if not n.startswith("_")
            and getattr(obj, "__module__", "") == module.__name__
        ]
    return [
        n
        for n in names
        if inspect.isclass(getattr(module, n)) or inspect.isfunction(getattr(module, n))
    ]


def _members(cls):
    """Public methods and properties of ``cls`` written in counterpoise."""
    for name in sorted(dir(cls)):
        if name.startswith("_"):
            continue
        owner = next((k for k in cls.__mro__ if name in vars(k)), None)
        if owner is None or not owner.__module__.startswith("counterpoise"):
            continue
        attr = vars(owner)[name]
        if isinstance(attr, (staticmethod, classmethod)):
            attr = attr.__func__
        if inspect.isfunction(attr) or isinstance(attr, property):
            yield name, attr


def _import(modname):
    """The module, or None for the workflow package before it exists."""
    try:
        return importlib.import_module(modname)
    except ModuleNotFoundError as exc:
        if exc.name == "counterpoise.workflow":
            return None
        raise


def _collect():
    """``(dotted name, object, kind)``, kind 'class', 'function' or 'member'."""
    out, seen = [], set()
    for modname in MODULES:
        module = _import(modname)
        if module is None:
            continue
        for name in _module_names(module):
            obj = getattr(module, name)
            if id(obj) in seen:  # re-exported: checked under its first module
                continue
            seen.add(id(obj))
            dotted = f"{modname}.{name}"
            out.append((dotted, obj, "class" if inspect.isclass(obj) else "function"))
            if inspect.isclass(obj):
                for member, attr in _members(obj):
                    key = id(attr.fget if isinstance(attr, property) else attr)
                    if key not in seen:
                        seen.add(key)
                        out.append((f"{dotted}.{member}", attr, "member"))
    return out


OBJECTS = _collect()
IDS = [name for name, _, _ in OBJECTS]


def _sections(obj):
    """Section headers in the docstring (numpydoc's underlined titles)."""
    lines = inspect.cleandoc(obj.__doc__ or "").splitlines()
    return {
        a.strip()
        for a, b in zip(lines, lines[1:])
        if b.strip() and set(b.strip()) == {"-"} and len(b.strip()) >= len(a.strip())
    }


@pytest.mark.parametrize("name, obj, kind", OBJECTS, ids=IDS)
def test_numpydoc(name, obj, kind):
    codes = ALWAYS if kind == "member" else TOP_LEVEL
    errors = [f"{c}: {m}" for c, m in validate(name)["errors"] if c in codes]
    if kind == "class" and hasattr(obj, "fit") and "Attributes" not in _sections(obj):
        errors.append("no Attributes section for the fitted attributes")
    if (
        kind == "class"
        and name.rsplit(".", 1)[0] in SAMPLER_MODULES
        and "References" not in _sections(obj)
    ):
        errors.append("no References section (the paper the algorithm comes from)")
    assert not errors, f"{name}:\n  " + "\n  ".join(errors)


def _doctests():
    finder = doctest.DocTestFinder(recurse=False)
    modules = [(m, _import(m)) for m in MODULES if _import(m) is not None]
    for name, obj in modules + [(name, obj) for name, obj, _ in OBJECTS]:
        target = obj.fget if isinstance(obj, property) else obj
        tests = [t for t in finder.find(target, name, globs={}) if t.examples]
        if tests:
            yield pytest.param(tests, id=name)


@pytest.mark.parametrize("tests", list(_doctests()))
def test_doctest(tests):
    runner = doctest.DocTestRunner(
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    )
    report = []
    for test in tests:
        runner.run(test, out=report.append, clear_globs=True)
    assert runner.tries > 0
    assert runner.failures == 0, "".join(report)

"""Run imbalanced-learn 0.14.2's own test suite against counterpoise.

The tests are read at run time from the installed imbalanced-learn wheel
(``imblearn/**/tests/*.py``); none of imbalanced-learn's code is stored in this
repository. They are copied into a temporary directory, every reference to the
``imblearn`` package is rewritten to ``counterpoise`` (the API under test),
except imbalanced-learn's *test scaffolding*, which is copied as a separate
package ``_imblearn_scaffold`` and kept as imbalanced-learn wrote it, only
pointed at counterpoise's estimators:

``imblearn.utils.testing``
    ``all_estimators`` (walks the package under test for estimator classes,
    kept to the classes imbalanced-learn has: counterpoise's own estimators,
    such as ``StrategySearchCV``, have their own tests),
    ``_CustomNearestNeighbors``/``_CustomClusterer`` (duck-typed test doubles).
``imblearn.utils._test_common``
    The estimator instances to check and imbalanced-learn's own list of
    expected check failures (``INIT_PARAMS``, ``PER_ESTIMATOR_XFAIL_CHECKS``).
``imblearn.utils.estimator_checks``
    The sampler checks (``check_samplers_*``, ``check_param_validation``,
    ``parametrize_with_checks``): the oracle that test_common applies. Using
    counterpoise's own ``counterpoise.utils.estimator_checks`` here would let
    counterpoise grade itself.
``imblearn.utils._tags``
    ``get_tags``, a scikit-learn version shim the checks call to *read* tags.
    The tags read are the ones counterpoise's estimators return (their
    ``__sklearn_tags__``), so the tag classes and values are still under test.

Everything else the tests import (samplers, ensembles, pipeline, metrics,
datasets, model_selection, exceptions, ``utils._validation``,
``utils.deprecation``, ``utils._docstring``, ``utils._show_versions``, the
top-level names) is the API under test and comes from counterpoise.

Tests imbalanced-learn would collect but counterpoise does not (a file that
fails to import, a parametrisation that errors) are "not collected": the
runner collects the same copied files unmodified against imbalanced-learn
and takes the difference of the two sets of test ids.

Command line (prints a per-file table and writes JSON with every outcome)::

    python tests/conformance/runner.py [--json out.json] [--target imblearn]
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

IMBLEARN_VERSION = "0.14.2"

# imbalanced-learn's test scaffolding: dotted module (or package) names kept as
# imbalanced-learn's own code, moved under ``_imblearn_scaffold``.
SCAFFOLDING = (
    "imblearn.utils.testing",
    "imblearn.utils._test_common",
    "imblearn.utils.estimator_checks",
    "imblearn.utils._tags",
)
SCAFFOLD_PACKAGE = "_imblearn_scaffold"

# Edits beyond the import rewrite, each of which must match exactly once (so a
# change in imbalanced-learn's code is noticed, not silently skipped).
# ``all_estimators`` walks the directory of the package under test.
EXTRA_EDITS = {
    "utils/testing.py": [
        (
            "root = str(Path(__file__).parent.parent)",
            "root = str(Path(importlib.util.find_spec('counterpoise').origin).parent)",
        ),
        ("import inspect\n", "import importlib.util\nimport inspect\n"),
        # only the estimators imbalanced-learn has (counterpoise's own, such as
        # StrategySearchCV, have their own tests)
        (
            '    estimators = [c for c in estimators if "sklearn" not in '
            "c[1].__module__]\n",
            '    estimators = [c for c in estimators if "sklearn" not in '
            "c[1].__module__]\n"
            "    estimators = [c for c in estimators if c[0] in IMBLEARN_ESTIMATORS]\n",
        ),
    ],
}

_PLUGIN = r"""
import json, os

_OUT = os.environ["CONFORMANCE_RESULTS"]


def _write(rec):
    # ids relative to the imblearn package: drop the copy's folder name
    # and name the package as imbalanced-learn does in parametrised ids, so
    # that ids compare across the two runs
    rec["nodeid"] = rec["nodeid"].removeprefix("imblearn_tests/").replace(
        "counterpoise", "imblearn"
    )
    with open(_OUT, "a") as fh:
        fh.write(json.dumps(rec) + "\n")


def _message(report):
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is not None:
        return crash.message
    return str(report.longrepr)[-2000:] if report.longrepr else ""


def pytest_collectreport(report):
    if report.failed:
        _write({"kind": "collect_error", "nodeid": report.nodeid,
                "message": _message(report)})


def pytest_collection_finish(session):
    for item in session.items:
        _write({"kind": "collected", "nodeid": item.nodeid})


def pytest_runtest_logreport(report):
    if report.when == "call" or report.outcome != "passed":
        if hasattr(report, "wasxfail"):
            outcome = "xfailed" if report.skipped else "xpassed"
        elif report.when != "call" and report.failed:
            outcome = "error"
        else:
            outcome = report.outcome
        _write({"kind": "result", "nodeid": report.nodeid, "when": report.when,
                "outcome": outcome,
                "message": _message(report) if outcome in ("failed", "error",
                                                           "skipped") else ""})
"""


def imblearn_root() -> Path:
    """The installed imbalanced-learn package directory (version checked)."""
    version = importlib.metadata.version("imbalanced-learn")
    if version != IMBLEARN_VERSION:
        raise RuntimeError(
            f"the conformance suite targets imbalanced-learn {IMBLEARN_VERSION}, "
            f"found {version}: pip install imbalanced-learn=={IMBLEARN_VERSION}"
        )
    spec = importlib.util.find_spec("imblearn")
    return Path(spec.origin).parent


def imblearn_estimator_names() -> list[str]:
    """The estimator classes imbalanced-learn's ``all_estimators`` finds."""
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "from imblearn.utils.testing import all_estimators;"
            "print(' '.join(n for n, _ in all_estimators()))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return sorted(out.stdout.split())


def test_files(root: Path) -> list[Path]:
    """``imblearn/**/tests/*.py`` relative to the package, sorted."""
    return sorted(
        p.relative_to(root)
        for p in root.rglob("tests/*.py")
        if p.name != "__init__.py" and "__pycache__" not in p.parts
    )


def _scaffold_files(root: Path) -> list[Path]:
    out = []
    for dotted in SCAFFOLDING:
        rel = Path(*dotted.split(".")[1:])
        if (root / rel).is_dir():
            out += [p.relative_to(root) for p in (root / rel).glob("*.py")]
        else:
            out.append(rel.with_suffix(".py"))
    return sorted(out)


def rewrite(source: str) -> str:
    """Point a file's imports and names at counterpoise (scaffolding apart)."""
    for dotted in SCAFFOLDING:
        new = SCAFFOLD_PACKAGE + dotted[len("imblearn") :]
        source = re.sub(rf"\b{re.escape(dotted)}\b", new, source)
    return re.sub(r"\bimblearn\b", "counterpoise", source)


def prepare(dest: Path, target: str = "counterpoise") -> Path:
    """Copy the tests and the scaffolding into ``dest``; return the test root.

    ``target='imblearn'`` copies them unmodified (imbalanced-learn against
    itself, the reference for what should be collected and pass).
    """
    root = imblearn_root()
    suite = dest / "imblearn_tests"
    for rel in test_files(root):
        text = (root / rel).read_text()
        out = suite / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(rewrite(text) if target == "counterpoise" else text)
    if target == "counterpoise":
        scaffold = dest / SCAFFOLD_PACKAGE
        for rel in _scaffold_files(root):
            text = rewrite((root / rel).read_text())
            for old, new in EXTRA_EDITS.get(rel.as_posix(), []):
                if text.count(old) != 1:
                    raise RuntimeError(f"scaffolding edit no longer applies: {rel}")
                text = text.replace(old, new)
            if rel.as_posix() == "utils/testing.py":
                text += f"\n\nIMBLEARN_ESTIMATORS = {imblearn_estimator_names()!r}\n"
            out = scaffold / rel
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(text)
        for d in [scaffold, *(p for p in scaffold.rglob("*") if p.is_dir())]:
            (d / "__init__.py").touch(exist_ok=True)
    (dest / "_conformance_plugin.py").write_text(_PLUGIN)
    # pytest's rootdir: no configuration of this repository leaks in.
    (dest / "pytest.ini").write_text("[pytest]\naddopts = \n")
    return suite


def run(
    target: str = "counterpoise",
    *,
    collect_only: bool = False,
    extra_args: tuple[str, ...] = (),
    paths: tuple[str, ...] = (),
    timeout: float = 3600,
) -> list[dict]:
    """Run (or only collect) the copied suite in a subprocess; return records.

    ``paths``: test files or ids (relative to the imblearn package, as in the
    report) to run instead of the whole suite.
    """
    with tempfile.TemporaryDirectory(prefix="conformance-") as tmp:
        dest = Path(tmp)
        suite = prepare(dest, target)
        results = dest / "results.jsonl"
        env = dict(os.environ)
        env["CONFORMANCE_RESULTS"] = str(results)
        env["PYTHONPATH"] = os.pathsep.join(
            [str(dest), *filter(None, [env.get("PYTHONPATH")])]
        )
        env.setdefault("PYTHONHASHSEED", "0")
        cmd = [
            sys.executable,
            "-m",
            "pytest",
            *([str(suite / p) for p in paths] or [str(suite)]),
            f"--rootdir={dest}",
            "-c",
            str(dest / "pytest.ini"),
            "--import-mode=importlib",
            "-p",
            "no:cacheprovider",
            "-p",
            "_conformance_plugin",
            "-q",
            "--no-header",
            "--continue-on-collection-errors",
            "-W",
            "ignore::DeprecationWarning",
            *(["--collect-only"] if collect_only else []),
            *extra_args,
        ]
        subprocess.run(
            cmd,
            cwd=dest,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=timeout,
            check=False,
        )
        if not results.exists():
            raise RuntimeError("the conformance run wrote no results")
        return [json.loads(line) for line in results.read_text().splitlines()]


def summarise(records: list[dict], reference: list[dict] | None = None) -> dict:
    """Outcome of every test id, collection errors, and what was not collected."""
    collected = [r["nodeid"] for r in records if r["kind"] == "collected"]
    outcome: dict[str, str] = {}
    message: dict[str, str] = {}
    for r in records:
        if r["kind"] != "result":
            continue
        prev = outcome.get(r["nodeid"])
        # a teardown error after a passed call makes the test an error
        if prev is None or prev == "passed" or r["outcome"] in ("failed", "error"):
            outcome[r["nodeid"]] = r["outcome"]
            if r["message"]:
                message[r["nodeid"]] = r["message"]
    collect_errors = {
        r["nodeid"]: r["message"] for r in records if r["kind"] == "collect_error"
    }
    not_collected: list[str] = []
    if reference is not None:
        ours = set(collected)
        not_collected = sorted(
            r["nodeid"]
            for r in reference
            if r["kind"] == "collected" and r["nodeid"] not in ours
        )
    return {
        "collected": collected,
        "outcome": outcome,
        "message": message,
        "collect_errors": collect_errors,
        "not_collected": not_collected,
    }


def per_file(summary: dict) -> dict[str, Counter]:
    table: dict[str, Counter] = defaultdict(Counter)
    for nodeid in summary["collected"]:
        table[nodeid.split("::")[0]][summary["outcome"].get(nodeid, "not run")] += 1
    for nodeid in summary["not_collected"]:
        table[nodeid.split("::")[0]]["not collected"] += 1
    return table


def totals(summary: dict) -> Counter:
    c = Counter(summary["outcome"].get(n, "not run") for n in summary["collected"])
    c["collected"] = len(summary["collected"])
    c["not collected"] = len(summary["not_collected"])
    return c


def _main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", default="counterpoise")
    parser.add_argument("--json", help="write the summary here")
    parser.add_argument(
        "--only", action="append", default=[], help="a test file or id to run"
    )
    parser.add_argument("pytest_args", nargs="*", help="passed on to pytest")
    args = parser.parse_args(argv)
    only = tuple(args.only)
    reference = run("imblearn", collect_only=True, paths=only)
    records = run(args.target, extra_args=tuple(args.pytest_args), paths=only)
    summary = summarise(records, reference)
    cols = ["passed", "failed", "error", "xfailed", "xpassed", "skipped"]
    cols.append("not collected")
    print(f"{'file':70s} " + " ".join(f"{c[:8]:>8s}" for c in cols))
    for name, c in sorted(per_file(summary).items()):
        print(f"{name:70s} " + " ".join(f"{c[k]:8d}" for k in cols))
    t = totals(summary)
    print(f"{'TOTAL':70s} " + " ".join(f"{t[k]:8d}" for k in cols))
    for nodeid, msg in summary["collect_errors"].items():
        print(f"collection error {nodeid}: {msg.strip().splitlines()[-1][:200]}")
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(_main())

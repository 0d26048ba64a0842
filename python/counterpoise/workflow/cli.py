"""The ``counterpoise`` command: inspect, resample, compare, demo.

    counterpoise demo
    counterpoise inspect DATA --target COL
    counterpoise resample DATA OUT --target COL --sampler NAME [--param k=v ...]
    counterpoise compare DATA --target COL [--model logistic|forest|hgb] [--cv 5]
                         [--report report.html] [--refit METRIC]
                         [--selection one_se|best] [--save-model model.joblib]

DATA and OUT are CSV or Parquet files (by extension; Parquet needs pyarrow or
polars). Mistakes (a missing file, an unknown column or sampler, ...) end with one
line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys

from ._commands import (
    cmd_compare,
    cmd_demo,
    cmd_inspect,
    cmd_resample,
    cmd_tour,
)
from ._tables import CLIError

EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="counterpoise",
        description="Imbalanced learning: look at the classes, resample, and compare "
        "class weights, threshold tuning and resampling on the same folds.",
    )
    from .. import __version__

    p.add_argument("--version", action="version", version=f"counterpoise {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    def common(q):
        q.add_argument("--progress", action="store_true", help="always show progress")

    q = sub.add_parser("demo", help="compare strategies on built-in data")
    q.add_argument("--report", help="also write an HTML report here")
    common(q)
    q.set_defaults(func=cmd_demo)

    q = sub.add_parser(
        "tour",
        help="time every sampler on synthetic rows (200,000, or fewer where a "
        "sampler's work grows faster than the rows, said on its line)",
    )
    q.set_defaults(func=cmd_tour)

    q = sub.add_parser("inspect", help="class counts and imbalance severity")
    q.add_argument("data", help="CSV or Parquet file")
    q.add_argument("--target", required=True, help="the label column")
    q.set_defaults(func=cmd_inspect)

    q = sub.add_parser("resample", help="resample a data file with a sampler")
    q.add_argument("data", help="input CSV or Parquet file")
    q.add_argument("out", help="output CSV or Parquet file (not the input)")
    q.add_argument("--target", required=True, help="the label column")
    q.add_argument("--sampler", required=True, help="e.g. SMOTE, SMOTENC, TomekLinks")
    q.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="sampler parameter (repeatable), e.g. --param k_neighbors=3",
    )
    q.add_argument("--seed", type=int, default=None, help="random_state")
    q.add_argument(
        "--categorical",
        default="",
        metavar="COL[,COL...]",
        help="categorical columns (SMOTENC); default: the non-numeric ones",
    )
    q.add_argument(
        "--integers",
        choices=["round", "float"],
        default="round",
        help="synthetic values of integer feature columns: round (default) writes "
        "them rounded to the nearest integer and clipped into the column type's "
        "range, never truncated toward zero; float writes those columns as float",
    )
    common(q)
    q.set_defaults(func=cmd_resample)

    q = sub.add_parser("compare", help="compare strategies on the same folds")
    q.add_argument("data", help="CSV or Parquet file")
    q.add_argument("--target", required=True, help="the label column (binary)")
    q.add_argument(
        "--model",
        choices=["logistic", "forest", "hgb"],
        default="logistic",
        help="the classifier every strategy wraps: logistic (scaled logistic "
        "regression, default), forest (random forest, 200 trees) or hgb "
        "(histogram gradient boosting); non-numeric columns are one-hot encoded",
    )
    q.add_argument("--cv", type=int, default=5, help="stratified folds (default 5)")
    q.add_argument("--seed", type=int, default=0)
    q.add_argument("--positive", help="the class of interest (default: minority)")
    from ._strategies import STRATEGIES

    q.add_argument(
        "--strategies",
        default="",
        metavar="NAME[,NAME...]",
        help="the strategies to compare, comma-separated (default: all that apply): "
        f"{', '.join(STRATEGIES)}",
    )
    q.add_argument("--report", help="write an HTML report with the plots here")
    from ._stats import METRICS, RULES

    q.add_argument(
        "--refit",
        choices=METRICS,
        metavar="METRIC",
        help="choose a strategy by this metric and refit it on all rows "
        f"({', '.join(METRICS)})",
    )
    q.add_argument(
        "--selection",
        choices=RULES,
        default="one_se",
        help="the rule of the choice: the simplest strategy within one standard "
        "error of the best (one_se, default) or the best mean",
    )
    q.add_argument(
        "--save-model",
        metavar="PATH",
        help="write the chosen, refitted model here with joblib (needs --refit)",
    )
    common(q)
    q.set_defaults(func=cmd_compare)
    return p


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    os.environ.setdefault("MPLBACKEND", "Agg")
    try:
        return args.func(args)
    except CLIError as exc:
        print(f"counterpoise: error: {exc}", file=sys.stderr)
    except (ValueError, TypeError, RuntimeError, KeyError, OSError) as exc:
        message = " ".join(str(exc).split()) or type(exc).__name__
        print(f"counterpoise: error: {message}", file=sys.stderr)
    except KeyboardInterrupt:
        print("counterpoise: interrupted", file=sys.stderr)
        return 130
    return EXIT_USAGE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

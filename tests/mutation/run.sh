#!/usr/bin/env bash
# Mutation check of the sampling logic (issue #24). Not part of CI: it takes
# about an hour per language on 2 cores even on the sample below.
#
#   bash tests/mutation/run.sh rust [SHARD]     # cargo mutants on rust/core
#   bash tests/mutation/run.sh python [GLOB]    # mutmut on the Python samplers
#
# Rust: `cargo mutants` on rust/core/src, without the plumbing that decides no
# sampling result (alloc.rs, cpu.rs, pool.rs, progress.rs), in the `mutants`
# profile (opt-level 3 without fat LTO: a mutant rebuilds in seconds and the
# tests run in seconds instead of minutes in debug). SHARD (default 0/16, the
# sample measured in the session notes) takes every 16th mutant of the list,
# round-robin, so every file is sampled; use 0/1 for all of them (about 2,000).
#
# Python: mutmut 3 on python/counterpoise/{over_sampling,under_sampling,combine},
# killed by the tests of the samplers, parity, bad input, containers, errors,
# estimator checks and pipeline (not conformance, distributed or workflow),
# under the CI hypothesis profile. mutmut only understands a `src/` layout, so the run happens in a
# scratch folder whose `src` and `tests` are links to this checkout. GLOB
# (default `*__mutmut_*[27]`: mutants numbered 2, 7, 12, ..., about a fifth of
# them, spread over every function with two or more) picks the sample; `*`
# runs all of them (about 4,300). Results: `cd $WORK && mutmut results`.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
what=${1:?usage: run.sh rust|python [SHARD|GLOB]}

case $what in
rust)
  cd "$ROOT"
  cargo mutants -p counterpoise-core --profile mutants \
    -e rust/core/src/alloc.rs -e rust/core/src/cpu.rs \
    -e rust/core/src/pool.rs -e rust/core/src/progress.rs \
    --shard "${2:-0/16}" --sharding round-robin --timeout 120 \
    -o "${MUTANTS_OUT:-$ROOT/target/mutants-out}"
  ;;
python)
  WORK=${MUTMUT_WORK:-$ROOT/target/mutmut}
  mkdir -p "$WORK"
  ln -sfn "$ROOT/python" "$WORK/src"
  ln -sfn "$ROOT/tests" "$WORK/tests"
  cat >"$WORK/pyproject.toml" <<'EOF'
[tool.pytest.ini_options]
testpaths = ["tests"]

[tool.mutmut]
source_paths = ["src/counterpoise"]
only_mutate = [
    "src/counterpoise/over_sampling/*",
    "src/counterpoise/under_sampling/*",
    "src/counterpoise/combine/*",
]
pytest_add_cli_args = ["-p", "no:cacheprovider", "-q"]
pytest_add_cli_args_test_selection = [
    "tests/parity",
    "tests/over_sampling",
    "tests/under_sampling",
    "tests/combine",
    "tests/test_bad_input.py",
    "tests/test_bad_input_properties.py",
    "tests/test_inputs.py",
    "tests/test_containers.py",
    "tests/test_errors.py",
    "tests/test_estimator_checks.py",
    "tests/test_neighbour_tie_rule.py",
    "tests/test_migration.py",
    "tests/test_pipeline.py",
    "tests/test_utils.py",
]
EOF
  cd "$WORK"
  HYPOTHESIS_PROFILE=ci mutmut run --max-children "${MUTMUT_CHILDREN:-2}" "${2:-*__mutmut_*[27]}"
  mutmut results
  ;;
*)
  echo "usage: run.sh rust|python [SHARD|GLOB]" >&2
  exit 2
  ;;
esac

#!/usr/bin/env bash
# Mutation check of the sampling logic (issue #24). Not part of CI: it takes
# an hour or more per language on 2 cores even on the samples below.
#
#   bash tests/mutation/run.sh rust [SHARD]     # cargo mutants on rust/core
#   bash tests/mutation/run.sh python [N]       # mutmut on the Python samplers
#
# Rust: `cargo mutants` on rust/core/src, without the plumbing that decides no
# sampling result (alloc.rs, cpu.rs, pool.rs, progress.rs), in the `mutants`
# profile (opt-level 3 without fat LTO: a mutant rebuilds in seconds and the
# tests run in seconds instead of minutes in debug). SHARD (default 0/16) takes
# every 16th mutant of the list, round-robin, so every file is sampled, and
# tests them in random order (the session notes report the first 52 of them);
# use 0/1 for all of them (about 2,000; a mutant takes 20-60 s here).
#
# Python: mutmut 3 on python/counterpoise/{over_sampling,under_sampling,combine},
# killed by the tests of the samplers, parity, bad input, containers, errors,
# estimator checks and pipeline (not conformance, distributed or workflow),
# under the CI hypothesis profile. mutmut only understands a `src/` layout, so
# the run happens in a scratch folder whose `src` and `tests` are links to this
# checkout. It generates every mutant (about 4,300) and maps tests to functions,
# then tests a uniform random sample of N of them (default 150: the sample
# measured in the session notes; N=all tests every one, about a day). A mutant
# fails on time past 4 x (its tests' measured time + 10 s) of CPU.
# Results: `cd target/mutmut && mutmut results` (and `mutmut show NAME`).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
what=${1:?usage: run.sh rust|python [SHARD|N]}

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
timeout_multiplier = 4.0
timeout_constant = 10.0
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
  export HYPOTHESIS_PROFILE=ci
  # generate the mutants and the test map (a name matching no mutant runs none)
  mutmut run --max-children "${MUTMUT_CHILDREN:-2}" "counterpoise.no_such_module*" || true
  mapfile -t sample < <(python - "${2:-150}" <<'PY'
import glob, json, random, sys
keys = [
    k
    for f in sorted(glob.glob("mutants/**/*.meta", recursive=True))
    for k in sorted(json.load(open(f))["exit_code_by_key"])
]
n = sys.argv[1]
if n != "all":
    # the session notes' sample: 300 drawn with seed 24, then 150 of those
    keys = random.Random(24).sample(keys, max(300, int(n)))
    if int(n) < 300:
        keys = random.Random(150).sample(sorted(keys), int(n))
print("\n".join(sorted(keys)))
PY
  )
  mutmut run --max-children "${MUTMUT_CHILDREN:-2}" "${sample[@]}"
  mutmut results
  ;;
*)
  echo "usage: run.sh rust|python [SHARD|N]" >&2
  exit 2
  ;;
esac

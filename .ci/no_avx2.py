"""The wheel on a CPU without AVX2: run once natively (``write``), then under
``qemu-x86_64 -cpu Nehalem`` (``compare``), an emulated x86-64 with SSE4.2 but no
AVX, AVX2 or FMA. The k-NN engine and SMOTE must choose their portable kernels
there at run time and give bit-identical results. Used by .ci/smoke."""

import sys

import numpy as np
from counterpoise import _core
from counterpoise.over_sampling import SMOTE
from numpy._core._multiarray_umath import __cpu_features__ as cpu

mode, path = sys.argv[1], sys.argv[2]
print(
    f"   CPU: AVX2 {cpu.get('AVX2')}, FMA3 {cpu.get('FMA3')}, SSE4.2 {cpu.get('SSE42')}"
)
if mode == "compare" and cpu.get("AVX2"):
    sys.exit("error: the emulated CPU has AVX2; nothing would be tested")
out = {}
rng = np.random.default_rng(0)
for d in (3, 9, 40):  # KD-tree and brute force, narrow and wide rows
    X = rng.standard_normal((700, d))
    for algorithm in ("kd_tree", "brute"):
        dist, ind = _core.kneighbors(X, X, 5, algorithm)
        out[f"ind{d}{algorithm}"], out[f"dist{d}{algorithm}"] = ind, dist
    # not make_classification: its BLAS products round differently per CPU
    Xc = rng.standard_normal((600, d))
    y = (rng.random(600) < 0.15).astype(int)
    Xc[y == 1] += 0.7
    out[f"smote{d}"] = SMOTE(random_state=0).fit_resample(Xc, y)[0]
if mode == "write":
    np.savez(path, **out)
else:
    ref = np.load(path)
    for key, value in out.items():
        assert np.array_equal(ref[key], value), key
    print(f"   no AVX2: {len(out)} results bit-identical to the native run")

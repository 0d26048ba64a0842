"""The progress bar: a polling thread redraws it from the core's work counters
while a call runs, it moves forward only, prints nothing unless asked, and the
``resample`` command's bar moves during the resampling itself."""

import io
import re
import threading
import time

import numpy as np
import pytest
from counterpoise import _core
from counterpoise.utils import _progress
from counterpoise.utils._progress import ProgressBar, progress

FRAME = re.compile(r"\]\s+(\d+)%.*?(?:([\d,]+)/([\d,]+) units)?\s+([\d.]+)s$")


def _frames(text):
    out = []
    for raw in text.split("\r"):
        raw = raw.rstrip("\n")
        if not raw:
            continue
        m = FRAME.search(raw)
        assert m, raw
        pct, done, planned, secs = m.groups()
        done = int(done.replace(",", "")) if done else None
        planned = int(planned.replace(",", "")) if planned else None
        out.append((float(secs), int(pct), done, planned))
    return out


class FakeCore:
    """Monotonic counters advanced by a worker thread, as the core's are."""

    def __init__(self):
        self.done, self.planned = 500, 500  # earlier calls' work
        self.lock = threading.Lock()

    def __call__(self):
        with self.lock:
            return self.done, self.planned

    def work(self, units, seconds):
        with self.lock:
            self.planned += units
        for _ in range(units):
            time.sleep(seconds / units)
            with self.lock:
                self.done += 1


def test_bar_follows_the_counters_several_times_a_second(monkeypatch):
    fake = FakeCore()
    monkeypatch.setattr(_progress, "core_counters", fake)
    out = io.StringIO()
    with progress(file=out, interval=0.05, label="fake"):
        fake.work(units=40, seconds=1.2)
    frames = _frames(out.getvalue())
    counted = [f for f in frames if f[2] is not None]
    # measured from the block's start: the 500 units done before are not shown
    assert all(f[3] == 40 for f in counted)
    assert len(counted) >= 10
    pct = [f[1] for f in frames]
    assert pct == sorted(pct) and pct[-1] == 100
    assert out.getvalue().endswith("\n") and out.getvalue().count("\n") == 1
    # the units done moved in every 0.3 s window of the 1.2 s of work
    times = np.array([f[0] for f in counted])
    done = np.array([f[2] for f in counted])
    for t0 in np.arange(0.0, 0.9, 0.3):
        window = done[(times >= t0) & (times < t0 + 0.3)]
        assert window.size >= 2 and window.max() > window.min(), t0


def test_steps_rebase_the_counters_and_never_go_back(monkeypatch):
    fake = FakeCore()
    monkeypatch.setattr(_progress, "core_counters", fake)
    out = io.StringIO()
    with ProgressBar(file=out, steps=2, label="a", interval=0.02) as bar:
        fake.work(units=10, seconds=0.2)
        bar.step(1, 2, "b")
        assert bar.fraction() == 0.5
        fake.work(units=10, seconds=0.2)
        time.sleep(0.1)
        assert bar.fraction() == 1.0  # all of step 2's units done
    pct = [f[1] for f in _frames(out.getvalue())]
    assert pct == sorted(pct) and 50 in pct and pct[-1] == 100


def test_nothing_is_printed_without_the_block(capsys):
    from counterpoise.over_sampling import SMOTE
    from sklearn.datasets import make_classification

    X, y = make_classification(n_samples=300, weights=[0.9], random_state=0)
    SMOTE(random_state=0).fit_resample(X, y)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_without_core_counters_the_clock_still_runs(monkeypatch):
    monkeypatch.setattr(_progress, "core_counters", lambda: None)
    out = io.StringIO()
    with progress(file=out, interval=0.05):
        time.sleep(0.3)
    frames = _frames(out.getvalue())
    assert len(frames) >= 3 and frames[-1][1] == 100
    assert frames[-2][0] > frames[0][0]


needs_counters = pytest.mark.skipif(
    not hasattr(_core, "progress"),
    reason="this build of _core has no progress() counters yet (rust/ side)",
)


@needs_counters
def test_resample_bar_moves_every_second_during_the_resampling(tmp_path):
    import pandas as pd
    from sklearn.datasets import make_classification

    from .test_cli import run

    X, y = make_classification(
        n_samples=60_000, n_features=30, weights=[0.7], random_state=0
    )
    src = tmp_path / "big.parquet"
    pd.DataFrame(X).rename(columns=str).assign(label=y).to_parquet(src)
    out = run(
        "resample",
        src,
        tmp_path / "out.parquet",
        "--target",
        "label",
        "--sampler",
        "EditedNearestNeighbours",
        "--progress",
    )
    assert out.returncode == 0, out.stderr
    frames = _frames(out.stderr.replace("\n", "\r"))
    # the resampling step's frames: units counted from the step's start
    work = [f for f in frames if f[2] is not None and f[3]]
    assert len(work) >= 3
    done = [f[2] for f in work]
    assert done == sorted(done) and all(d <= f[3] for d, f in zip(done, work))
    assert len(set(done)) >= 3  # it moved, not only jumped from 0 to the end
    # until the work is done, every whole second shows more units done than the
    # second before (the bar redraws every 0.2 s)
    times = np.array([f[0] for f in work])
    done = np.array(done)
    busy = times[done < work[-1][3]]
    for t0 in np.arange(busy.min(), busy.max() - 1.0, 1.0):
        before = done[times < t0].max(initial=0)
        inside = done[(times >= t0) & (times < t0 + 1.0)]
        assert inside.size and inside.max() > before, (t0, before, inside)
    assert frames[-1][1] == 100

"""Progress of long calls: a bar on stderr fed by the Rust core's work counters.

The core counts units of work (rows or blocks) in two process-global, monotonic
counters, ``_core.progress() -> (done, planned)``, updated while it runs with
the GIL released. A background thread polls them a few times a second and
redraws one line. Nothing here prints unless asked: :func:`progress` is opt-in,
and no sampler signature or default changes.
"""

from __future__ import annotations

import sys
import threading
import time

from .. import _core


def core_counters():
    """``(done, planned)`` of the core's work counters, or None on a build that
    does not count."""
    fn = getattr(_core, "progress", None)
    if fn is None:
        return None
    done, planned = fn()
    return int(done), int(planned)


class ProgressBar:
    """A one-line bar redrawn by a polling thread.

    The bar shows ``(step + inner) / steps``, where ``step`` is advanced by the
    caller (:meth:`step`) and ``inner`` is the fraction of the core's work done
    since the last step (units done / units planned since then). Between steps
    it keeps to the highest fraction seen, so it never moves backwards.
    """

    def __init__(
        self,
        file=None,
        steps: int = 1,
        label: str = "",
        width: int = 28,
        interval: float = 0.2,
    ):
        self.file = sys.stderr if file is None else file
        self.steps = max(int(steps), 1)
        self.label = label
        self.width = width
        self.interval = interval
        self.start = time.perf_counter()
        self.frames = 0
        self._done = 0
        self._inner = 0.0
        self._units = (0, 0)
        self._base = core_counters()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = None
        self._last = ""

    # -- caller side
    def __enter__(self):
        self.start = time.perf_counter()
        self._base = core_counters()
        self.draw()
        self._thread = threading.Thread(
            target=self._run, name="counterpoise-progress", daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.close(finished=exc[0] is None)
        return False

    def step(self, done: int, total: int | None = None, label: str | None = None):
        """Mark ``done`` of ``total`` steps finished; the core's counters are
        measured from here on for the next step."""
        with self._lock:
            if total is not None:
                self.steps = max(int(total), 1)
            self._done = min(int(done), self.steps)
            if label is not None:
                self.label = label
            self._inner, self._units = 0.0, (0, 0)
            self._base = core_counters()
        self.draw()

    def close(self, finished: bool = True):
        """Stop the polling thread and end the line."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if finished:
            with self._lock:
                self._done, self._inner = self.steps, 0.0
        self.draw(end=True)

    # -- drawing
    def _poll(self):
        now = core_counters()
        with self._lock:
            if now is None or self._base is None:
                return
            d = now[0] - self._base[0]
            p = now[1] - self._base[1]
            self._units = (max(d, 0), max(p, 0))
            if p > 0:
                self._inner = max(self._inner, min(d / p, 1.0))

    def _run(self):
        while not self._stop.wait(self.interval):
            self._poll()
            self.draw()

    def fraction(self) -> float:
        """The fraction of the whole shown by the bar, in [0, 1]."""
        with self._lock:
            return min((self._done + self._inner) / self.steps, 1.0)

    def draw(self, end: bool = False):
        frac = self.fraction()
        with self._lock:
            d, p = self._units
            label = self.label
            steps = f"{self._done}/{self.steps} " if self.steps > 1 else ""
        bar = "#" * int(frac * self.width)
        units = f" {d:,}/{p:,} units" if p else ""
        elapsed = time.perf_counter() - self.start
        line = (
            f"\r[{bar:<{self.width}}] {frac:4.0%} {steps}{label[:24]:<24}{units} "
            f"{elapsed:6.1f}s"
        )
        try:
            self.file.write(line + ("\n" if end else ""))
            self.file.flush()
        except (OSError, ValueError):  # a closed stream: stop drawing quietly
            self._stop.set()
        self.frames += 1
        self._last = line


def progress(file=None, interval: float = 0.2, label: str = ""):
    """Show a progress bar on stderr while the calls in a ``with`` block run.

    Opt-in and separate from the estimators: no signature or default of any
    sampler changes, and nothing is printed outside the block. A background
    thread reads the Rust core's work counters (rows or blocks done and
    planned) a few times a second while the core works with the GIL released,
    and redraws one line: the fraction done, the units done and planned since
    the block began, and the seconds elapsed. Work done in Python (or a core
    built without counters) leaves the bar at 0% with the clock still running.

    Parameters
    ----------
    file : file-like, default=None
        Where to draw; ``sys.stderr`` when None.
    interval : float, default=0.2
        Seconds between redraws.
    label : str, default=''
        A short text shown after the percentage.

    Returns
    -------
    ProgressBar
        A context manager; the bar starts on entry and ends its line on exit.

    See Also
    --------
    counterpoise.over_sampling.SMOTE : A sampler whose work the bar follows.

    Examples
    --------
    >>> import io
    >>> from sklearn.datasets import make_classification
    >>> from counterpoise.over_sampling import SMOTE
    >>> from counterpoise.utils import progress
    >>> X, y = make_classification(n_samples=500, weights=[0.9], random_state=0)
    >>> out = io.StringIO()
    >>> with progress(file=out, label="SMOTE"):
    ...     X_res, y_res = SMOTE(random_state=0).fit_resample(X, y)
    >>> out.getvalue().rstrip().split("\\r")[-1][:35]
    '[############################] 100%'
    """
    return ProgressBar(file=file, steps=1, label=label, interval=interval)

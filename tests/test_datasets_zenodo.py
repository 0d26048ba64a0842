"""fetch_datasets, offline: a local HTTP server on loopback serves an archive laid
out as Zenodo's, and imbalanced-learn's own fetch_datasets is the oracle for
the URL, the cache layout and the returned arrays (both read one cache)."""

from __future__ import annotations

import io
import tarfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest
from counterpoise.datasets import _zenodo, fetch_datasets
from imblearn.datasets import _zenodo as imblearn_zenodo
from imblearn.datasets import fetch_datasets as imblearn_fetch

N_DATASETS = 27


def _npz(i):
    rng = np.random.RandomState(i)
    buf = io.BytesIO()
    n = 20 + i
    np.savez(buf, data=rng.rand(n, 3 + i % 4), label=np.where(rng.rand(n) < 0.2, 1, -1))
    return buf.getvalue()


def _archive(members):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, payload in members:
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))
    return buf.getvalue()


ARCHIVE = _archive([(f"x{i}data.npz", _npz(i)) for i in range(1, N_DATASETS + 1)])


@pytest.fixture
def server(monkeypatch):
    """Serves ``state['body']`` (status ``state['status']``) at any path on
    127.0.0.1 and counts the requests; both libraries' URL point at it."""
    state = {"body": ARCHIVE, "status": 200, "paths": []}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            state["paths"].append(self.path)
            self.send_response(state["status"])
            self.send_header("Content-Length", str(len(state["body"])))
            self.end_headers()
            self.wfile.write(state["body"])

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    path = "/record/61452/files/benchmark-imbalanced-learn.tar.gz"
    monkeypatch.setattr(_zenodo, "URL", base + path)
    monkeypatch.setattr(imblearn_zenodo, "URL", base + path)
    yield state
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def test_same_url_names_and_ids_as_imblearn():
    assert _zenodo.URL == imblearn_zenodo.URL
    assert list(_zenodo.DATASET_NAMES) == list(imblearn_zenodo.MAP_NAME_ID)
    assert [_zenodo._ID[n] for n in _zenodo.DATASET_NAMES] == list(
        imblearn_zenodo.MAP_NAME_ID.values()
    )


def test_download_once_then_read_from_the_cache(server, tmp_path):
    got = fetch_datasets(data_home=str(tmp_path), filter_data=(27, "ecoli", 5))
    assert list(got) == ["abalone_19", "ecoli", "abalone"]
    assert len(server["paths"]) == 1
    assert server["paths"][0].endswith("benchmark-imbalanced-learn.tar.gz")
    # the cache holds every file of the archive, named as imbalanced-learn names them
    cached = sorted(p.name for p in (tmp_path / "zenodo").iterdir())
    assert cached == sorted(f"x{i}data.npz" for i in range(1, N_DATASETS + 1))
    for name, bunch in got.items():
        with np.load(io.BytesIO(_npz(_zenodo._ID[name]))) as truth:
            np.testing.assert_array_equal(bunch.data, truth["data"])
            np.testing.assert_array_equal(bunch.target, truth["label"])
        assert bunch.DESCR == name
    again = fetch_datasets(data_home=tmp_path, download_if_missing=False)
    assert len(again) == N_DATASETS and len(server["paths"]) == 1


@pytest.mark.parametrize("seed", [0, 42])
def test_imblearn_reads_our_cache_and_we_read_its(server, tmp_path, seed):
    ours_dir, theirs_dir = tmp_path / "ours", tmp_path / "theirs"
    kw = dict(filter_data=(1, "yeast_me2", 14), shuffle=True, random_state=seed)
    ours = fetch_datasets(data_home=str(ours_dir), **kw)
    theirs = imblearn_fetch(data_home=str(theirs_dir), **kw)
    assert len(server["paths"]) == 2
    # each reads the other's cache without downloading, and all four agree
    cross_theirs = imblearn_fetch(
        data_home=str(ours_dir), download_if_missing=False, **kw
    )
    cross_ours = fetch_datasets(
        data_home=str(theirs_dir), download_if_missing=False, **kw
    )
    assert len(server["paths"]) == 2
    for name in theirs:
        for other in (ours, cross_theirs, cross_ours):
            np.testing.assert_array_equal(other[name].data, theirs[name].data)
            np.testing.assert_array_equal(other[name].target, theirs[name].target)


def test_missing_without_download_is_an_oserror(server, tmp_path):
    with pytest.raises(OSError, match="download_if_missing"):
        fetch_datasets(data_home=str(tmp_path), download_if_missing=False)
    assert server["paths"] == []


def test_http_error_is_an_oserror_and_leaves_no_file(server, tmp_path):
    server["status"], server["body"] = 404, b"not found"
    with pytest.raises(OSError):
        fetch_datasets(data_home=str(tmp_path), filter_data=("ecoli",))
    assert list((tmp_path / "zenodo").iterdir()) == []


def test_archive_entries_cannot_escape_the_cache(server, tmp_path):
    server["body"] = _archive(
        [("../../escaped.npz", _npz(1)), ("x1data.npz", _npz(1)), ("notes.txt", b"x")]
    )
    data_home = tmp_path / "home" / "deeper"
    got = fetch_datasets(data_home=str(data_home), filter_data=(1,))
    assert got["ecoli"].data.shape == (21, 4)
    assert sorted(p.name for p in (data_home / "zenodo").iterdir()) == ["x1data.npz"]
    assert not list(tmp_path.rglob("escaped.npz"))


def test_archive_without_the_dataset_is_an_oserror(server, tmp_path):
    server["body"] = _archive([("x1data.npz", _npz(1))])
    with pytest.raises(OSError, match="x2data.npz"):
        fetch_datasets(data_home=str(tmp_path), filter_data=(2,))


@pytest.mark.parametrize(
    "filter_data, match",
    [
        (("rnf",), "is not a dataset available"),
        ((-1,), "dataset with the ID="),
        ((0,), "dataset with the ID="),
        ((28,), "dataset with the ID="),
        ((1.0,), "value in the tuple"),
        ((True,), "value in the tuple"),
    ],
)
def test_bad_filter_data_same_errors_as_imblearn(filter_data, match, tmp_path):
    with pytest.raises(ValueError, match=match):
        fetch_datasets(data_home=str(tmp_path), filter_data=filter_data)
    if filter_data != (True,):  # imbalanced-learn takes True as ID 1
        with pytest.raises(ValueError, match=match):
            imblearn_fetch(data_home=str(tmp_path), filter_data=filter_data)

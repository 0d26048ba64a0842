"""Real local clusters for the distributed tests, one of each for the session.

Spark runs ``local[2]`` with 4 shuffle partitions and no UI; Dask a
``LocalCluster`` of 2 single-threaded workers in this process. Both are torn
down at the end of the session. ``engine`` runs a test once per engine through
the same small interface (make a DataFrame with a given number of partitions,
resample it, bring the result back as pandas).
"""

from __future__ import annotations

import os
import warnings

import numpy as np
import pandas as pd
import pytest

pyspark = pytest.importorskip("pyspark")
dask = pytest.importorskip("dask")
distributed = pytest.importorskip("distributed")

# PySpark 4.3 warns that it does not fully support pandas 3 on every Arrow call.
warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas")


def pytest_collection_modifyitems(config, items):
    mark = pytest.mark.filterwarnings(
        "ignore:PySpark does not yet fully support pandas"
    )
    for item in items:
        if "distributed" in str(item.fspath):
            item.add_marker(mark)


@pytest.fixture(scope="session")
def spark():
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYARROW_IGNORE_TIMEZONE", "1")
    session = (
        SparkSession.builder.master("local[2]")
        .appName("counterpoise-tests")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.default.parallelism", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "1g")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.python.worker.reuse", "true")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def dask_client():
    from distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=False,
        dashboard_address=None,
    )
    client = Client(cluster)
    yield client
    client.close()
    cluster.close()


class SparkEngine:
    name = "spark"

    def __init__(self, session):
        self.session = session

    def frame(self, pdf, npartitions):
        """``pdf`` in ``npartitions`` partitions, rows in pdf's order."""
        schema = self.session.createDataFrame(pdf.head(1)).schema
        columns = [
            list(pdf[c].dt.to_pydatetime())
            if pd.api.types.is_datetime64_any_dtype(pdf[c])
            else pdf[c].tolist()
            for c in pdf.columns
        ]
        records = list(zip(*columns))
        rdd = self.session.sparkContext.parallelize(records, npartitions)
        return self.session.createDataFrame(rdd, schema)

    def fit_resample(self, sampler, df, **kw):
        from counterpoise.spark import fit_resample

        return fit_resample(sampler, df, **kw)

    def to_pandas(self, out):
        return out.toPandas()


class DaskEngine:
    name = "dask"

    def __init__(self, client):
        self.client = client

    def frame(self, pdf, npartitions):
        import dask.dataframe as dd

        return dd.from_pandas(pdf, npartitions=npartitions, sort=False)

    def fit_resample(self, sampler, df, **kw):
        from counterpoise.dask import fit_resample

        return fit_resample(sampler, df, **kw)

    def to_pandas(self, out):
        return out.compute().reset_index(drop=True)


@pytest.fixture(params=["spark", "dask"])
def engine(request):
    """Each engine in turn (a test may narrow the list with indirect
    parametrisation: Spark jobs are slow to start, so the plan-level checks that
    exercise no adapter code beyond what other Spark tests cover run on Dask
    only)."""
    if request.param == "spark":
        return SparkEngine(request.getfixturevalue("spark"))
    return DaskEngine(request.getfixturevalue("dask_client"))


def table(n=600, d=4, weights=(0.7, 0.2, 0.1), seed=0, class_sep=0.6):
    """Tie-free continuous data with an id column: ``(pdf, X, y, features)``."""
    from sklearn.datasets import make_classification

    X, y = make_classification(
        n_samples=n,
        n_features=d,
        n_informative=d,
        n_redundant=0,
        n_classes=len(weights),
        n_clusters_per_class=1,
        weights=list(weights),
        flip_y=0,
        class_sep=class_sep,
        random_state=seed,
    )
    features = [f"f{i}" for i in range(d)]
    pdf = pd.DataFrame(X, columns=features)
    pdf.insert(0, "id", np.arange(n, dtype=np.int64))
    pdf["label"] = y
    return pdf, X, y, features

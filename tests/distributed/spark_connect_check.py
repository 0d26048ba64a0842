"""Manual check: counterpoise.spark over Spark Connect (not collected by pytest).

A Connect session cannot share a process with the classic ``local[2]`` session of
the test suite, and starting a second JVM would double the suite's time, so this
runs on its own. It needs ``pip install 'pyspark[connect]==4.3.0'`` (grpcio,
grpcio-status, googleapis-common-protos, zstandard); pyspark starts a local
Connect server from its bundled jars::

    python tests/distributed/spark_connect_check.py

It resamples through a Connect session with a plan of each kind (selection by
histogram, generation tasks, merged k-NN reductions, global selection) and checks
the class counts against the local samplers' on the same data.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
from counterpoise.over_sampling import SMOTE, BorderlineSMOTE
from counterpoise.spark import fit_resample
from counterpoise.under_sampling import NearMiss, RandomUnderSampler
from pyspark.sql import SparkSession
from sklearn.datasets import make_classification


def main():
    spark = (
        SparkSession.builder.remote("local[2]")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    assert type(spark).__module__ == "pyspark.sql.connect.session"
    X, y = make_classification(
        n_samples=400,
        n_features=4,
        n_informative=4,
        n_redundant=0,
        weights=[0.8, 0.2],
        flip_y=0,
        random_state=0,
    )
    pdf = pd.DataFrame(X, columns=list("abcd"))
    pdf["y"] = y
    pdf["id"] = np.arange(len(pdf))
    df = spark.createDataFrame(pdf).repartition(4, "id").cache()
    try:
        for sampler in [
            RandomUnderSampler(random_state=0),
            SMOTE(random_state=0),
            BorderlineSMOTE(random_state=0, kind="borderline-2"),
            NearMiss(version=3),
        ]:
            out = fit_resample(
                sampler, df, label="y", features=list("abcd"), key="id"
            ).toPandas()
            local = type(sampler)(**sampler.get_params())
            _, y_local = local.fit_resample(X, y)
            got = dict(Counter(out["y"].tolist()))
            assert got == dict(Counter(y_local.tolist())), (sampler, got)
            print(type(sampler).__name__, "over Spark Connect:", sorted(got.items()))
    finally:
        spark.stop()


if __name__ == "__main__":
    main()

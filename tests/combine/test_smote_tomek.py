"""SMOTETomek: its parts (``_validate_estimator``), the two steps in order, a
user's parts cloned, sparse input."""

import numpy as np
from counterpoise.combine import SMOTETomek
from counterpoise.over_sampling import SMOTE
from counterpoise.under_sampling import TomekLinks
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse

from ..conftest import make_data


def _data(seed=0):
    X, y = make_data(n=300, d=4, weights=(0.6, 0.3, 0.1), seed=seed)
    X += np.random.default_rng(seed).normal(scale=0.8, size=X.shape)
    return X, y


def test_default_parts_follow_the_parameters():
    sampler = SMOTETomek(sampling_strategy="minority", random_state=3, n_jobs=2)
    sampler._validate_estimator()
    assert isinstance(sampler.smote_, SMOTE)
    assert sampler.smote_.sampling_strategy == "minority"
    assert sampler.smote_.random_state == 3
    assert isinstance(sampler.tomek_, TomekLinks)
    assert sampler.tomek_.sampling_strategy == "all"
    assert sampler.tomek_.n_jobs == 2


def test_output_is_smote_then_tomek_links():
    X, y = _data(1)
    X_res, y_res = SMOTETomek(random_state=1).fit_resample(X, y)
    X_mid, y_mid = SMOTE(random_state=1).fit_resample(X, y)
    X_exp, y_exp = TomekLinks(sampling_strategy="all").fit_resample(X_mid, y_mid)
    assert_array_equal(y_res, y_exp)
    assert_allclose(X_res, X_exp, rtol=0, atol=0)


def test_a_users_parts_are_cloned_and_used():
    X, y = _data(2)
    smote = SMOTE(random_state=5, k_neighbors=3)
    tomek = TomekLinks(sampling_strategy="majority")
    sampler = SMOTETomek(smote=smote, tomek=tomek, random_state=99)
    X_res, y_res = sampler.fit_resample(X, y)
    assert sampler.smote_ is not smote and sampler.tomek_ is not tomek
    assert not hasattr(tomek, "sample_indices_")
    assert sampler.tomek_.sampling_strategy == "majority"
    X_mid, y_mid = SMOTE(random_state=5, k_neighbors=3).fit_resample(X, y)
    _, y_exp = TomekLinks(sampling_strategy="majority").fit_resample(X_mid, y_mid)
    assert_array_equal(y_res, y_exp)
    assert sampler.sampling_strategy_ == "auto"


def test_sparse_input_gives_the_dense_rows():
    X, y = _data(3)
    X_dense, y_dense = SMOTETomek(random_state=0).fit_resample(X, y)
    X_sp, y_sp = SMOTETomek(random_state=0).fit_resample(sparse.csr_matrix(X), y)
    assert sparse.issparse(X_sp)
    assert_array_equal(y_sp, y_dense)
    assert_allclose(X_sp.toarray(), X_dense)

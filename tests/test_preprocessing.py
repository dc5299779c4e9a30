"""Scalers, one-hot labels, train/test splits, k-fold indices and mini-batches."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from glassnet.data import (
    MinMaxScaler,
    StandardScaler,
    batches,
    k_fold,
    make_scaler,
    one_hot,
    train_test_split,
)
from glassnet.errors import ConfigError, DataError, NotFittedError, ShapeError

# --- scalers -------------------------------------------------------------------------------


def test_min_max_scaler_values_and_inverse():
    X = np.array([[1.0, -2.0, 5.0], [3.0, 2.0, 5.0], [2.0, 0.0, 5.0]])
    scaler = MinMaxScaler().fit(X)
    assert scaler.data_min_.tolist() == [1.0, -2.0, 5.0]
    assert scaler.data_max_.tolist() == [3.0, 2.0, 5.0]
    scaled = scaler.transform(X)
    assert scaled.tolist() == [[0.0, 0.0, 0.0], [1.0, 1.0, 0.0], [0.5, 0.5, 0.0]]
    np.testing.assert_allclose(scaler.inverse_transform(scaled), X)
    # test rows outside the training range map outside 0..1: no leak of test statistics
    assert scaler.transform(np.array([[5.0, 6.0, 7.0]])).tolist() == [[2.0, 2.0, 2.0]]


def test_min_max_feature_range():
    scaled = MinMaxScaler(feature_range=(-1, 1)).fit_transform(np.array([[0.0], [5.0], [10.0]]))
    assert scaled.ravel().tolist() == [-1.0, 0.0, 1.0]


def test_standard_scaler_values_and_inverse():
    X = np.array([[1.0, 10.0], [3.0, 10.0], [5.0, 10.0]])
    scaler = StandardScaler().fit(X)
    assert scaler.mean_.tolist() == [3.0, 10.0]
    scaled = scaler.transform(X)
    np.testing.assert_allclose(scaled[:, 0], [-1.224744871391589, 0.0, 1.224744871391589])
    assert scaled[:, 1].tolist() == [0.0, 0.0, 0.0]  # constant column: centred only
    np.testing.assert_allclose(scaler.inverse_transform(scaled), X)


@settings(max_examples=25, deadline=None)
@given(
    st.integers(2, 20).flatmap(
        lambda n: st.lists(
            st.lists(st.integers(-8000, 8000), min_size=3, max_size=3), min_size=n, max_size=n
        )
    )
)
def test_scalers_match_sklearn(rows):
    sk = pytest.importorskip("sklearn.preprocessing")
    X = np.array(rows) / 8  # spans are 0 or >= 1/8: scikit-learn treats tiny spans as 0
    for ours, theirs in (
        (MinMaxScaler(), sk.MinMaxScaler()),
        (StandardScaler(), sk.StandardScaler()),
    ):
        np.testing.assert_allclose(ours.fit_transform(X), theirs.fit_transform(X), atol=1e-9)


@pytest.mark.parametrize("scaler", [MinMaxScaler(), StandardScaler()])
def test_scaler_errors(scaler):
    with pytest.raises(NotFittedError, match=r"\.transform: call fit\(X_train\) first"):
        type(scaler)().transform(np.ones((2, 2)))
    scaler.fit(np.ones((3, 2)))
    with pytest.raises(ShapeError, match="X has 3 features, but the scaler was fitted on 2"):
        scaler.transform(np.ones((1, 3)))
    with pytest.raises(ShapeError, match=r"reshape\(-1, 1\)"):
        scaler.fit(np.ones(3))
    with pytest.raises(DataError, match=r"X\[1, 0\] is nan"):
        scaler.fit(np.array([[1.0], [np.nan]]))


def test_make_scaler_gives_fresh_unfitted_scalers():
    assert isinstance(make_scaler("minmax"), MinMaxScaler)
    assert isinstance(make_scaler("StandardScaler"), StandardScaler)
    assert isinstance(make_scaler(StandardScaler), StandardScaler)
    fitted = MinMaxScaler(feature_range=(-1, 1)).fit(np.ones((2, 1)))
    fresh = make_scaler(fitted)
    assert fresh is not fitted and fresh.feature_range == (-1, 1)
    assert not hasattr(fresh, "scale_")
    assert make_scaler(None) is None
    with pytest.raises(ConfigError, match="unknown scaler 'robust'"):
        make_scaler("robust")


@pytest.mark.parametrize("bounds", [(1, 0), "ab", (0,), (0, float("nan"))])
def test_minmax_feature_range_is_checked_at_fit(bounds):
    with pytest.raises(ConfigError, match=r"feature_range must be two numbers \(low, high\) with "
                                          r"low < high, such as \(0, 1\); got"):
        MinMaxScaler(feature_range=bounds).fit(np.ones((2, 1)))


# --- one_hot -------------------------------------------------------------------------------


def test_one_hot():
    encoded = one_hot([2, 0, 1.0])
    assert encoded.dtype == np.float32
    assert encoded.tolist() == [[0, 0, 1], [1, 0, 0], [0, 1, 0]]
    assert one_hot(np.array([[1], [0]]), n_classes=4).shape == (2, 4)
    with pytest.raises(DataError, match="not below num_classes=2"):
        one_hot([0, 3], n_classes=2)
    with pytest.raises(DataError, match="whole numbers"):
        one_hot([0.5])


@pytest.mark.parametrize(("labels", "n_classes", "error", "message"), [
    ([0, 1], "3", ConfigError, "one_hot: n_classes must be a positive integer, got '3'"),
    ([0, 1], 2.0, ConfigError, "one_hot: n_classes must be a positive integer, got 2.0"),
    (2, None, ShapeError, r"got \(\); wrap a single label in a list"),
    ([[0, 1], [1, 0]], None, ShapeError, r"got \(2, 2\);.*already one-hot as they are"),
])
def test_one_hot_rejects_bad_n_classes_and_label_shapes(labels, n_classes, error, message):
    with pytest.raises(error, match=message):
        one_hot(labels, n_classes=n_classes)


# --- train_test_split ----------------------------------------------------------------------


def test_split_sizes_order_and_pairing():
    X = np.arange(20).reshape(10, 2)
    y = np.arange(10)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, seed=3)
    assert len(X_test) == 3 and len(X_train) == 7  # ceil(0.25 * 10)
    assert (X_train[:, 0] == 2 * y_train).all() and (X_test[:, 0] == 2 * y_test).all()
    assert sorted(np.concatenate([y_train, y_test]).tolist()) == list(range(10))
    a_train, a_test = train_test_split(np.arange(6), test_size=2, shuffle=False)
    assert a_train.tolist() == [0, 1, 2, 3] and a_test.tolist() == [4, 5]


def test_same_seed_same_split_and_generator_accepted():
    y = np.arange(50)
    first = train_test_split(y, test_size=0.3, seed=11)
    again = train_test_split(y, test_size=0.3, seed=11)
    other = train_test_split(y, test_size=0.3, seed=12)
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert not np.array_equal(first[1], other[1])
    from_generator = train_test_split(y, test_size=0.3, seed=np.random.default_rng(11))
    assert np.array_equal(from_generator[1], first[1])


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.integers(0, 4), min_size=4, max_size=80),
    st.floats(0.05, 0.95),
    st.integers(0, 2**16),
)
def test_stratified_split_keeps_class_shares_within_one(labels, fraction, seed):
    y = np.array(labels)
    n_test = int(np.ceil(fraction * len(y)))
    if not 0 < n_test < len(y):
        return
    y_train, y_test = train_test_split(y, test_size=fraction, stratify=y, seed=seed)
    assert len(y_test) == n_test
    for c in np.unique(y):
        share = np.sum(y == c) * n_test / len(y)
        assert abs(np.sum(y_test == c) - share) < 1
        assert abs(np.sum(y_train == c) - (np.sum(y == c) - share)) < 1


def test_stratified_by_one_hot_and_unshuffled():
    y = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    _, test = train_test_split(np.arange(8), test_size=4, stratify=np.eye(2)[y], shuffle=False)
    assert test.tolist() == [2, 3, 6, 7]


@pytest.mark.parametrize("test_size", [0, 1.0, 10, -1, 0.95, True])
def test_bad_test_size(test_size):
    with pytest.raises(ConfigError, match="test_size"):
        train_test_split(np.arange(10), test_size=test_size)


def test_a_positional_option_or_a_scalar_is_not_an_array():
    with pytest.raises(ShapeError, match=r"train_test_split: array 1 is a single value \(0.2\), "
                                         "not an array with one entry per sample; name options"):
        train_test_split(np.arange(10), 0.2)
    with pytest.raises(ShapeError, match=r"batches: array 0 is a single value \(5\)"):
        list(batches(5, batch_size=2))
    with pytest.raises(DataError, match=r"X must be numeric, got dtype complex"):
        StandardScaler().fit(np.zeros((3, 2), dtype=complex))


def test_split_length_mismatch():
    with pytest.raises(ShapeError, match="array 0 has 3, array 1 has 2"):
        train_test_split(np.arange(3), np.arange(2))


# --- k_fold --------------------------------------------------------------------------------


@settings(max_examples=80, deadline=None)
@given(st.integers(2, 60), st.integers(2, 60), st.booleans())
def test_k_fold_tests_every_index_exactly_once(n, k, shuffle):
    k = min(k, n)
    folds = list(k_fold(n, k, shuffle=shuffle, seed=5))
    assert len(folds) == k
    tested = np.concatenate([test for _, test in folds])
    assert sorted(tested.tolist()) == list(range(n))
    sizes = [len(test) for _, test in folds]
    assert max(sizes) - min(sizes) <= 1
    for train, test in folds:
        assert sorted(np.concatenate([train, test]).tolist()) == list(range(n))


@settings(max_examples=80, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=6, max_size=80), st.integers(2, 6))
def test_stratified_k_fold_keeps_class_shares_within_one(labels, k):
    y = np.array(labels)
    folds = list(k_fold(len(y), k, stratify=y, seed=1))
    assert sorted(np.concatenate([t for _, t in folds]).tolist()) == list(range(len(y)))
    for _, test in folds:
        for c in np.unique(y):
            assert abs(np.sum(y[test] == c) - np.sum(y == c) / k) < 1


def test_k_fold_same_seed_same_folds():
    first = [t.tolist() for _, t in k_fold(30, 4, seed=9)]
    assert first == [t.tolist() for _, t in k_fold(30, 4, seed=9)]
    assert first != [t.tolist() for _, t in k_fold(30, 4, seed=10)]
    assert [t.tolist() for _, t in k_fold(5, 2, shuffle=False)] == [[0, 1, 2], [3, 4]]


@pytest.mark.parametrize(("n", "k"), [(5, 1), (5, 6), (0, 2), (5, 2.5)])
def test_k_fold_bad_arguments(n, k):
    with pytest.raises(ConfigError):
        list(k_fold(n, k))


# --- batches -------------------------------------------------------------------------------


def test_batches_in_order_full_batch_and_drop_last():
    X, y = np.arange(14).reshape(7, 2), np.arange(7)
    parts = list(batches(X, y, batch_size=3, shuffle=False))
    assert [yb.tolist() for _, yb in parts] == [[0, 1, 2], [3, 4, 5], [6]]
    assert all((xb[:, 0] == 2 * yb).all() for xb, yb in parts)
    assert [b.tolist() for b in batches(y, batch_size=3, shuffle=False, drop_last=True)] == [
        [0, 1, 2],
        [3, 4, 5],
    ]
    (whole,) = list(batches(y, shuffle=False))
    assert whole.tolist() == list(range(7))


def test_batches_shuffle_is_seeded_and_covers_everything():
    y = np.arange(10)
    first = [b.tolist() for b in batches(y, batch_size=4, seed=2)]
    assert first == [b.tolist() for b in batches(y, batch_size=4, seed=2)]
    order = np.concatenate(first).tolist()
    assert sorted(order) == list(range(10)) and order != list(range(10))


@pytest.mark.parametrize("batch_size", [0, -2, 1.5, True])
def test_batches_bad_size(batch_size):
    with pytest.raises(ConfigError, match="batch_size must be a positive integer"):
        list(batches(np.arange(3), batch_size=batch_size))


# --- flags ---------------------------------------------------------------------------------

SPLITTERS = [
    (lambda **kw: train_test_split(np.arange(6), test_size=2, **kw), "train_test_split"),
    (lambda **kw: [test for _, test in k_fold(6, 3, **kw)], "k_fold"),
    (lambda **kw: list(batches(np.arange(6), batch_size=4, **kw)), "batches"),
]


@pytest.mark.parametrize(("split", "where"), SPLITTERS)
@pytest.mark.parametrize("flag", ["no", 0, None])
def test_shuffle_must_be_a_real_bool_and_a_refusal_draws_nothing(split, where, flag):
    # bool('no') is True: the string used to shuffle
    rng = np.random.default_rng(4)
    state = rng.bit_generator.state
    with pytest.raises(ConfigError) as caught:
        split(shuffle=flag, seed=rng)
    assert str(caught.value) == f"{where}: shuffle must be True or False, got {flag!r}"
    assert rng.bit_generator.state == state
    unshuffled = [np.asarray(part).tolist() for part in split(shuffle=False)]
    assert [np.asarray(part).tolist() for part in split(shuffle=np.bool_(False))] == unshuffled


def test_batches_drop_last_must_be_a_real_bool():
    with pytest.raises(ConfigError, match=r"^batches: drop_last must be True or False, got 'no'$"):
        list(batches(np.arange(5), batch_size=2, drop_last="no"))
    kept = list(batches(np.arange(5), batch_size=2, shuffle=False, drop_last=np.bool_(True)))
    assert [b.tolist() for b in kept] == [[0, 1], [2, 3]]

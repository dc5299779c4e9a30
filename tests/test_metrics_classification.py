"""Classification metrics: values by hand, and equal to scikit-learn's on random inputs."""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from glassnet.errors import ConfigError, DataError, ShapeError
from glassnet.metrics.classification import (
    accuracy,
    classification_report,
    confusion_matrix,
    precision_recall_f1,
)


@st.composite
def label_pairs(draw):
    """Random (y_true, y_pred) over up to 6 classes; some classes may be missing from either."""
    n = draw(st.integers(1, 60))
    k = draw(st.integers(1, 6))
    labels = st.lists(st.integers(0, k - 1), min_size=n, max_size=n)
    return np.array(draw(labels)), np.array(draw(labels))


def test_values_by_hand():
    y_true = [0, 0, 1, 1, 2, 2]
    y_pred = [0, 1, 1, 1, 2, 0]
    assert accuracy(y_true, y_pred) == pytest.approx(4 / 6)
    assert confusion_matrix(y_true, y_pred).tolist() == [[1, 1, 0], [0, 2, 0], [1, 0, 1]]
    scores = precision_recall_f1(y_true, y_pred)
    assert scores.labels.tolist() == [0, 1, 2]
    np.testing.assert_allclose(scores.precision, [0.5, 2 / 3, 1.0])
    np.testing.assert_allclose(scores.recall, [0.5, 1.0, 0.5])
    np.testing.assert_allclose(scores.f1, [0.5, 0.8, 2 / 3])
    assert scores.support.tolist() == [2, 2, 2]
    assert scores.macro.precision == pytest.approx((0.5 + 2 / 3 + 1) / 3)
    assert scores.micro.f1 == pytest.approx(4 / 6)


def test_zero_division_gives_zero_without_warning(recwarn):
    scores = precision_recall_f1([0, 0, 1], [0, 0, 0], labels=[0, 1, 2])
    assert scores.precision.tolist() == [pytest.approx(2 / 3), 0.0, 0.0]
    assert scores.recall.tolist() == [1.0, 0.0, 0.0]
    assert scores.f1.tolist() == [pytest.approx(0.8), 0.0, 0.0]
    assert scores.support.tolist() == [2, 1, 0]
    assert len(recwarn) == 0


def test_probabilities_and_one_hot_are_argmaxed():
    probabilities = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6], [0.2, 0.5, 0.3]])
    one_hot_true = np.eye(3)[[0, 2, 2]]
    assert accuracy(one_hot_true, probabilities) == pytest.approx(2 / 3)
    assert confusion_matrix([0, 2, 2], probabilities).tolist() == [[1, 0, 0], [0, 0, 0], [0, 1, 1]]
    assert accuracy(np.array([[1], [0]]), np.array([[1.0], [0.0]])) == 1.0


def test_text_labels_and_label_order():
    y_true = ["cat", "dog", "dog", "bird"]
    y_pred = ["cat", "cat", "dog", "bird"]
    assert confusion_matrix(y_true, y_pred, labels=["dog", "cat"]).tolist() == [[1, 1], [0, 1]]
    assert precision_recall_f1(y_true, y_pred).labels.tolist() == ["bird", "cat", "dog"]


@pytest.mark.parametrize(
    ("y_true", "y_pred", "error", "message"),
    [
        ([1, 0], [0.9, 0.2], DataError, r"y_pred\[0\] is 0.9, not a class label.*threshold"),
        ([1, 0, 1], [1, 0], ShapeError, "y_true has 3, y_pred has 2"),
        ([], [], DataError, "empty"),
        (["a", "b"], [0, 1], DataError, "both numbers or both text"),
        (np.zeros((2, 2, 2)), [0, 1], ShapeError, "label vector"),
    ],
)
def test_bad_inputs_raise_clear_errors(y_true, y_pred, error, message):
    with pytest.raises(error, match=message):
        accuracy(y_true, y_pred)


def test_bad_labels_and_target_names():
    with pytest.raises(ConfigError, match="distinct labels"):
        confusion_matrix([0, 1], [0, 1], labels=[0, 0])
    with pytest.raises(ConfigError, match="1 target_names for 2 labels"):
        classification_report([0, 1], [0, 1], target_names=["a"])


@pytest.mark.filterwarnings("ignore:A single label was found:UserWarning")  # sklearn's own
@settings(max_examples=60, deadline=None)
@given(label_pairs())
def test_equal_to_sklearn(pair):
    skm = pytest.importorskip("sklearn.metrics")
    y_true, y_pred = pair
    assert accuracy(y_true, y_pred) == skm.accuracy_score(y_true, y_pred)
    assert np.array_equal(confusion_matrix(y_true, y_pred), skm.confusion_matrix(y_true, y_pred))
    scores = precision_recall_f1(y_true, y_pred)
    expected = skm.precision_recall_fscore_support(y_true, y_pred, zero_division=0)
    for ours, theirs in zip(
        (scores.precision, scores.recall, scores.f1, scores.support), expected, strict=True
    ):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=0)
    for average in ("macro", "weighted", "micro"):
        p, r, f, _ = skm.precision_recall_fscore_support(
            y_true, y_pred, average=average, zero_division=0
        )
        np.testing.assert_allclose(getattr(scores, average), (p, r, f), rtol=1e-12, atol=1e-15)


@settings(max_examples=40, deadline=None)
@given(label_pairs(), st.integers(1, 4), st.booleans())
def test_report_equals_sklearn_text(pair, digits, subset):
    skm = pytest.importorskip("sklearn.metrics")
    y_true, y_pred = pair
    labels = np.unique(np.concatenate([y_true, y_pred]))
    labels = labels[: max(1, len(labels) - 1)] if subset else None
    ours = classification_report(y_true, y_pred, labels=labels, digits=digits)
    theirs = skm.classification_report(
        y_true, y_pred, labels=labels, digits=digits, zero_division=0
    )
    # scikit-learn prints support as 1.0 when every precision is 0 (its float dtype leaks)
    theirs = re.sub(r" *(\d+)\.0$", lambda m: m[1].rjust(len(m[0])), theirs, flags=re.M)
    assert ours == theirs


def test_classification_report_digits_is_checked():
    with pytest.raises(ConfigError, match="classification_report: digits must be an integer >= 0, "
                                          "got -1"):
        classification_report([0, 1], [0, 1], digits=-1)

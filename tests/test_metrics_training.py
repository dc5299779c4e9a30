"""The public per-batch metrics reject mismatched or non-numeric input instead of broadcasting."""

import numpy as np
import pytest

from glassnet import metrics
from glassnet.errors import DataError, ShapeError


def test_regression_metrics_pair_column_predictions_with_flat_targets():
    # model.predict returns (n, 1); a flat y must not broadcast to an (n, n) difference
    assert metrics.mean_squared_error([1, 2, 3], [[1], [2], [4]]) == pytest.approx(1 / 3)
    assert metrics.mean_absolute_error([1, 2, 3], [[1], [2], [5]]) == pytest.approx(2 / 3)
    assert metrics.binary_accuracy([1, 0, 1], [[0.9], [0.2], [0.4]]) == pytest.approx(2 / 3)


def test_mismatched_lengths_name_the_metric_and_both_counts():
    with pytest.raises(DataError, match=r"mean_squared_error: arguments y_true and y_pred differ "
                                        r"in length: 3 samples in y_true but 2 in y_pred"):
        metrics.mean_squared_error([1, 2, 3], [1, 2])
    with pytest.raises(DataError, match=r"sparse_categorical_accuracy: .*3 samples in y_true "
                                        r"but 2"):
        metrics.sparse_categorical_accuracy([0, 1, 1], [[0.1, 0.9], [0.8, 0.2]])


def test_non_numeric_and_wrong_shapes_are_errors_not_scores():
    with pytest.raises(DataError, match="categorical_accuracy: argument y_true: holds text or"):
        metrics.categorical_accuracy(None, None)
    with pytest.raises(ShapeError, match=r"one-hot y_true has shape \(2,\).*use "
                                         "sparse_categorical_accuracy"):
        metrics.categorical_accuracy([0, 1], [[0.1, 0.9], [0.8, 0.2]])
    with pytest.raises(ShapeError, match=r"y_true has shape \(3, 2\) but y_pred has "
                                         r"shape \(3, 1\)"):
        metrics.mean_absolute_error(np.zeros((3, 2)), np.zeros((3, 1)))
    with pytest.raises(DataError, match="binary_accuracy: argument y_true: no samples"):
        metrics.binary_accuracy([], [])

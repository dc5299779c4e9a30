"""Data before and after training: CSV loading, scaling, one-hot labels, splits and batches.

Example
-------
>>> import numpy as np
>>> from glassnet import data
>>> X = np.array([[1.0, 10.0], [3.0, 30.0]])
>>> data.MinMaxScaler().fit_transform(X).tolist()
[[0.0, 0.0], [1.0, 1.0]]
"""

from .csvfile import CSVData, load_csv
from .preprocessing import MinMaxScaler, Scaler, StandardScaler, make_scaler, one_hot
from .splits import batches, k_fold, train_test_split

__all__ = [
    "CSVData",
    "MinMaxScaler",
    "Scaler",
    "StandardScaler",
    "batches",
    "k_fold",
    "load_csv",
    "make_scaler",
    "one_hot",
    "train_test_split",
]

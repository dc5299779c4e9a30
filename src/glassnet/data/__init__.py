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

__all__ = ["CSVData", "load_csv"]

"""The usage examples of Keras's API reference for the MLP toolkit: metrics, losses,
activations, regularizers, schedules, the Normalization layer and ops, each printed as a
value so that Keras's and glassnet's can be compared line by line.

Source: https://keras.io/api/ (the "Example" / "Standalone usage" blocks of keras.metrics,
keras.losses, keras.activations, keras.regularizers, keras.optimizers.schedules,
keras.layers.Normalization and keras.ops)
Changed: each value printed as a RESULT line (rounded to 4 digits).
"""

import keras
import numpy as np
from keras import ops


def show(name, value):
    value = np.asarray(keras.ops.convert_to_numpy(value), dtype="float64")
    print("RESULT", name, ",".join(f"{v:.4f}" for v in value.ravel()))


m = keras.metrics.AUC(num_thresholds=3)
m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
show("auc", m.result())
m.reset_state()
m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9], sample_weight=[1, 0, 0, 1])
show("auc_weighted", m.result())

m = keras.metrics.Precision()
m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
show("precision", m.result())
m = keras.metrics.Precision(top_k=2)
m.update_state([0, 0, 1, 1], [1, 1, 1, 1])
show("precision_top_k", m.result())
m = keras.metrics.Recall()
m.update_state([0, 1, 1, 1], [1, 0, 1, 1], sample_weight=[0, 0, 1, 0])
show("recall_weighted", m.result())
m = keras.metrics.RootMeanSquaredError()
m.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]])
show("rmse", m.result())
m = keras.metrics.MeanAbsolutePercentageError()
m.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]])
show("mape_metric", m.result())
m = keras.metrics.TopKCategoricalAccuracy(k=1)
m.update_state([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
show("top_k", m.result())
m = keras.metrics.SparseTopKCategoricalAccuracy(k=1)
m.update_state([2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
show("sparse_top_k", m.result())
m = keras.metrics.R2Score()
m.update_state(np.array([[1], [4], [3]], dtype=np.float32),
               np.array([[2], [4], [4]], dtype=np.float32))
show("r2", m.result())
m = keras.metrics.F1Score(threshold=0.5)
m.update_state(np.array([[1, 1, 1], [1, 0, 0], [1, 1, 0]], np.int32),
               np.array([[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]], np.float32))
show("f1", m.result())
m = keras.metrics.Mean()
m.update_state([1, 3, 5, 7])
show("mean", m.result())
m = keras.metrics.BinaryAccuracy()
m.update_state([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]])
show("binary_accuracy", m.result())

y_true = [[0.0, 1.0], [0.0, 0.0]]
y_pred = [[0.6, 0.4], [0.4, 0.6]]
show("bce", keras.losses.BinaryCrossentropy()(y_true, y_pred))
show("bce_saturated", keras.losses.BinaryCrossentropy()([[1.0]], [[0.0]]))
show("bce_smoothing", keras.losses.BinaryCrossentropy(label_smoothing=0.1)(y_true, y_pred))
show("mae", keras.losses.MeanAbsoluteError()(y_true, y_pred))
show("mape", keras.losses.MeanAbsolutePercentageError()([[1.0, 2.0]], [[1.5, 2.5]]))
show("msle", keras.losses.MeanSquaredLogarithmicError()(y_true, y_pred))
show("huber", keras.losses.Huber()(y_true, y_pred))
show("log_cosh", keras.losses.LogCosh()(y_true, y_pred))
show("kld", keras.losses.KLDivergence()(y_true, y_pred))
show("poisson", keras.losses.Poisson()(y_true, y_pred))
show("hinge", keras.losses.Hinge()(y_true, y_pred))
show("squared_hinge", keras.losses.SquaredHinge()(y_true, y_pred))
show("categorical_hinge", keras.losses.CategoricalHinge()(y_true, y_pred))
show("cosine_similarity", keras.losses.CosineSimilarity(axis=1)(y_true, y_pred))
show("mse_sum", keras.losses.MeanSquaredError(reduction="sum")(y_true, y_pred))
show("mse_none", keras.losses.MeanSquaredError(reduction=None)(y_true, y_pred))
show("cce_smoothing", keras.losses.CategoricalCrossentropy(label_smoothing=0.1)(
    [[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]))
show("binary_focal", keras.losses.BinaryFocalCrossentropy(gamma=2)(
    [[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]))
show("categorical_focal", keras.losses.CategoricalFocalCrossentropy()(
    [[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]))

x = np.array([-3.0, -1.0, 0.0, 0.5, 2.0])
for name in ("elu", "selu", "gelu", "swish", "silu", "softplus", "softsign", "hard_sigmoid",
             "relu6", "mish", "leaky_relu", "hard_silu"):
    show(f"activation_{name}", keras.activations.get(name)(x))
show("activation_gelu_approximate", keras.activations.gelu(x, approximate=True))
show("activation_log_softmax", keras.activations.log_softmax(x[None, :]))

w = np.array([[1.0, -2.0], [0.5, 3.0]])
show("l1", keras.regularizers.L1(0.01)(w))
show("l2", keras.regularizers.L2(0.01)(w))
show("l1l2", keras.regularizers.L1L2(l1=0.01, l2=0.02)(w))

for name, schedule in {
    "exponential": keras.optimizers.schedules.ExponentialDecay(0.1, 100, 0.96, staircase=True),
    "inverse_time": keras.optimizers.schedules.InverseTimeDecay(0.1, 100, 0.5),
    "piecewise": keras.optimizers.schedules.PiecewiseConstantDecay([100, 200], [1.0, 0.5, 0.1]),
    "polynomial": keras.optimizers.schedules.PolynomialDecay(0.1, 1000, 0.01, power=0.5),
    "cosine": keras.optimizers.schedules.CosineDecay(0.1, 1000, alpha=0.1),
    "cosine_warmup": keras.optimizers.schedules.CosineDecay(0.0, 1000, warmup_target=0.1,
                                                            warmup_steps=100),
    "cosine_restarts": keras.optimizers.schedules.CosineDecayRestarts(0.1, 100),
}.items():
    show(f"schedule_{name}", [schedule(step) for step in (0, 50, 100, 150, 250, 999)])

adapt_data = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], dtype="float32")
layer = keras.layers.Normalization(axis=-1)
layer.adapt(adapt_data)
show("normalization", layer(np.array([[1.0, 2.0]], dtype="float32")))
layer = keras.layers.Normalization(mean=3.0, variance=2.0)
show("normalization_given", layer(np.array([[1.0], [2.0], [3.0]], dtype="float32")))
layer = keras.layers.Normalization(axis=-1, invert=True)
layer.adapt(adapt_data)
show("normalization_invert", layer(np.array([[-1.0, 0.0]], dtype="float32")))

show("ops_logsumexp", ops.logsumexp(np.array([[1.0, 2.0, 3.0]]), axis=-1))
show("ops_clip", ops.clip(np.array([-1.0, 0.5, 2.0]), 0.0, 1.0))
show("ops_where", ops.where(np.array([True, False]), np.array([1.0, 2.0]), np.array([3.0, 4.0])))
show("ops_one_hot", ops.one_hot(np.array([0, 2]), 3))
show("ops_softmax", ops.softmax(np.array([[1.0, 2.0, 3.0]])))

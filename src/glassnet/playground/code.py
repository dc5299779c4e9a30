""""Show code": the Python script that reproduces a playground run, weight for weight.

The script builds the same data (the same seeded functions the page uses), the same model
(``set_random_seed`` before the layers are made) and trains the same batches in the same
order with ``train_on_batch``, so after ``STEPS`` steps its weights equal the page's.

Example
-------
>>> from glassnet.playground.session import Run
>>> run = Run({"data": "xor", "hidden": [3], "step": 4})
>>> script = python_script(run)
>>> namespace = {}
>>> exec(compile(script, "playground_run.py", "exec"), namespace)  # doctest: +ELLIPSIS
step 4...
>>> bool((namespace["model"].layers[0].kernel == run.model.layers[0].kernel).all())
True
"""

from __future__ import annotations

__all__ = ["python_script"]

_HEAD = '''\
"""A glassnet playground run, reproduced: {summary}.

Run it with `python {filename}`; after STEPS steps the weights equal the page's.
"""
import glassnet
from glassnet.layers import Dense
from glassnet.playground import data as pg

SEED, STEPS, BATCH_SIZE = {seed}, {steps}, {batch}
'''

_DATA_SET = '''\
# The data: {samples} points of the {name!r} set with noise {noise}, a {train:.0%} training split.
X, y = pg.make_data({name!r}, samples={samples}, noise={noise}, seed=SEED)
'''

_DATA_CSV = '''\
# The data: the uploaded table (the page's "data (CSV)" download), read by glassnet's reader.
X, y = glassnet.data.load_csv({filename!r}{categorical})
'''

_POINTS = '''\
(x_train, y_train), (x_test, y_test) = pg.split(X, y, train_fraction={train}, seed=SEED)
FEATURES = {features!r}
f_train, f_test = pg.features(x_train, FEATURES), pg.features(x_test, FEATURES)
{targets}'''

_MNIST = '''\
# The data: the first {samples} training images and the first {test} test images of MNIST,
# 784 pixels each, scaled to [0, 1].
(x_train, y_train), (x_test, y_test) = glassnet.datasets.mnist.load_data()
f_train = x_train[:{samples}].reshape(-1, 784) / 255.0
f_test = x_test[:{test}].reshape(-1, 784) / 255.0
y_train, y_test = y_train[:{samples}].astype("int64"), y_test[:{test}].astype("int64")
'''

_MODEL = '''\
# The network: the weights are drawn when the layers are made, from this seed.
glassnet.utils.set_random_seed(SEED)
model = glassnet.Sequential([
{layers}
], name="playground", dtype="float64")
model.compile(glassnet.optimizers.{optimizer}(learning_rate={lr!r}), {loss!r})

# Training: each epoch a new seeded shuffle of the training rows, cut into batches.
stream = pg.batches(len(f_train), BATCH_SIZE, seed=SEED)
for step in range(STEPS):
    rows = next(stream)
    model.train_on_batch(f_train[rows], y_train[rows])
next_rows = next(stream)  # the batch the page explains and trains next

train_loss = model.evaluate(f_train, y_train, batch_size=len(f_train), verbose=0)
test_loss = model.evaluate(f_test, y_test, batch_size=len(f_test), verbose=0)
print(f"step {{STEPS}}: train loss {{train_loss:.6f}}, test loss {{test_loss:.6f}}")
'''


def _layers(run) -> str:
    c, lines = run.config, []
    reg = "" if c["reg"] == "none" or not c["reg_rate"] else \
        f", kernel_regularizer=glassnet.regularizers.{c['reg'].upper()}({c['reg_rate']!r})"
    n_inputs = 784 if run.task == "images" else len(c["features"])
    for i, layer in enumerate(run.model.layers):
        shape = f", input_shape=({n_inputs},)" if i == 0 else ""
        lines.append(f"    Dense({layer.units}, activation={layer.activation.name!r}, "
                     f"kernel_initializer={c['init']!r}{shape}{reg}, name={layer.name!r}),")
    return "\n".join(lines)


def python_script(run, filename: str = "playground_run.py", csv_name: str = "data.csv") -> str:
    """The script of ``run`` (a :class:`~glassnet.playground.session.Run`) at its current step;
    an uploaded table is read from ``csv_name``."""
    c = run.config
    summary = (f"{c['data']} data, {'-'.join(map(str, c['hidden'])) or 'no'} hidden, "
               f"{c['activation']}, {c['optimizer']} {c['lr']!r}, step {run.step}")
    head = _HEAD.format(summary=summary, filename=filename, seed=c["seed"], steps=run.step,
                        batch=run.batch_size)
    optimizer = {"sgd": "SGD", "adam": "Adam", "rmsprop": "RMSprop"}[c["optimizer"]]
    model = _MODEL.format(layers=_layers(run), optimizer=optimizer, lr=c["lr"], loss=c["loss"])
    return "\n".join([head, _data(run, csv_name), model])


def _data(run, csv_name: str) -> str:
    """The script's lines that make f_train, y_train, f_test and y_test."""
    c = run.config
    if run.task == "images":
        return _MNIST.format(samples=len(run.f_train), test=len(run.f_test))
    if c["data"].startswith("csv:"):
        categorical = "" if run.points.classes is None else ", categorical=True"
        data = _DATA_CSV.format(filename=csv_name, categorical=categorical)
    else:
        data = _DATA_SET.format(name=c["data"], samples=c["samples"], noise=c["noise"],
                                train=c["train"])
    targets = ("y_train, y_test = y_train.reshape(-1, 1).astype(float), "
               "y_test.reshape(-1, 1).astype(float)\n" if run.task != "multiclass" else "")
    return data + "\n" + _POINTS.format(train=c["train"], features=c["features"],
                                        targets=targets)

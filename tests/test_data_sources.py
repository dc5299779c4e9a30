"""fit / evaluate / predict on generators, PyDatasets and pandas objects, as Keras takes them."""

import numpy as np
import pytest

import glassnet
from glassnet import layers
from glassnet.errors import ConfigError, DataError

rng = np.random.default_rng(3)
X = rng.normal(size=(60, 4)).astype(np.float32)
Y = (X.sum(1) > 0).astype(np.float32)


def _model():
    glassnet.utils.set_random_seed(7)
    model = glassnet.Sequential([layers.Dense(5, activation="tanh", input_shape=(4,)),
                                 layers.Dense(1, activation="sigmoid")])
    model.compile(glassnet.optimizers.SGD(0.1), "binary_crossentropy", metrics=["accuracy"])
    return model


class Batches(glassnet.utils.PyDataset):
    def __init__(self, size=20):
        super().__init__()
        self.size, self.epochs_ended, self.asked = size, 0, []

    def __len__(self):
        return len(X) // self.size

    def __getitem__(self, i):
        self.asked.append(i)
        rows = slice(i * self.size, (i + 1) * self.size)
        return X[rows], Y[rows]

    def on_epoch_end(self):
        self.epochs_ended += 1


def test_a_pydataset_in_order_trains_exactly_as_the_arrays_do():
    by_arrays, by_dataset = _model(), _model()
    by_arrays.fit(X, Y, batch_size=20, epochs=3, shuffle=False, verbose=0)
    data = Batches()
    history = by_dataset.fit(data, epochs=3, shuffle=False, verbose=0)
    for a, b in zip(by_arrays.get_weights(), by_dataset.get_weights(), strict=True):
        assert a.tobytes() == b.tobytes()
    assert data.epochs_ended == 3 and len(history.history["loss"]) == 3
    assert by_dataset.evaluate(Batches()) == pytest.approx(by_arrays.evaluate(X, Y))
    np.testing.assert_array_equal(by_dataset.predict(Batches()), by_arrays.predict(X))


def test_a_shuffled_pydataset_visits_every_batch_once_an_epoch():
    data = Batches(10)
    _model().fit(data, epochs=2, shuffle=True, seed=0, verbose=0)
    first, second = data.asked[:6], data.asked[6:]
    assert sorted(first) == sorted(second) == list(range(6)) and first != list(range(6))


def test_a_generator_with_steps_per_epoch_and_a_generator_for_validation():
    def forever():
        while True:
            for i in range(3):
                yield X[i * 20:(i + 1) * 20], Y[i * 20:(i + 1) * 20]

    model = _model()
    history = model.fit(forever(), steps_per_epoch=3, epochs=2, verbose=0,
                        validation_data=Batches())
    assert sorted(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    finite = (batch for batch in [(X[:30], Y[:30]), (X[30:], Y[30:])])
    assert len(model.fit(finite, epochs=1, verbose=0).history["loss"]) == 1


def test_sources_refuse_what_keras_refuses():
    model = _model()
    with pytest.raises(ConfigError, match="argument y must be None"):
        model.fit(Batches(), Y)
    with pytest.raises(ConfigError, match="validation_split needs arrays"):
        model.fit(Batches(), validation_split=0.2)
    bad = (item for item in [X[:10]])
    with pytest.raises(DataError, match=r"batch 0\): each batch must be a tuple \(x, y\)"):
        model.fit(bad, epochs=1, verbose=0)


def test_pandas_frames_and_series_as_x_and_y():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(X, columns=list("abcd"))
    by_frame, by_arrays = _model(), _model()
    by_frame.fit(frame, pd.Series(Y), epochs=2, batch_size=16, verbose=0, seed=1)
    by_arrays.fit(X, Y, epochs=2, batch_size=16, verbose=0, seed=1)
    np.testing.assert_array_equal(by_frame.predict(frame), by_arrays.predict(X))

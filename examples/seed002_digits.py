"""Seed 002: the seed's MLPClassifier setting on scikit-learn's 8x8 digits, on glassnet.

The seed's ``MLPClassifier(solver='sgd', learning_rate_init=0.1, alpha=0, batch_size=1617,
activation='logistic', hidden_layer_sizes=100, momentum=0, max_iter=2000)``: 100 sigmoid units,
a softmax output with the cross-entropy, plain SGD at 0.1 on the full batch of 1617 training
images (a 10% test split), 2000 iterations, no weight decay. scikit-learn is needed only for
its bundled digits; without it the script says so and stops.
"""

from __future__ import annotations

from _cli import parse

import glassnet
from glassnet.data import train_test_split
from glassnet.layers import Dense

SEED = 10


def load_digits():
    """(X scaled to 0..1, y), or None when scikit-learn is not installed."""
    try:
        from sklearn.datasets import load_digits as sklearn_digits
    except ImportError:
        return None
    digits = sklearn_digits()
    return digits.data / 16, digits.target


def main(argv=None) -> dict:
    args = parse(__doc__, argv, "train 500 iterations instead of 2000")
    data = load_digits()
    if data is None:
        reason = "scikit-learn is not installed: pip install scikit-learn for its digits"
        print("skipped:", reason)
        return {"skipped": reason}
    X_train, X_test, y_train, y_test = train_test_split(*data, test_size=0.1, seed=SEED)
    print(X_train.shape, X_test.shape, y_train.shape, y_test.shape)
    glassnet.utils.set_random_seed(SEED)
    model = glassnet.Sequential([Dense(100, activation="sigmoid", input_shape=(64,)),
                                 Dense(10, activation="softmax")])
    model.compile(glassnet.optimizers.SGD(learning_rate=0.1, momentum=0.0),
                  "sparse_categorical_crossentropy", metrics=["accuracy"])
    iterations = 500 if args.quick else 2000
    model.fit(X_train, y_train, epochs=iterations, batch_size=len(X_train), verbose=0)
    score = model.evaluate(X_test, y_test)[1]
    print(score)
    return {"iterations": iterations, "train_size": len(X_train), "score": score}


if __name__ == "__main__":
    main()

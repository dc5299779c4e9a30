"""Seed 002: the seed's MLPClassifier on scikit-learn's 8x8 digits, with glassnet's MLPClassifier.

The seed's call, unchanged, on :class:`glassnet.sklearn.MLPClassifier` (scikit-learn's
estimator on glassnet's layers and optimizers): ``MLPClassifier(solver='sgd',
learning_rate_init=0.1, alpha=0, batch_size=1617, activation='logistic', random_state=10,
max_iter=2000, hidden_layer_sizes=100, momentum=0)``: 100 sigmoid units, a softmax output with
the cross-entropy, plain SGD at 0.1 on the full batch of 1617 training images (a 10% test
split), at most 2000 iterations, no weight decay, no momentum. scikit-learn is needed for the
digits and the estimator API; without it the script says so and stops.
"""

from __future__ import annotations

from glassnet.course import example_args as parse
from glassnet.data import train_test_split

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
    args = parse(__doc__, argv, "at most 500 iterations instead of 2000")
    data = load_digits()
    if data is None:
        reason = "scikit-learn is not installed: pip install scikit-learn for its digits"
        print("skipped:", reason)
        return {"skipped": reason}
    from glassnet.sklearn import MLPClassifier

    X_train, X_test, y_train, y_test = train_test_split(*data, test_size=0.1, seed=SEED)
    print(X_train.shape, X_test.shape, y_train.shape, y_test.shape)
    mlp = MLPClassifier(solver="sgd", learning_rate_init=0.1, alpha=0, batch_size=1617,
                        activation="logistic", random_state=SEED,
                        max_iter=500 if args.quick else 2000, hidden_layer_sizes=100,
                        momentum=0)
    mlp.fit(X_train, y_train)
    score = mlp.score(X_test, y_test)
    print(score)
    return {"iterations": mlp.n_iter_, "train_size": len(X_train), "score": score}


if __name__ == "__main__":
    main()

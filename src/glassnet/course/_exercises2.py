"""The course's exercises from lectures 002 (second half), 003 and 004 (see ``_exercises``)."""

from __future__ import annotations

import numpy as np

from ._check import Mistake, Part, Spec
from ._exercises import CE, KFOLD, MOMENTUM, SOFTMAX_Z


def momentum() -> Spec:
    """002.momentum: two steps of SGD with momentum, by glassnet's optimizer."""
    from ..optimizers import SGD

    m = MOMENTUM
    lr, gamma, (g1, g2) = m["learning_rate"], m["gamma"], m["gradients"]
    theta = np.array([m["theta"]])
    optimizer = SGD(learning_rate=lr, momentum=gamma)
    optimizer.step(theta, np.array([g1]))
    v1 = m["theta"] - theta[0]  # the seed's v (theta -= v): minus Keras's velocity
    optimizer.step(theta, np.array([g2]))
    v2 = m["theta"] - v1 - theta[0]
    return Spec(theta[0], ("v = gamma v + eta g; theta = theta - v, twice",
                           "v = gamma v + eta g; theta = theta - v, 두 번"),
                parts=(Part("v1", v1, ("v1 = gamma * 0 + eta * g1", "v1 = gamma * 0 + eta * g1")),
                       Part("v2", v2, ("v2 = gamma * v1 + eta * g2",
                                       "v2 = gamma * v1 + eta * g2"))),
                mistakes=(Mistake("no-momentum", m["theta"] - lr * (g1 + g2), (
                    "that is plain gradient descent: the second step also carries gamma * v1",
                    "그것은 모멘텀 없는 경사하강법입니다: 두 번째 걸음에 gamma * v1이 더해집니다")),
                          Mistake("uphill", m["theta"] + v1 + v2, (
                    "you added v: theta = theta - v", "v를 더했습니다: theta = theta - v")),
                          Mistake("gamma-on-gradient", m["theta"] - lr * g1 - gamma * lr * g2, (
                    "gamma multiplies the previous v, not the new gradient",
                    "gamma는 새 기울기가 아니라 이전 v에 곱합니다"))))


def softmax_grad() -> Spec:
    """002.softmax_grad: the softmax Jacobian ds_i/dz_j, by glassnet's softmax backward."""
    from ..activations import get

    softmax = get("softmax")
    z = np.array([SOFTMAX_Z])
    s = softmax(z)
    rows = [softmax.backward(np.eye(3)[[j]], z, s, np.empty_like(z))[0] for j in range(3)]
    jacobian = np.array(rows)  # row j: d s_j / d z (the Jacobian is symmetric)
    p = s[0]
    return Spec(jacobian, ("ds_i/dz_j = s_i (1[i == j] - s_j)",
                           "ds_i/dz_j = s_i (1[i == j] - s_j)"),
                parts=(Part("s", p, ("s = exp(z) / sum(exp(z))", "s = exp(z) / sum(exp(z))")),),
                mistakes=(Mistake("diagonal-only", np.diag(p * (1 - p)), (
                    "only the diagonal s_i (1 - s_i), as for sigmoid: softmax couples the "
                    "outputs, off the diagonal ds_i/dz_j = -s_i s_j",
                    "대각선 s_i (1 - s_i)만 있습니다 (시그모이드처럼): 소프트맥스는 출력이 서로 "
                    "묶여 있어 대각선 밖은 ds_i/dz_j = -s_i s_j")),
                          Mistake("sign", np.outer(p, p) - np.diag(p), (
                    "the signs are flipped: s_i (1[i == j] - s_j)",
                    "부호가 반대입니다: s_i (1[i == j] - s_j)"))))


def kfold() -> Spec:
    """002.kfold: the test rows of each fold, unshuffled, by glassnet.data.k_fold."""
    from ..data import k_fold

    n, k = KFOLD["n_rows"], KFOLD["n_folds"]
    folds = [test.tolist() for _, test in k_fold(n, k, shuffle=False)]
    size = n // k
    dropped = [list(range(i * size, (i + 1) * size)) for i in range(k)]
    last = [*dropped[:-1], list(range((k - 1) * size, n))]
    expected = pad_folds(folds)
    return Spec(expected, ("fold sizes differ by at most one: the first n % k folds get one more "
                           "row", "폴드 크기는 최대 하나 차이: 앞의 n % k개 폴드가 한 행씩 더"),
                mistakes=(Mistake("dropped", pad_folds(dropped), (
                    f"{n - k * size} row(s) left out: every row must be tested once",
                    f"{n - k * size}개 행이 빠졌습니다: 모든 행이 한 번씩 시험되어야 합니다")),
                          Mistake("last-fold", pad_folds(last), (
                    "every row is there, but the leftover went to the last fold: spread it so "
                    "sizes differ by at most one",
                    "모든 행은 있지만 남은 행이 마지막 폴드로 갔습니다: 크기 차이가 1 이하가 "
                    "되게 나누세요"))))


def pad_folds(folds) -> np.ndarray:
    """Folds (lists of row numbers) as one array, short folds padded with -1 (for ``check``)."""
    folds = [list(np.ravel(f)) for f in folds]
    out = np.full((len(folds), max(map(len, folds), default=0)), -1.0)
    for i, fold in enumerate(folds):
        out[i, :len(fold)] = fold
    return out


STREETLIGHTS_ALPHA = 0.2


def streetlights_model():
    """Lecture 003's 3-4-1 ReLU network with the seed's weights (``np.random.seed(1)``).

    The seed draws ``2*np.random.random((3, 4)) - 1`` then ``2*np.random.random((4, 1)) - 1``
    after ``np.random.seed(1)``; a private ``RandomState(1)`` gives the same numbers. glassnet's
    ``'mse'`` is (prediction - target)^2, twice the seed's 1/2 (...)^2, so SGD gets alpha / 2.
    """
    import glassnet
    from glassnet.layers import Dense

    legacy = np.random.RandomState(1)
    weights_0_1 = 2 * legacy.random_sample((3, 4)) - 1
    weights_1_2 = 2 * legacy.random_sample((4, 1)) - 1
    model = glassnet.Sequential([
        Dense(4, activation="relu", use_bias=False, input_shape=(3,), name="weights_0_1"),
        Dense(1, use_bias=False, name="weights_1_2")], dtype="float64")
    model.set_weights([weights_0_1, weights_1_2])
    model.compile(glassnet.optimizers.SGD(learning_rate=STREETLIGHTS_ALPHA / 2), "mse")
    return model


def streetlight_step() -> Spec:
    """003.weights_0_1: the first stochastic step of the streetlights network, by ``fit``."""
    from ..datasets import toy

    lights, walk = toy.streetlights()
    model, alpha = streetlights_model(), STREETLIGHTS_ALPHA
    w01, w12 = (w.copy() for w in model.get_weights())
    x, y = lights[:1], walk[:1]
    model.fit(x, y, epochs=1, batch_size=1, shuffle=False, verbose=0)
    layer_1 = np.maximum(x @ w01, 0)
    layer_2_delta = layer_1 @ w12 - y
    layer_1_delta = (layer_2_delta @ w12.T) * (layer_1 > 0)
    new = model.get_weights()[0]
    return Spec(new, ("weights_0_1 -= alpha * layer_0.T @ layer_1_delta, layer_1_delta = "
                      "(layer_2_delta @ weights_1_2.T) * relu2deriv(layer_1)",
                      "weights_0_1 -= alpha * layer_0.T @ layer_1_delta, layer_1_delta = "
                      "(layer_2_delta @ weights_1_2.T) * relu2deriv(layer_1)"),
                parts=(Part("layer_2_delta", layer_2_delta, (
                    "layer_2_delta = layer_2 - walk_vs_stop[0]",
                    "layer_2_delta = layer_2 - walk_vs_stop[0]")),
                       Part("layer_1_delta", layer_1_delta, (
                    "layer_1_delta = (layer_2_delta @ weights_1_2.T) * relu2deriv(layer_1)",
                    "layer_1_delta = (layer_2_delta @ weights_1_2.T) * relu2deriv(layer_1)"))),
                mistakes=(Mistake("no-relu2deriv", w01 - alpha * x.T @ (layer_2_delta @ w12.T), (
                    "relu2deriv(layer_1) is missing: hidden units that were off (0) pass no "
                    "error back", "relu2deriv(layer_1)가 빠졌습니다: 꺼진(0) 은닉 뉴런은 오차를 "
                    "뒤로 보내지 않습니다")),
                          Mistake("uphill", w01 + alpha * x.T @ layer_1_delta, (
                    "you stepped uphill: subtract alpha * layer_0.T @ layer_1_delta",
                    "오르막으로 갔습니다: alpha * layer_0.T @ layer_1_delta를 빼세요"))))


def perceptron_grad() -> Spec:
    """004.dw: the AND perceptron's kernel gradient, read off one step of ``Perceptron.run``."""
    from ..classic import Perceptron
    from ..datasets import toy

    X, Y = toy.logic_gate("and")
    gate = Perceptron(X, Y, lr=0.1, iteration=1, seed=0)
    before, a = gate.weight.copy(), gate.forward().reshape(-1, 1)
    gate.run()
    grad = (before - gate.weight) / 0.1
    dz = a - Y.reshape(-1, 1)
    return Spec(grad, ("dL/dw = X.T @ (alpha - Y), summed over the four rows",
                       "dL/dw = X.T @ (alpha - Y), 네 행에 대한 합"),
                parts=(Part("dz", dz, ("dL/dz = alpha - Y: sigmoid and binary cross-entropy "
                                       "together", "dL/dz = alpha - Y: 시그모이드와 이진 교차 "
                                       "엔트로피를 함께 미분")),),
                mistakes=(Mistake("mean", grad / len(X), (
                    "that is the mean over rows; the seed's Perceptron sums them",
                    "행에 대한 평균입니다; 교재의 Perceptron은 합을 씁니다")),
                          Mistake("sign", -grad, ("the sign: alpha - Y, not Y - alpha",
                                                  "부호: Y - alpha가 아니라 alpha - Y")),
                          Mistake("no-input", np.full_like(grad, dz.sum()), (
                    "X is missing: each weight's gradient is its input times dz",
                    "X가 빠졌습니다: 각 가중치의 기울기는 그 입력 곱하기 dz"))))


def softmax_ce() -> Spec:
    """004.dz: dL/dz of softmax + categorical cross-entropy, by ``explain`` on a glassnet model."""
    import glassnet
    from glassnet.explain import explain
    from glassnet.layers import Dense

    z, y = np.array([CE["z"]]), np.array([CE["y"]])
    model = glassnet.Sequential([Dense(3, activation="softmax", input_shape=(3,),
                                       name="course_softmax")], dtype="float64")
    model.set_weights([np.eye(3), np.zeros(3)])  # net = z exactly
    model.compile(glassnet.optimizers.SGD(0.1), "categorical_crossentropy")
    grad = np.array([explain(model, z, y, weight=f"course_softmax/bias[{j}]").value
                     for j in range(3)])
    p = model.predict(z, verbose=0)[0]
    return Spec(grad, ("dL/dz = p - y (softmax and cross-entropy together)",
                       "dL/dz = p - y (소프트맥스와 교차 엔트로피를 함께 미분)"),
                parts=(Part("p", p, ("p = softmax(z)", "p = softmax(z)")),),
                mistakes=(Mistake("sign", y[0] - p, ("the sign: p - y, not y - p",
                                                     "부호: y - p가 아니라 p - y")),
                          Mistake("no-target", p, ("that is p: subtract the one-hot target y",
                                                   "그것은 p입니다: 원-핫 목표 y를 빼세요"))))

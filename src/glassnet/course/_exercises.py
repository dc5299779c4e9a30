"""The course's exercises: each builds what it expects from glassnet's own numbers.

Every function here sets up the lecture's network or data exactly as the notebook does, runs
glassnet on it (a forward pass, ``explain``, an optimizer's step, ``data.k_fold``, ...) and
returns a :class:`~glassnet.course._check.Spec`: the value, the parts of its chain and the
usual mistakes, each computed the mistaken way from the same numbers.
"""

from __future__ import annotations

import numpy as np

from ._check import Mistake, Part, Spec

# The lectures' fixed inputs, shared with the notebooks (which print them).
MLP_INPUTS = (0.1, 0.5, 0.9)
WORKED = {"wih": [[0.15, 0.20], [0.25, 0.30]], "who": [[0.40, 0.45], [0.50, 0.55]],
          "inputs": [0.05, 0.10], "targets": [0.01, 0.99]}
SIGNALS = {"W": [[0.9, 0.3], [0.2, 0.8]], "I": [1.0, 0.5]}
MOMENTUM = {"theta": 1.0, "learning_rate": 0.1, "gamma": 0.9, "gradients": (0.5, 0.3)}
SOFTMAX_Z = (2.0, 1.0, 0.1)
KFOLD = {"n_rows": 10, "n_folds": 3}
CE = {"z": (1.0, 2.0, 0.5), "y": (0.0, 1.0, 0.0)}


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=float)))


def mlp_forward() -> Spec:
    """000.forward: ``MLP(3, [3, 3], 2, seed=0)`` on (0.1, 0.5, 0.9)."""
    from ..classic import MLP

    mlp = MLP(3, [3, 3], 2, seed=0)
    x = np.array(MLP_INPUTS)
    out = mlp.forward_propagate(x)
    _, h1, h2, _ = (a.copy() for a in mlp.activations)
    w = [np.asarray(v, dtype=float) for v in mlp.weights]
    linear = x @ w[0] @ w[1] @ w[2]
    transposed = _sigmoid(_sigmoid(_sigmoid(x @ w[0].T) @ w[1].T) @ w[2])
    return Spec(out.copy(), ("output = sigmoid(sigmoid(sigmoid(x W0) W1) W2)",
                             "출력 = sigmoid(sigmoid(sigmoid(x W0) W1) W2)"),
                parts=(Part("h1", h1, ("h1 = sigmoid(x @ W0): x times the first weights, then "
                                       "the sigmoid", "h1 = sigmoid(x @ W0): x에 첫 가중치를 "
                                       "곱한 뒤 시그모이드")),
                       Part("h2", h2, ("h2 = sigmoid(h1 @ W1)", "h2 = sigmoid(h1 @ W1)"))),
                mistakes=(Mistake("no-sigmoid", linear, (
                    "you multiplied the weights but applied no sigmoid",
                    "가중치만 곱하고 시그모이드를 적용하지 않았습니다")),
                          Mistake("transposed", transposed, (
                    "the weight matrices are transposed: with row vectors it is x @ W, "
                    "W[i, j] from input i to neuron j",
                    "가중치 행렬이 전치되었습니다: 행 벡터에서는 x @ W, W[i, j]는 입력 i에서 "
                    "뉴런 j로"))))


def _worked():
    from ..classic import NeuralNetwork

    net = NeuralNetwork(WORKED["wih"], WORKED["who"])
    return net, net.explain(WORKED["inputs"], WORKED["targets"])


def worked_out_o1() -> Spec:
    """001.out_o1: the worked example's first output."""
    _, step = _worked()
    h1, o1 = step.neurons["h1"], step.neurons["o1"]
    bias = 0.60
    return Spec(o1.out, ("out_o1 = sigmoid(w5 out_h1 + w6 out_h2 + b2)",
                         "out_o1 = sigmoid(w5 out_h1 + w6 out_h2 + b2)"),
                parts=(Part("net_h1", h1.net, (h1.net_formula, h1.net_formula)),
                       Part("out_h1", h1.out, (h1.out_formula, h1.out_formula)),
                       Part("net_o1", o1.net, (o1.net_formula, o1.net_formula))),
                mistakes=(Mistake("no-sigmoid", o1.net, (
                    "that is net_o1: the output is sigmoid(net_o1)",
                    "그것은 net_o1입니다: 출력은 sigmoid(net_o1)")),
                          Mistake("no-bias", float(_sigmoid(o1.net - bias)), (
                    "the bias b2 = 0.60 is missing from net_o1",
                    "net_o1에 편향 b2 = 0.60이 빠졌습니다"))))


def worked_error() -> Spec:
    """001.E_total: the worked example's total error."""
    _, step = _worked()
    e1, e2 = (step.errors[k].value for k in ("E_o1", "E_o2"))
    return Spec(step.total_error, ("E_total = 1/2 (target_o1 - out_o1)^2 + 1/2 (target_o2 - "
                                   "out_o2)^2", "E_total = 1/2 (target_o1 - out_o1)^2 + 1/2 "
                                   "(target_o2 - out_o2)^2"),
                parts=(Part("E_o1", e1, ("E_o1 = 1/2 (0.01 - out_o1)^2",
                                         "E_o1 = 1/2 (0.01 - out_o1)^2")),
                       Part("E_o2", e2, ("E_o2 = 1/2 (0.99 - out_o2)^2",
                                         "E_o2 = 1/2 (0.99 - out_o2)^2"))),
                mistakes=(Mistake("no-half", 2 * (e1 + e2), (
                    "twice too big: each squared error is multiplied by 1/2",
                    "두 배 큽니다: 제곱 오차마다 1/2을 곱합니다")),
                          Mistake("one-output", e1, (
                    "only E_o1: the total adds both outputs' errors",
                    "E_o1만 있습니다: 두 출력의 오차를 더합니다"))))


_FACTOR_HINTS = {
    "dE/dout": ("dE/dout = -(target - out) = out - target", "dE/dout = -(target - out) = out - "
                "target"),
    "dout/dnet": ("the sigmoid's derivative, out (1 - out)", "시그모이드의 도함수 out (1 - out)"),
    "dnet/dw": ("the input the weight multiplies (out of the neuron before)",
                "가중치가 곱해지는 입력 (앞 뉴런의 출력)"),
}


def _hint(name: str) -> tuple[str, str]:
    for prefix, hint in _FACTOR_HINTS.items():
        head, tail = prefix.split("/")
        if name.startswith(head) and f"/{tail}" in name:
            return hint
    return (name, name)


def _chain(weight: str) -> tuple:
    _, step = _worked()
    gradient = step.gradients[weight]
    parts = tuple(Part(f.name.replace("/", "_"), f.value, _hint(f.name))
                  for f in gradient.factors)
    return step, gradient, parts


def worked_dE_dw5() -> Spec:
    """001.dE_dw5: BP1 and BP4 for w5 by the chain rule."""
    step, gradient, parts = _chain("w5")
    o1, h1, h2 = (step.neurons[k] for k in ("o1", "h1", "h2"))
    d_out, d_act, _ = (p.value for p in parts)
    return Spec(gradient.value, ("dE/dw5 = dE/dout_o1 * dout_o1/dnet_o1 * dnet_o1/dw5",
                                 "dE/dw5 = dE/dout_o1 * dout_o1/dnet_o1 * dnet_o1/dw5"),
                parts=parts, product=True, mistakes=(
                    Mistake("net-derivative", d_out * o1.net * (1 - o1.net) * h1.out, (
                        "dout/dnet is out (1 - out), of the output, not of net",
                        "dout/dnet은 net이 아니라 출력의 out (1 - out)입니다")),
                    Mistake("wrong-input", d_out * d_act * h2.out, (
                        "dnet_o1/dw5 is out_h1 (w5 joins h1 to o1); out_h2 is w6's input",
                        "dnet_o1/dw5는 out_h1입니다 (w5는 h1과 o1을 잇습니다); out_h2는 w6의 "
                        "입력"))))


def worked_w5_new() -> Spec:
    """001.w5_new: one gradient-descent step of w5 with eta 0.5."""
    step, gradient, _ = _chain("w5")
    update = step.updates["w5"]
    return Spec(update.new, ("w5_new = w5 - eta * dE/dw5", "w5_new = w5 - eta * dE/dw5"),
                parts=(Part("dE_dw5", gradient.value, ("see exercise 001.dE_dw5",
                                                       "연습 001.dE_dw5를 보세요")),),
                mistakes=(Mistake("uphill", update.old + update.learning_rate * gradient.value, (
                    "you stepped uphill: subtract eta * dE/dw5 to lower the error",
                    "오르막으로 갔습니다: 오차를 줄이려면 eta * dE/dw5를 뺍니다")),
                          Mistake("no-eta", update.old - gradient.value, (
                    "the learning rate eta = 0.5 is missing",
                    "학습률 eta = 0.5가 빠졌습니다"))))


def worked_dE_dw1() -> Spec:
    """001.dE_dw1: BP2, a hidden weight: both outputs' errors flow back through h1."""
    step, gradient, parts = _chain("w1")
    _, d_act, d_in = (p.value for p in parts)
    only_o1 = step.deltas["o1"].value * WORKED["who"][0][0] * d_act * d_in
    return Spec(gradient.value, ("dE/dw1 = (delta_o1 w5 + delta_o2 w7) * out_h1 (1 - out_h1) * "
                                 "i1", "dE/dw1 = (delta_o1 w5 + delta_o2 w7) * out_h1 (1 - "
                                 "out_h1) * i1"),
                parts=parts, product=True, mistakes=(Mistake("one-path", only_o1, (
                    "only o1's path: dE/dout_h1 sums over both outputs, delta_o1 w5 + delta_o2 w7",
                    "o1 경로만 있습니다: dE/dout_h1은 두 출력에 대한 합, delta_o1 w5 + "
                    "delta_o2 w7")),))


def signals() -> Spec:
    """002.signals: O = sigmoid(W I) for the deck's two-node layer, through a glassnet Dense."""
    from ..layers import Dense
    from ..models import Sequential

    W, inputs = np.array(SIGNALS["W"]), np.array([SIGNALS["I"]])
    layer = Dense(2, activation="sigmoid", use_bias=False, input_shape=(2,))
    Sequential([layer], dtype="float64").set_weights([W.T])  # kernel (inputs, outputs): W.T
    out = np.asarray(layer(inputs))[0]
    return Spec(out, ("O = sigmoid(W I): row j of W times I, then the sigmoid",
                      "O = sigmoid(W I): W의 j번째 행과 I의 곱, 그 다음 시그모이드"),
                parts=(Part("X", (W @ inputs[0]), ("X = W I (the sums before the sigmoid)",
                                                   "X = W I (시그모이드 전의 합)")),),
                mistakes=(Mistake("order", _sigmoid(inputs[0] @ W), (
                    "that is I W (W transposed): the deck's W has one row per receiving node",
                    "그것은 I W (전치된 W)입니다: 교재의 W는 받는 노드마다 한 행")),
                          Mistake("no-sigmoid", W @ inputs[0], (
                    "that is X: apply the sigmoid", "그것은 X입니다: 시그모이드를 적용하세요"))))

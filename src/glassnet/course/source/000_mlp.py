# Lecture 000: the MLP class. Source of the course notebooks (see glassnet/course/_build.py).

# %% [markdown] en
# # 000 · A multilayer perceptron from weights
#
# A network is three things: **weights** (one matrix per pair of layers), **net inputs**
# (a layer's inputs times its weights) and an **activation** (here the sigmoid). With the
# inputs as a row vector $\mathbf{x}$, the first hidden layer's net inputs are one product,
# $\mathbf{h}^{(2)} = \mathbf{x} W^{(1)}$, and its activations $\mathbf{a}^{(2)} =
# \sigma(\mathbf{h}^{(2)})$. This notebook follows the lecture: the `MLP` class, its forward
# pass, then training it to add two numbers.
#
# *Run the cells in order (Shift+Enter). Exercises end with `check(...)`: replace each `...`
# with your computation and run the cell again.*

# %% [markdown] ko
# # 000 · 가중치로 만드는 다층 퍼셉트론
#
# 신경망은 세 가지로 이루어집니다: **가중치**(층과 층 사이마다 행렬 하나), **순입력**(층의 입력과
# 가중치의 곱), **활성화 함수**(여기서는 시그모이드). 입력을 행 벡터 $\mathbf{x}$로 두면 첫 은닉층의
# 순입력은 곱셈 한 번, $\mathbf{h}^{(2)} = \mathbf{x} W^{(1)}$ 이고, 활성값은
# $\mathbf{a}^{(2)} = \sigma(\mathbf{h}^{(2)})$ 입니다. 이 노트북은 강의 순서를 따릅니다: `MLP`
# 클래스, 순전파, 그리고 두 수의 덧셈을 학습시키기.
#
# *셀을 차례로 실행하세요 (Shift+Enter). 연습 문제는 `check(...)`로 끝납니다: `...`를 여러분의
# 계산으로 바꾸고 셀을 다시 실행하세요.*

# %% tags=["parameters"]
LANG = "en"

# %%
import numpy as np

from glassnet import plot
from glassnet.classic import MLP
from glassnet.course import check, setup

t = setup(LANG)

# %% [markdown] en
# ## 1. The MLP class
#
# `MLP(num_inputs=3, hidden_layers=[3, 3], num_outputs=2)` makes the lecture's network:
# 3 inputs, two hidden layers of 3 sigmoid neurons, 2 outputs, weights drawn uniformly from
# [0, 1) as `np.random.rand` does (`seed=` makes them repeatable). `mlp.weights[i]` has one row
# per neuron of layer *i* and one column per neuron of layer *i + 1*.

# %% [markdown] ko
# ## 1. MLP 클래스
#
# `MLP(num_inputs=3, hidden_layers=[3, 3], num_outputs=2)`는 강의의 신경망을 만듭니다: 입력 3개,
# 시그모이드 뉴런 3개짜리 은닉층 두 개, 출력 2개. 가중치는 `np.random.rand`처럼 [0, 1)에서
# 고르게 뽑습니다 (`seed=`를 주면 매번 같습니다). `mlp.weights[i]`는 층 *i*의 뉴런마다 한 행,
# 층 *i + 1*의 뉴런마다 한 열입니다.

# %%
mlp = MLP(3, [3, 3], 2, seed=0)
for i, w in enumerate(mlp.weights):
    print(f"W{i}: {w.shape[0]} x {w.shape[1]}")

# %% tags=["figure"]
plot.plot_network(mlp.model, title=t("MLP(3, [3, 3], 2): 선의 굵기는 |w|",
                                     "MLP(3, [3, 3], 2): line width is |w|"))

# %% [markdown] en
# ## 2. Forward propagation
#
# `forward_propagate` multiplies the activations by each weight matrix in turn and applies the
# sigmoid: the input layer's activation is the input itself.

# %% [markdown] ko
# ## 2. 순전파
#
# `forward_propagate`는 활성값에 가중치 행렬을 차례로 곱하고 시그모이드를 적용합니다: 입력층의
# 활성값은 입력 그 자체입니다.

# %%
inputs = np.array([0.1, 0.5, 0.9])
output = mlp.forward_propagate(inputs)
print("Network activation:", output)

# %% [markdown] en
# ### Exercise 000.forward
#
# Compute the same forward pass yourself with NumPy: `h1` and `h2` (the two hidden layers'
# activations) and `out`. Keep `seed=0` above so your network is the checker's.

# %% [markdown] ko
# ### 연습 000.forward
#
# 같은 순전파를 NumPy로 직접 계산하세요: 두 은닉층의 활성값 `h1`, `h2`와 출력 `out`. 위의
# `seed=0`을 그대로 두어야 검사기와 같은 신경망입니다.

# %%
def sigmoid(x):
    return 1 / (1 + np.exp(-x))


W0, W1, W2 = mlp.weights
h1 = sigmoid(inputs @ W0)  # solution
h2 = sigmoid(h1 @ W1)  # solution
out = sigmoid(h2 @ W2)  # solution
check("000.forward", out, h1=h1, h2=h2)

# %% [markdown] en
# ## 3. Training: back propagation and gradient descent
#
# Training repeats four steps: predict, measure the error, compute the gradient, update. The
# gradient of the error with respect to the last weights is a chain of three factors,
#
# $$\frac{\partial E}{\partial W^{(2)}} = \frac{\partial E}{\partial a^{(3)}}
# \frac{\partial a^{(3)}}{\partial h^{(3)}} \frac{\partial h^{(3)}}{\partial W^{(2)}},$$
#
# and `back_propagate(error)` carries it back layer by layer; `gradient_descent(learning_rate)`
# steps each weight against its gradient. `train(inputs, targets, epochs, learning_rate)` does
# both for every example, epoch after epoch. The task: add two numbers in [0, 0.5).

# %% [markdown] ko
# ## 3. 학습: 역전파와 경사하강법
#
# 학습은 네 단계를 되풀이합니다: 예측, 오차 계산, 기울기 계산, 업데이트. 마지막 가중치에 대한
# 오차의 기울기는 세 인수의 연쇄입니다.
#
# $$\frac{\partial E}{\partial W^{(2)}} = \frac{\partial E}{\partial a^{(3)}}
# \frac{\partial a^{(3)}}{\partial h^{(3)}} \frac{\partial h^{(3)}}{\partial W^{(2)}}$$
#
# `back_propagate(error)`가 이것을 층마다 거꾸로 전하고, `gradient_descent(learning_rate)`가 각
# 가중치를 기울기의 반대 방향으로 옮깁니다. `train(inputs, targets, epochs, learning_rate)`는
# 예제마다 이 둘을 에포크마다 반복합니다. 과제: [0, 0.5) 범위의 두 수 더하기.

# %%
from glassnet.datasets import toy

items, targets = toy.two_number_sum(1000, seed=0)
mlp = MLP(2, [5], 1, seed=0)
errors = mlp.train(items, targets, 50, 0.1, verbose=False)
for epoch in range(0, 50, 10):
    print(f"Error: {errors[epoch]:.6f} at epoch {epoch + 1}")
print(f"Error: {errors[-1]:.6f} at epoch 50")

# %% tags=["figure"]
plot.plot_history({t("오차", "error"): errors}, xlabel=t("에포크", "epoch"),
                  ylabel=t("평균 제곱 오차", "mean squared error"),
                  title=t("MLP(2, [5], 1)이 덧셈을 배운다", "MLP(2, [5], 1) learns to add"))

# %%
sample = np.array([0.3, 0.1])
guess = mlp.forward_propagate(sample)[0]
print(f"Our network believes that {sample[0]} + {sample[1]} is equal to {guess:.3f}")

# %% [markdown] en
# The network was never shown 0.3 + 0.1; it learned addition from 1,000 examples. Under the
# hood `MLP` is a glassnet `Sequential` (`mlp.model`): `mlp.weights` are views of its weights.

# %% [markdown] ko
# 신경망은 0.3 + 0.1을 본 적이 없습니다; 예제 1,000개로 덧셈을 배웠습니다. 속을 보면 `MLP`는
# glassnet의 `Sequential`(`mlp.model`)이고 `mlp.weights`는 그 가중치를 그대로 보여 줍니다.

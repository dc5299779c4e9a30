# Lecture 001: the chain rule by hand, then Keras. Source of the course notebooks.

# %% [markdown] en
# # 001 · The chain rule by hand, then Keras
#
# One small network, worked through by hand: two inputs, two hidden and two output sigmoid
# neurons, weights w1..w8, biases 0.35 and 0.60 (kept fixed), one example (0.05, 0.10) with
# targets (0.01, 0.99), learning rate eta = 0.5. We compute the forward pass, the error, the
# gradient of one output weight and one hidden weight, and one update; then the same ideas
# in a Keras-style API: XOR and MNIST.

# %% [markdown] ko
# # 001 · 손으로 푸는 연쇄 법칙, 그리고 Keras
#
# 작은 신경망 하나를 손으로 풀어 봅니다: 입력 2개, 시그모이드 은닉 뉴런 2개와 출력 뉴런 2개,
# 가중치 w1..w8, 편향 0.35와 0.60(고정), 예제 하나 (0.05, 0.10)과 목표값 (0.01, 0.99), 학습률
# eta = 0.5. 순전파, 오차, 출력층 가중치 하나와 은닉층 가중치 하나의 기울기, 그리고 업데이트
# 한 번을 계산합니다. 그 다음 같은 생각을 Keras 모양의 API로: XOR과 MNIST.

# %% tags=["parameters"]
LANG = "en"

# %%
import numpy as np

import glassnet
from glassnet import plot
from glassnet.classic import NeuralNetwork
from glassnet.course import check, epochs, setup

t = setup(LANG)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))

# %% [markdown] en
# ## 1. The network and its forward pass
#
# `NeuralNetwork(wih, who)` takes the weights as the lecture writes them: `wih` one row per
# hidden neuron, `who` one row per output neuron. `query` runs the forward pass.

# %% [markdown] ko
# ## 1. 신경망과 순전파
#
# `NeuralNetwork(wih, who)`는 강의처럼 가중치를 받습니다: `wih`는 은닉 뉴런마다 한 행, `who`는
# 출력 뉴런마다 한 행. `query`가 순전파를 실행합니다.

# %%
inputs, targets = [0.05, 0.10], [0.01, 0.99]
net = NeuralNetwork([[0.15, 0.20], [0.25, 0.30]], [[0.40, 0.45], [0.50, 0.55]],
                    bih=0.35, bho=0.60, eta=0.5)
outputs = net.query(inputs)
print(f"out_h1 = {net.hidden_outputs[0, 0]:.9f}, out_h2 = {net.hidden_outputs[1, 0]:.9f}")
print(f"out_o1 = {outputs[0, 0]:.9f}, out_o2 = {outputs[1, 0]:.9f}")

# %% tags=["figure"]
plot.plot_network(net.model, title=t("001의 2-2-2 신경망", "Lecture 001's 2-2-2 network"))

# %% [markdown] en
# ### Exercise 001.out_o1
#
# By hand (with Python as a calculator): $net_{h1} = w_1 i_1 + w_2 i_2 + b_1$,
# $out_{h1} = \sigma(net_{h1})$, the same for h2, then $net_{o1} = w_5\, out_{h1} + w_6\,
# out_{h2} + b_2$ and $out_{o1} = \sigma(net_{o1})$.

# %% [markdown] ko
# ### 연습 001.out_o1
#
# 손으로 (파이썬을 계산기 삼아): $net_{h1} = w_1 i_1 + w_2 i_2 + b_1$, $out_{h1} =
# \sigma(net_{h1})$, h2도 같게, 그 다음 $net_{o1} = w_5\, out_{h1} + w_6\, out_{h2} + b_2$ 와
# $out_{o1} = \sigma(net_{o1})$.

# %%
i1, i2 = 0.05, 0.10
w1, w2, w3, w4, w5, w6, w7, w8 = 0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55
b1, b2 = 0.35, 0.60
net_h1 = w1 * i1 + w2 * i2 + b1  # solution
out_h1 = sigmoid(net_h1)  # solution
out_h2 = sigmoid(w3 * i1 + w4 * i2 + b1)  # solution
net_o1 = w5 * out_h1 + w6 * out_h2 + b2  # solution
out_o1 = sigmoid(net_o1)  # solution
check("001.out_o1", out_o1, net_h1=net_h1, out_h1=out_h1, net_o1=net_o1)

# %% [markdown] en
# ### Exercise 001.E_total
#
# The error is $E_{total} = \sum \frac{1}{2}(target - out)^2$ over both outputs.

# %% [markdown] ko
# ### 연습 001.E_total
#
# 오차는 두 출력에 대한 합 $E_{total} = \sum \frac{1}{2}(target - out)^2$ 입니다.

# %%
out_h1 = sigmoid(w1 * i1 + w2 * i2 + b1)  # solution
out_h2 = sigmoid(w3 * i1 + w4 * i2 + b1)  # solution
out_o1 = sigmoid(w5 * out_h1 + w6 * out_h2 + b2)  # solution
out_o2 = sigmoid(w7 * out_h1 + w8 * out_h2 + b2)  # solution
E_o1 = 0.5 * (0.01 - out_o1) ** 2  # solution
E_o2 = 0.5 * (0.99 - out_o2) ** 2  # solution
E_total = E_o1 + E_o2  # solution
check("001.E_total", E_total, E_o1=E_o1, E_o2=E_o2)

# %%
print(f"E_total = {net.error(inputs, targets):.9f}")

# %% [markdown] en
# ## 2. Backward: the chain rule for w5 (BP1 and BP4)
#
# $$\frac{\partial E_{total}}{\partial w_5} = \frac{\partial E_{total}}{\partial out_{o1}}
# \cdot \frac{\partial out_{o1}}{\partial net_{o1}} \cdot \frac{\partial net_{o1}}{\partial w_5}$$
#
# The first factor is $-(target_{o1} - out_{o1})$, the second the sigmoid's derivative
# $out_{o1}(1 - out_{o1})$, the third the input w5 multiplies, $out_{h1}$.
#
# ### Exercise 001.dE_dw5
#
# Compute the three factors and their product. Passing the factors to `check` lets it say which
# one differs if the product is wrong.

# %% [markdown] ko
# ## 2. 역방향: w5에 대한 연쇄 법칙 (BP1과 BP4)
#
# $$\frac{\partial E_{total}}{\partial w_5} = \frac{\partial E_{total}}{\partial out_{o1}}
# \cdot \frac{\partial out_{o1}}{\partial net_{o1}} \cdot \frac{\partial net_{o1}}{\partial w_5}$$
#
# 첫 인수는 $-(target_{o1} - out_{o1})$, 둘째는 시그모이드의 도함수 $out_{o1}(1 - out_{o1})$,
# 셋째는 w5가 곱해지는 입력 $out_{h1}$ 입니다.
#
# ### 연습 001.dE_dw5
#
# 세 인수와 그 곱을 계산하세요. 인수들을 `check`에 넘기면 곱이 틀렸을 때 어느 인수가 다른지
# 알려 줍니다.

# %%
o1, h1 = outputs[0, 0], net.hidden_outputs[0, 0]  # glassnet's forward pass, from above
dE_dout_o1 = -(0.01 - o1)  # solution
dout_o1_dnet_o1 = o1 * (1 - o1)  # solution
dnet_o1_dw5 = h1  # solution
dE_dw5 = dE_dout_o1 * dout_o1_dnet_o1 * dnet_o1_dw5  # solution
check("001.dE_dw5", dE_dw5, dE_dout_o1=dE_dout_o1, dout_o1_dnet_o1=dout_o1_dnet_o1,
      dnet_o1_dw5=dnet_o1_dw5)

# %% [markdown] en
# ### Exercise 001.w5_new
#
# One step of gradient descent: $w_5^{+} = w_5 - \eta \frac{\partial E_{total}}{\partial w_5}$.

# %% [markdown] ko
# ### 연습 001.w5_new
#
# 경사하강법 한 걸음: $w_5^{+} = w_5 - \eta \frac{\partial E_{total}}{\partial w_5}$.

# %%
w5_new = 0.40 - 0.5 * (-(0.01 - o1) * o1 * (1 - o1) * h1)  # solution
check("001.w5_new", w5_new)

# %% [markdown] en
# ## 3. A hidden weight: w1 (BP2)
#
# w1 reaches the error through h1, and h1 feeds **both** outputs, so the first factor is a
# sum: $\frac{\partial E_{total}}{\partial out_{h1}} = \delta_{o1} w_5 + \delta_{o2} w_7$ with
# $\delta_o = \frac{\partial E}{\partial out_o} \cdot out_o(1 - out_o)$.
#
# ### Exercise 001.dE_dw1

# %% [markdown] ko
# ## 3. 은닉층 가중치: w1 (BP2)
#
# w1은 h1을 거쳐 오차에 닿고, h1은 출력 **둘 다**로 이어지므로 첫 인수는 합입니다:
# $\frac{\partial E_{total}}{\partial out_{h1}} = \delta_{o1} w_5 + \delta_{o2} w_7$,
# $\delta_o = \frac{\partial E}{\partial out_o} \cdot out_o(1 - out_o)$.
#
# ### 연습 001.dE_dw1

# %%
o2 = outputs[1, 0]
delta_o1 = -(0.01 - o1) * o1 * (1 - o1)  # solution
delta_o2 = -(0.99 - o2) * o2 * (1 - o2)  # solution
dE_dout_h1 = delta_o1 * 0.40 + delta_o2 * 0.50  # solution
dout_h1_dnet_h1 = h1 * (1 - h1)  # solution
dnet_h1_dw1 = 0.05  # solution
dE_dw1 = dE_dout_h1 * dout_h1_dnet_h1 * dnet_h1_dw1  # solution
check("001.dE_dw1", dE_dw1, dE_dout_h1=dE_dout_h1, dout_h1_dnet_h1=dout_h1_dnet_h1,
      dnet_h1_dw1=dnet_h1_dw1)

# %% [markdown] en
# ## 4. The whole step, written out by glassnet
#
# `explain` runs glassnet's own forward and backward pass and writes every number of this step
# as we just did: neurons, errors, deltas (BP1, BP2), gradients (BP4) and updates.

# %% [markdown] ko
# ## 4. 한 걸음 전체를 glassnet이 써 보이기
#
# `explain`은 glassnet 자신의 순전파와 역전파를 실행해 이 걸음의 모든 수를 방금 우리가 한
# 대로 적습니다: 뉴런, 오차, 델타 (BP1, BP2), 기울기 (BP4), 업데이트.

# %%
step = net.explain(inputs, targets)
step

# %%
d_ih, d_ho = net.gradients(inputs, targets)
print("dE/dw1..dw8 =", " ".join(f"{g:.9f}" for g in [*d_ih.ravel(), *d_ho.ravel()]))
net.train(inputs, targets)
print(f"w5 after one step = {net.who[0, 0]:.9f}")
print(f"E_total after one step = {net.error(inputs, targets):.9f}")

# %% [markdown] en
# ## 5. Ten thousand steps
#
# Repeating the step drives the error towards zero and the outputs towards their targets.

# %% [markdown] ko
# ## 5. 만 번의 걸음
#
# 이 걸음을 되풀이하면 오차는 0으로, 출력은 목표값으로 다가갑니다.

# %%
history = [net.error(inputs, targets)]
for _ in range(9999):
    net.train(inputs, targets)
    history.append(net.error(inputs, targets))
final = net.query(inputs)
print(f"after {len(history)} steps: E_total = {history[-1]:.4e}, "
      f"outputs = {final[0, 0]:.6f} {final[1, 0]:.6f}")

# %% tags=["figure"]
figure = plot.plot_history({"E_total": history}, xlabel=t("걸음", "step"),
                           ylabel="E_total", title=t("만 번의 경사하강", "10,000 gradient steps"))
figure.axes[0].set_yscale("log")
figure

# %% [markdown] en
# ## 6. The same in Keras's API: XOR
#
# glassnet follows Keras's names: `Input`, `Dense(units, activation)(x)`, `Model(inputs,
# outputs)`, `compile`, `fit`, `predict`. A 2-2-1 sigmoid network learns XOR in 3,000
# epochs of one example at a time.

# %% [markdown] ko
# ## 6. Keras의 API로 같은 일: XOR
#
# glassnet은 Keras의 이름을 따릅니다: `Input`, `Dense(units, activation)(x)`, `Model(inputs,
# outputs)`, `compile`, `fit`, `predict`. 2-2-1 시그모이드 신경망이 예제 하나씩 3,000 에포크
# 동안 XOR을 배웁니다.

# %%
from glassnet.layers import Dense, Input

X = np.array([[1, 1], [1, 0], [0, 1], [0, 0]], dtype=np.float32)
Y = np.array([[0], [1], [1], [0]], dtype=np.float32)
glassnet.utils.set_random_seed(3)
x = Input(shape=(2,))
hidden = Dense(units=2, activation="sigmoid")(x)
y = Dense(units=1, activation="sigmoid")(hidden)
xor = glassnet.Model(x, y)
xor.compile(optimizer=glassnet.optimizers.SGD(learning_rate=0.1), loss="mse")
xor.fit(X, Y, epochs=3000, batch_size=1, verbose=0, seed=3)
xor.summary()
print("XOR outputs:", " ".join(f"{v:.2f}" for v in xor.predict(X, verbose=0).ravel()))

# %% tags=["figure"]
plot.decision_boundary(xor, X, Y.ravel(), title=t("XOR을 배운 경계", "The boundary XOR learned"))

# %% [markdown] en
# ## 7. MNIST with Sequential
#
# The lecture's model: `Flatten(input_shape=(28, 28))`, `Dense(128, 'relu')`,
# `Dense(10, 'softmax')`, Adam, sparse categorical cross-entropy, 5 epochs. The data is
# bundled with glassnet (no download).

# %% [markdown] ko
# ## 7. Sequential로 MNIST
#
# 강의의 모델: `Flatten(input_shape=(28, 28))`, `Dense(128, 'relu')`, `Dense(10, 'softmax')`,
# Adam, sparse categorical cross-entropy, 5 에포크. 데이터는 glassnet에 들어 있습니다 (내려받기
# 없음).

# %%
from glassnet.datasets import mnist
from glassnet.layers import Flatten

(x_train, y_train), (x_test, y_test) = mnist.load_data()
x_train, x_test = x_train / 255.0, x_test / 255.0
glassnet.utils.set_random_seed(0)
model = glassnet.Sequential([Flatten(input_shape=(28, 28)), Dense(128, activation="relu"),
                             Dense(10, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
fitted = model.fit(x_train, y_train, epochs=epochs(5), verbose=2, seed=0)
loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
print(f"test accuracy: {accuracy:.4f}")

# %% tags=["figure"]
plot.plot_history(fitted, xlabel=t("에포크", "epoch"), title=t("MNIST 학습", "MNIST training"))

# %% tags=["figure"]
predicted = model.predict(x_test, verbose=0).argmax(axis=1)
plot.confusion_matrix(y_test, predicted, title=t("시험 데이터의 혼동 행렬",
                                                 "Confusion matrix on the test set"))

# Lecture 004: perceptrons for logic gates, then an ANN built call by call for MNIST.

# %% [markdown] en
# # 004 · Perceptrons for logic gates, then an ANN for MNIST
#
# The hands-on course: a `Perceptron` (a linear model $wx + b$, the sigmoid, binary
# cross-entropy, `run`) learns AND, NAND, OR and NOR; a two-layer network learns XOR; then an
# `ANN` for MNIST is built call by call (`Input`, `Flatten`, `add_ann_layer`, `relu`,
# `softmax`, `compile`, `show`, `run`) and trained with categorical cross-entropy.

# %% [markdown] ko
# # 004 · 논리 게이트를 배우는 퍼셉트론, 그리고 MNIST를 위한 ANN
#
# 실습 과정: `Perceptron`(선형 모델 $wx + b$, 시그모이드, 이진 교차 엔트로피, `run`)이 AND, NAND,
# OR, NOR을 배우고, 두 층 신경망이 XOR을 배웁니다. 그 다음 MNIST를 위한 `ANN`을 호출 하나씩
# 쌓아 만들고 (`Input`, `Flatten`, `add_ann_layer`, `relu`, `softmax`, `compile`, `show`, `run`)
# 범주형 교차 엔트로피로 학습시킵니다.

# %% tags=["parameters"]
LANG = "en"

# %%
import numpy as np

from glassnet import plot
from glassnet.classic import ANN, Perceptron, TwoLayerPerceptron
from glassnet.course import check, epochs, setup
from glassnet.datasets import toy

t = setup(LANG)

# %% [markdown] en
# ## 1. Four gates, one perceptron each
#
# Each gate's truth table is four rows; the perceptron sees them all at each iteration and
# steps against the gradient of the binary cross-entropy
# $L = -\sum [Y \ln \alpha + (1 - Y) \ln(1 - \alpha)]$.

# %% [markdown] ko
# ## 1. 게이트 넷, 게이트마다 퍼셉트론 하나
#
# 게이트의 진리표는 네 행입니다; 퍼셉트론은 반복마다 네 행을 모두 보고 이진 교차 엔트로피
# $L = -\sum [Y \ln \alpha + (1 - Y) \ln(1 - \alpha)]$ 의 기울기 반대로 움직입니다.

# %%
losses, tables = {}, {}
for name in ["and", "nand", "or", "nor"]:
    X, Y = toy.logic_gate(name)
    gate = Perceptron(X, Y, lr=0.1, iteration=5000, seed=0)
    losses[name.upper()] = [h[0] for h in gate.run()]
    tables[name] = (gate.forward() >= 0.5).astype(int)
    print(f"--- {name.upper()} ---")
    for x, target, guess in zip(X.astype(int).tolist(), Y.ravel().astype(int).tolist(),
                                tables[name].tolist(), strict=True):
        print(f"{x} {target} | {guess}")

# %% tags=["figure"]
plot.plot_history(losses, columns=2, xlabel=t("반복", "iteration"), ylabel=t("손실", "loss"),
                  title=t("게이트마다 이진 교차 엔트로피", "Binary cross-entropy per gate"))

# %% [markdown] en
# ### Exercise 004.dw
#
# With sigmoid and binary cross-entropy together, the derivative by the linear output is
# simply $\partial L / \partial z = \alpha - Y$, and the weights' gradient is
# $X^T(\alpha - Y)$, summed over the four rows (as the lecture's `Perceptron` does). Compute
# it for a fresh AND perceptron (`seed=0`) before any training.

# %% [markdown] ko
# ### 연습 004.dw
#
# 시그모이드와 이진 교차 엔트로피를 함께 미분하면 선형 출력에 대한 도함수는 간단히
# $\partial L / \partial z = \alpha - Y$ 이고, 가중치의 기울기는 네 행에 대한 합
# $X^T(\alpha - Y)$ 입니다 (강의의 `Perceptron`처럼). 학습 전의 새 AND 퍼셉트론(`seed=0`)에
# 대해 계산하세요.

# %%
X, Y = toy.logic_gate("and")
fresh = Perceptron(X, Y, lr=0.1, iteration=1, seed=0)
alpha = 1 / (1 + np.exp(-(X @ fresh.weight + fresh.bias)))
dz = alpha.reshape(-1, 1) - Y.reshape(-1, 1)  # solution
dw = (X.T @ dz).ravel()  # solution
check("004.dw", dw, dz=dz)

# %% [markdown] en
# ## 2. XOR needs two layers
#
# No single line separates XOR's ones from its zeros; a hidden layer of two units does it.

# %% [markdown] ko
# ## 2. XOR에는 두 층이 필요하다
#
# 직선 하나로는 XOR의 1과 0을 나눌 수 없습니다; 뉴런 두 개의 은닉층이면 됩니다.

# %%
X, Y = toy.logic_gate("xor")
xor = TwoLayerPerceptron(X, Y, lr=0.5, iteration=5000, seed=3)
xor_history = xor.run()
best = int(np.argmin([h[0] for h in xor_history]))
guess = (xor.predict(X, *xor_history[best][1:]) >= 0.5).astype(int)
print("--- XOR ---")
for x, target, g in zip(X.astype(int).tolist(), Y.ravel().astype(int).tolist(),
                        guess.ravel().tolist(), strict=True):
    print(f"{x} {target} | {g}")

# %% [markdown] en
# ## 3. MNIST: the data
#
# 70,000 handwritten digits (bundled with glassnet), split as the lecture does: a stratified
# test set of 10,000 images, pixels scaled to [0, 1], labels one-hot for categorical
# cross-entropy.

# %% [markdown] ko
# ## 3. MNIST: 데이터
#
# 손글씨 숫자 70,000개 (glassnet에 들어 있음)를 강의처럼 나눕니다: 층화 추출한 시험 이미지
# 10,000개, 픽셀은 [0, 1]로, 레이블은 범주형 교차 엔트로피를 위해 원-핫으로.

# %%
from glassnet.data import one_hot, train_test_split
from glassnet.datasets import mnist

(x_a, y_a), (x_b, y_b) = mnist.load_data()
images = np.concatenate([x_a, x_b]).astype(np.float32) / 255
labels = np.concatenate([y_a, y_b])
image_train, image_test, label_train, label_test = train_test_split(
    images, labels, test_size=10000, stratify=labels, seed=42)
print(image_train.shape, image_test.shape, np.bincount(label_test))

# %% tags=["figure"]
plot.image_grid(image_train[:16], label_train[:16], title=t("MNIST 4x4", "MNIST, 4x4"))

# %% [markdown] en
# ## 4. The ANN, built call by call
#
# The lecture draws the first weights uniformly from [-1, 1]; on 784 inputs that saturates
# the softmax at the start (0.9387 test accuracy after 5 epochs from seed 0), so we pass
# `kernel_initializer="he_uniform"`.

# %% [markdown] ko
# ## 4. 호출 하나씩 쌓는 ANN
#
# 강의는 첫 가중치를 [-1, 1]에서 고르게 뽑습니다; 입력이 784개면 처음부터 소프트맥스가 포화되어
# (seed 0에서 5 에포크 뒤 시험 정확도 0.9387) 여기서는 `kernel_initializer="he_uniform"`을 줍니다.

# %%
ann = ANN(lr=0.1, kernel_initializer="he_uniform", seed=0)
ann.Input(size=image_train.shape)
ann.Flatten()
ann.add_ann_layer(128)
ann.relu()
ann.add_ann_layer(10)
ann.softmax()
ann.compile()
ann.show()

# %% [markdown] en
# ### Exercise 004.dz
#
# With softmax and categorical cross-entropy together, the output layer's error is
# $\partial L / \partial z = p - y$. For logits $z = (1.0, 2.0, 0.5)$ and the one-hot target
# $y = (0, 1, 0)$, compute $p = \mathrm{softmax}(z)$ and $p - y$.

# %% [markdown] ko
# ### 연습 004.dz
#
# 소프트맥스와 범주형 교차 엔트로피를 함께 미분하면 출력층의 오차는 $\partial L / \partial z =
# p - y$ 입니다. 로짓 $z = (1.0, 2.0, 0.5)$와 원-핫 목표 $y = (0, 1, 0)$에 대해
# $p = \mathrm{softmax}(z)$와 $p - y$를 계산하세요.

# %%
z = np.array([1.0, 2.0, 0.5])
y = np.array([0.0, 1.0, 0.0])
p = np.exp(z) / np.exp(z).sum()  # solution
dz = p - y  # solution
check("004.dz", dz, p=p)

# %% [markdown] en
# ## 5. Training
#
# Each `run` is one epoch of mini-batches of 32 (`verbose=True` shows the lecture's progress
# bar with the loss); it returns the epoch's smallest batch loss.

# %% [markdown] ko
# ## 5. 학습
#
# `run` 한 번이 크기 32 미니배치의 한 에포크입니다 (`verbose=True`면 강의처럼 손실을 보여 주는
# 진행 막대가 나옵니다); 에포크의 가장 작은 배치 손실을 돌려줍니다.

# %%
Y_train = one_hot(label_train, n_classes=10)
mean_loss = []
for epoch in range(epochs(5)):
    ann.run(X=image_train, Y=Y_train, batchsize=32, verbose=False)
    mean_loss.append(float(np.mean(ann.loss_score)))
    print(f"epoch {epoch + 1}: mean loss {mean_loss[-1]:.4f}")
accuracy = float(np.mean(ann.predict(image_test).argmax(axis=1) == label_test))
print(f"test accuracy: {accuracy:.4f}")

# %% tags=["figure"]
plot.plot_history({t("평균 손실", "mean loss"): mean_loss}, xlabel=t("에포크", "epoch"),
                  title=t("ANN의 에포크별 손실", "The ANN's loss per epoch"))

# %% tags=["figure"]
plot.image_grid(image_test[:16], label_test[:16], ann.predict(image_test[:16]).argmax(axis=1),
                title=t("시험 이미지와 예측", "Test images and predictions"))

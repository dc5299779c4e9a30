# Lecture 002: backpropagation, gradient descent, scikit-learn and the Animals quest.

# %% [markdown] en
# # 002 · Backpropagation, three kinds of gradient descent, and the Animals quest
#
# The study group's deck in order: a linear classifier moved by its error, neurons and the
# sigmoid, signals as matrix products, backpropagation (BP1-BP4), batch / mini-batch /
# stochastic gradient descent, a network of plain Python lists, scikit-learn's
# `MLPClassifier`, the Animals quest (normalise, k-fold cross-validation, accuracy), softmax
# against sigmoid, and momentum.

# %% [markdown] ko
# # 002 · 역전파, 세 가지 경사하강법, 그리고 동물 퀘스트
#
# 스터디 자료의 순서대로: 오차로 움직이는 선형 분류기, 뉴런과 시그모이드, 행렬곱으로 보는 신호,
# 역전파 (BP1-BP4), 배치 / 미니배치 / 확률적 경사하강법, 파이썬 리스트로 만든 신경망,
# scikit-learn의 `MLPClassifier`, 동물 퀘스트 (정규화, k-겹 교차 검증, 정확도), 소프트맥스와
# 시그모이드, 모멘텀.

# %% tags=["parameters"]
LANG = "en"

# %%
import numpy as np

import glassnet
from glassnet import plot
from glassnet.course import check, figure, setup

t = setup(LANG)

# %% [markdown] en
# ## 1. A linear classifier learns its slope
#
# Caterpillars are long and thin, ladybirds short and wide; a line $y = Ax$ should separate
# them. Each example $(x, t)$ gives an error $E = t - Ax$ and the change that removes it,
# $\Delta A = E / x$. Taken whole, each change forgets the previous example; a learning rate
# $L$ moves only part of the way: $\Delta A = L\,E / x$.

# %% [markdown] ko
# ## 1. 기울기를 배우는 선형 분류기
#
# 애벌레는 길고 가늘고, 무당벌레는 짧고 넓습니다; 직선 $y = Ax$가 둘을 나누어야 합니다. 예제
# $(x, t)$마다 오차 $E = t - Ax$와 그것을 없애는 변화 $\Delta A = E / x$가 나옵니다. 변화를 다
# 적용하면 앞의 예제를 잊어버리므로, 학습률 $L$만큼만 움직입니다: $\Delta A = L\,E / x$.

# %%
examples = [(3.0, 1.1), (1.0, 2.9)]


def walk(slope, rate=1.0):
    slopes = [slope]
    for x, target in examples:
        error = target - slope * x
        slope += rate * error / x
        slopes.append(slope)
        print(f"x = {x:g}, t = {target:g}: E = {error:.4f}, A = {slope:.4f}")
    return slopes


whole = walk(0.25)
moderated = walk(0.25, rate=0.5)

# %% tags=["figure"]
fig, (ax,) = figure()
xs = np.linspace(0, 4, 2)
for slope, style in zip(moderated, [":", "--", "-"], strict=True):
    ax.plot(xs, slope * xs, style, label=f"A = {slope:.4f}")
ax.scatter([3, 1], [1, 3], c=["tab:red", "tab:green"], s=80, zorder=3)
ax.annotate(t("무당벌레", "ladybird"), (3, 1), xytext=(3.1, 0.6))
ax.annotate(t("애벌레", "caterpillar"), (1, 3), xytext=(1.1, 3.2))
ax.set(xlabel=t("너비", "width"), ylabel=t("길이", "length"), ylim=(0, 4),
       title=t("학습률 L = 0.5로 움직이는 분류선", "The dividing line with learning rate L = 0.5"))
ax.legend()
fig

# %% [markdown] en
# ## 2. Neurons, the sigmoid, and signals as matrix products
#
# A neuron sums its weighted inputs and fires past a threshold; the sigmoid
# $\sigma(x) = 1 / (1 + e^{-x})$ is a smooth threshold. For a whole layer the sums are one
# matrix product $X = W I$ (row $j$ of $W$ holds the weights into node $j$) and the outputs
# $O = \sigma(X)$.

# %% [markdown] ko
# ## 2. 뉴런, 시그모이드, 행렬곱으로 보는 신호
#
# 뉴런은 가중치를 곱한 입력을 합하고 분계점을 넘으면 신호를 냅니다; 시그모이드
# $\sigma(x) = 1 / (1 + e^{-x})$ 는 부드러운 분계점입니다. 층 전체의 합은 행렬곱 한 번
# $X = W I$ ($W$의 $j$번째 행이 노드 $j$로 들어가는 가중치)이고 출력은 $O = \sigma(X)$ 입니다.

# %% tags=["figure"]
fig, (ax,) = figure()
z = np.linspace(-6, 6, 200)
ax.plot(z, glassnet.activations.sigmoid(z), label="sigmoid")
ax.plot(z, z > 0, ":", label=t("계단 함수", "step function"))
ax.set(xlabel="x", ylabel="y", title=t("활성화 함수", "Activation functions"))
ax.legend()
fig

# %% [markdown] en
# ### Exercise 002.signals
#
# The deck's layer: inputs $I = (1.0, 0.5)$, weights $W = \begin{pmatrix} 0.9 & 0.3 \\ 0.2 &
# 0.8 \end{pmatrix}$. Compute $X = WI$ and $O = \sigma(X)$.

# %% [markdown] ko
# ### 연습 002.signals
#
# 자료의 층: 입력 $I = (1.0, 0.5)$, 가중치 $W = \begin{pmatrix} 0.9 & 0.3 \\ 0.2 & 0.8
# \end{pmatrix}$. $X = WI$와 $O = \sigma(X)$를 계산하세요.

# %%
W = np.array([[0.9, 0.3], [0.2, 0.8]])
I = np.array([1.0, 0.5])
X = W @ I  # solution
O = 1 / (1 + np.exp(-X))  # solution
check("002.signals", O, X=X)

# %% [markdown] en
# ## 3. Backpropagation: BP1 to BP4
#
# $$\delta^L = \nabla_a C \odot \sigma'(z^L)\ \text{(BP1)}, \qquad
# \delta^l = ((w^{l+1})^T \delta^{l+1}) \odot \sigma'(z^l)\ \text{(BP2)},$$
#
# $$\frac{\partial C}{\partial b^l_j} = \delta^l_j\ \text{(BP3)}, \qquad
# \frac{\partial C}{\partial w^l_{jk}} = a^{l-1}_k \delta^l_j\ \text{(BP4)}.$$
#
# glassnet writes the four out for any weight of a network: here a 2-2-1 network with the
# deck's first layer, on one example.

# %% [markdown] ko
# ## 3. 역전파: BP1부터 BP4까지
#
# $$\delta^L = \nabla_a C \odot \sigma'(z^L)\ \text{(BP1)}, \qquad
# \delta^l = ((w^{l+1})^T \delta^{l+1}) \odot \sigma'(z^l)\ \text{(BP2)},$$
#
# $$\frac{\partial C}{\partial b^l_j} = \delta^l_j\ \text{(BP3)}, \qquad
# \frac{\partial C}{\partial w^l_{jk}} = a^{l-1}_k \delta^l_j\ \text{(BP4)}.$$
#
# glassnet은 어떤 신경망의 어떤 가중치든 이 넷을 적어 보입니다: 여기서는 자료의 첫 층을 가진
# 2-2-1 신경망, 예제 하나.

# %%
from glassnet.layers import Dense

small = glassnet.Sequential([
    Dense(2, activation="sigmoid", input_shape=(2,), name="hidden"),
    Dense(1, activation="sigmoid", name="output")], dtype="float64")
small.set_weights([W.T, np.zeros(2), np.array([[0.3], [0.6]]), np.zeros(1)])
small.compile(glassnet.optimizers.SGD(learning_rate=0.5), "half_sum_squared_error")
print(glassnet.explain(small, I[None, :], np.array([[1.0]]), weight="hidden/kernel[0, 1]"))

# %% [markdown] en
# ## 4. Batch, mini-batch and stochastic gradient descent
#
# The cost is a mean over examples, $J = \frac{1}{m}\sum_z J(x^{(z)}, y^{(z)})$. **Batch**
# descent takes one step per pass over all $m$ examples, **stochastic** one step per example,
# **mini-batch** one per group. In glassnet (as in Keras) it is one argument:
# `fit(batch_size=len(x))`, `batch_size=1`, or anything between.

# %% [markdown] ko
# ## 4. 배치, 미니배치, 확률적 경사하강법
#
# 비용은 예제에 대한 평균 $J = \frac{1}{m}\sum_z J(x^{(z)}, y^{(z)})$ 입니다. **배치**는 예제 $m$개
# 전체를 한 번 돌 때 한 걸음, **확률적**은 예제마다 한 걸음, **미니배치**는 묶음마다 한 걸음.
# glassnet에서는 (Keras처럼) 인자 하나입니다: `fit(batch_size=len(x))`, `batch_size=1`, 또는 그
# 사이.

# %%
from glassnet.datasets import toy

toy_x, toy_y = toy.toy_two_class()
curves = {}
for name, size in [("batch", len(toy_x)), ("mini-batch", 4), ("stochastic", 1)]:
    glassnet.utils.set_random_seed(1)
    mode = glassnet.Sequential([Dense(2, activation="sigmoid", input_shape=(2,)),
                                Dense(1, activation="sigmoid")])
    mode.compile(glassnet.optimizers.SGD(learning_rate=0.5), "binary_crossentropy")
    curves[name] = mode.fit(toy_x, toy_y, epochs=100, batch_size=size, verbose=0,
                            seed=1).history["loss"]
    print(f"{name:>10}: loss after 100 epochs {curves[name][-1]:.4f}")

# %% tags=["figure"]
plot.plot_history(curves, columns=3, xlabel=t("에포크", "epoch"), ylabel=t("손실", "loss"),
                  title=t("같은 100 에포크, 세 가지 걸음", "The same 100 epochs, three kinds of step"))

# %% [markdown] en
# ### Momentum
#
# Momentum keeps a velocity: $v_t = \gamma v_{t-1} + \eta \nabla J(\theta)$, $\theta = \theta -
# v_t$. In glassnet it is `optimizers.SGD(learning_rate=eta, momentum=gamma)`.
#
# ### Exercise 002.momentum
#
# Start at $\theta = 1$, $v = 0$, with $\eta = 0.1$, $\gamma = 0.9$. The gradient is 0.5 at the
# first step and 0.3 at the second. Compute $v_1$, $v_2$ and $\theta$ after the two steps.

# %% [markdown] ko
# ### 모멘텀
#
# 모멘텀은 속도를 기억합니다: $v_t = \gamma v_{t-1} + \eta \nabla J(\theta)$, $\theta = \theta -
# v_t$. glassnet에서는 `optimizers.SGD(learning_rate=eta, momentum=gamma)` 입니다.
#
# ### 연습 002.momentum
#
# $\theta = 1$, $v = 0$에서 $\eta = 0.1$, $\gamma = 0.9$로 시작합니다. 기울기는 첫 걸음에 0.5,
# 둘째 걸음에 0.3입니다. $v_1$, $v_2$와 두 걸음 뒤의 $\theta$를 계산하세요.

# %%
eta, gamma = 0.1, 0.9
v1 = gamma * 0 + eta * 0.5  # solution
v2 = gamma * v1 + eta * 0.3  # solution
theta = 1.0 - v1 - v2  # solution
check("002.momentum", theta, v1=v1, v2=v2)

# %% [markdown] en
# ## 5. A network of Python lists
#
# The deck builds a one-hidden-layer network as a list of layers, each a list of neuron
# dicts, and trains it row by row. `glassnet.classic` keeps those names (`initialize_network`,
# `train_network`, `predict`, ...) on glassnet's engine. On the deck's 10-row table, 20 epochs
# at rate 0.5 classify every row.

# %% [markdown] ko
# ## 5. 파이썬 리스트로 만든 신경망
#
# 자료는 은닉층 하나짜리 신경망을 층의 리스트(층마다 뉴런 딕셔너리의 리스트)로 만들고 한 행씩
# 학습시킵니다. `glassnet.classic`은 그 이름들 (`initialize_network`, `train_network`,
# `predict`, ...)을 glassnet의 엔진 위에서 그대로 씁니다. 자료의 10행 표에서 학습률 0.5로 20
# 에포크면 모든 행을 맞힙니다.

# %%
from glassnet.classic import initialize_network, predict, train_network

dataset = [[*row, int(label)] for row, label in zip(toy_x.tolist(), toy_y.ravel().tolist(),
                                                     strict=True)]
network = initialize_network(2, 2, 2, seed=1)
errors = train_network(network, dataset, 0.5, 20, 2)
for row in dataset:
    print(f"Expected={row[-1]}, Got={predict(network, row)}")

# %% [markdown] en
# ## 6. scikit-learn's MLPClassifier on the 8x8 digits
#
# `glassnet.sklearn.MLPClassifier` is scikit-learn's estimator (same arguments, same
# results) on glassnet's engine. The deck's call: SGD at 0.1, no L2 penalty, 100 logistic
# hidden units, the whole training set as one batch. We stop at 500 iterations to stay quick
# (0.872 on the test rows); the deck's 2,000 reach 0.972 (30 s on our machine).

# %% [markdown] ko
# ## 6. 8x8 숫자에 scikit-learn의 MLPClassifier
#
# `glassnet.sklearn.MLPClassifier`는 glassnet 엔진 위의 scikit-learn 추정기입니다 (같은 인자,
# 같은 결과). 자료의 호출: 학습률 0.1의 SGD, L2 벌점 없음, 로지스틱 은닉 뉴런 100개, 학습
# 데이터 전체를 배치 하나로. 빨리 끝내려고 500번 반복에서 멈춥니다 (시험 행에서 0.872); 자료의
# 2,000번이면 0.972입니다 (우리 컴퓨터에서 30초).

# %%
import warnings

from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning

from glassnet.data import train_test_split
from glassnet.sklearn import MLPClassifier

digits = load_digits()
X_train, X_test, y_train, y_test = train_test_split(digits.data / 16, digits.target,
                                                    test_size=0.1, seed=10)
clf = MLPClassifier(hidden_layer_sizes=100, activation="logistic", solver="sgd", alpha=0,
                    batch_size=len(X_train), learning_rate_init=0.1, momentum=0,
                    max_iter=500, random_state=10)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)  # 500 iterations, on purpose
    clf.fit(X_train, y_train)
print(f"digits test accuracy: {clf.score(X_test, y_test):.3f}")

# %% tags=["figure"]
plot.image_grid(X_test[:16].reshape(-1, 8, 8), y_test[:16], clf.predict(X_test[:16]),
                title=t("숫자와 예측", "Digits and predictions"))

# %% [markdown] en
# ## 7. Quest: the Animals
#
# The Zoo data set: 101 animals, 16 features, 7 classes. The quest: normalise every column to
# [0, 1], split the rows into k folds for cross-validation, measure the accuracy, then vary
# the folds, the rate, the epochs and the kind of gradient descent.
#
# ### Exercise 002.kfold
#
# Split 10 rows (numbered 0..9) into 3 folds, in order, without shuffling, so that every row is
# tested once and the fold sizes differ by at most one. Give the list of folds.

# %% [markdown] ko
# ## 7. 퀘스트: 동물
#
# Zoo 데이터: 동물 101마리, 특성 16개, 클래스 7개. 퀘스트: 모든 열을 [0, 1]로 정규화하고, 교차
# 검증을 위해 행을 k개 폴드로 나누고, 정확도를 재고, 폴드 수, 학습률, 에포크, 경사하강법의
# 종류를 바꿔 봅니다.
#
# ### 연습 002.kfold
#
# 행 10개(번호 0..9)를 섞지 않고 순서대로 폴드 3개로 나누세요. 모든 행이 한 번씩 시험되고
# 폴드 크기의 차이가 1 이하가 되게. 폴드의 리스트를 답하세요.

# %%
n_rows, n_folds = 10, 3
sizes = [n_rows // n_folds + (1 if i < n_rows % n_folds else 0) for i in range(n_folds)]  # solution
folds = [list(range(sum(sizes[:i]), sum(sizes[:i + 1]))) for i in range(n_folds)]  # solution
check("002.kfold", folds)

# %%
from glassnet.classic import (
    back_propagation,
    dataset_minmax,
    evaluate_algorithm,
    normalize_dataset,
    str_column_to_int,
)
from glassnet.datasets import uci

zoo = uci.load_zoo()
animals = [[*row, zoo.target_names[code]] for row, code in zip(zoo.data.tolist(),
                                                               zoo.target.tolist(), strict=True)]
str_column_to_int(animals, len(animals[0]) - 1)
normalize_dataset(animals, dataset_minmax(animals))
quest = {}
for label, l_rate, n_epoch, batch in [("stochastic", 1.0, 30, 1), ("mini-batch", 2.0, 200, 10),
                                      ("batch", 3.0, 500, None)]:
    glassnet.utils.set_random_seed(1)
    scores = evaluate_algorithm(animals, back_propagation, 5, l_rate, n_epoch, 10, batch)
    quest[label] = scores
    print(f"{label:>10} (l_rate {l_rate}, {n_epoch} epochs): mean accuracy "
          f"{np.mean(scores):.3f}, folds " + " ".join(f"{s:.2f}" for s in scores))

# %% tags=["figure"]
fig, (ax,) = figure()
ax.boxplot(list(quest.values()), tick_labels=list(quest))
ax.set(ylabel=t("폴드별 정확도", "accuracy per fold"), ylim=(0, 1.05),
       title=t("동물: 5-겹 교차 검증", "Animals: 5-fold cross-validation"))
fig

# %% [markdown] en
# ## 8. Softmax against sigmoid
#
# For a dog picture we hope for (1, 0, 0). Sigmoid outputs are each in (0, 1) but need not sum
# to one; softmax, $s_i = e^{z_i} / \sum_j e^{z_j}$, makes them a probability distribution, so
# raising one output lowers the others.

# %% [markdown] ko
# ## 8. 소프트맥스와 시그모이드
#
# 강아지 사진이라면 (1, 0, 0)을 기대합니다. 시그모이드 출력은 각각 (0, 1) 안에 있지만 합이 1일
# 필요가 없습니다; 소프트맥스 $s_i = e^{z_i} / \sum_j e^{z_j}$ 는 출력을 확률 분포로 만들어서,
# 한 출력이 오르면 다른 출력이 내려갑니다.

# %% tags=["figure"]
fig, axes = figure(2)
for ax, z in zip(axes, [(0.9, 0.8, 0.7), (0.5, 0.2, 0.3)], strict=True):
    z = np.array([z])
    ax.bar(np.arange(3) - 0.2, glassnet.activations.sigmoid(z)[0], 0.4, label="sigmoid")
    ax.bar(np.arange(3) + 0.2, glassnet.activations.softmax(z)[0], 0.4, label="softmax")
    ax.set(xticks=range(3), xticklabels=[t("강아지", "dog"), t("고양이", "cat"),
                                         t("토끼", "rabbit")], ylim=(0, 1), title=f"z = {z[0]}")
    ax.legend()
fig

# %% [markdown] en
# ### Exercise 002.softmax_grad
#
# The softmax's derivative couples every output to every input:
# $\partial s_i / \partial z_j = s_i(\mathbb{1}[i = j] - s_j)$. Compute the 3x3 matrix for
# $z = (2.0, 1.0, 0.1)$ (row $i$, column $j$).

# %% [markdown] ko
# ### 연습 002.softmax_grad
#
# 소프트맥스의 도함수는 모든 출력을 모든 입력에 묶습니다:
# $\partial s_i / \partial z_j = s_i(\mathbb{1}[i = j] - s_j)$. $z = (2.0, 1.0, 0.1)$에 대한
# 3x3 행렬을 계산하세요 (행 $i$, 열 $j$).

# %%
z = np.array([2.0, 1.0, 0.1])
s = np.exp(z) / np.exp(z).sum()  # solution
jacobian = np.diag(s) - np.outer(s, s)  # solution
check("002.softmax_grad", jacobian, s=s)

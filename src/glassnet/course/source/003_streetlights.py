# Lecture 003: the streetlights network. Source of the course notebooks.

# %% [markdown] en
# # 003 · Streetlights: a tiny network, reproduced to the last digit
#
# Three lights in a row; each pattern means walk (1) or stop (0). A 3-4-1 network with a ReLU
# hidden layer learns the rule from four patterns, one at a time, with learning rate
# alpha = 0.2. The weights start where the lecture's do (`np.random.seed(1)`, then
# `2*np.random.random(...) - 1`), so the printed errors can be compared digit by digit.

# %% [markdown] ko
# # 003 · 신호등: 작은 신경망을 마지막 자리까지 재현하기
#
# 한 줄로 선 신호등 세 개; 켜진 모양마다 건너라(1) 또는 멈춰라(0)를 뜻합니다. ReLU 은닉층을 가진
# 3-4-1 신경망이 네 가지 모양에서 규칙을 배웁니다. 한 번에 하나씩, 학습률 alpha = 0.2. 가중치는
# 강의와 같은 곳에서 시작하므로 (`np.random.seed(1)` 다음 `2*np.random.random(...) - 1`) 출력되는
# 오차를 자리마다 비교할 수 있습니다.

# %% tags=["parameters"]
LANG = "en"

# %%
import numpy as np

from glassnet import plot
from glassnet.course import check, setup, streetlights_model
from glassnet.datasets import toy

t = setup(LANG)
streetlights, walk_vs_stop = toy.streetlights()
print(streetlights)
print(walk_vs_stop.ravel())

# %% [markdown] en
# ## 1. ReLU and its derivative
#
# `relu(x)` keeps positive values and zeroes the rest; its derivative `relu2deriv(output)` is 1
# where the unit was on and 0 where it was off: an off unit passes no error back.

# %% [markdown] ko
# ## 1. ReLU와 그 도함수
#
# `relu(x)`는 양수는 그대로 두고 나머지는 0으로 만듭니다; 도함수 `relu2deriv(output)`는 뉴런이
# 켜진 곳에서 1, 꺼진 곳에서 0입니다: 꺼진 뉴런은 오차를 뒤로 보내지 않습니다.

# %%
def relu(x):
    return np.maximum(x, 0)


def relu2deriv(output):
    return (output > 0).astype(float)


legacy = np.random.RandomState(1)  # the same numbers as np.random.seed(1)
weights_0_1 = 2 * legacy.random_sample((3, 4)) - 1
weights_1_2 = 2 * legacy.random_sample((4, 1)) - 1
print(weights_0_1.round(4))

# %% [markdown] en
# ### Exercise 003.weights_0_1
#
# The first step, on the first pattern only: `layer_1 = relu(layer_0 @ weights_0_1)`,
# `layer_2 = layer_1 @ weights_1_2`, `layer_2_delta = layer_2 - target`,
# `layer_1_delta = (layer_2_delta @ weights_1_2.T) * relu2deriv(layer_1)`, and the new
# `weights_0_1 - alpha * layer_0.T @ layer_1_delta`.

# %% [markdown] ko
# ### 연습 003.weights_0_1
#
# 첫 번째 모양 하나로 첫 걸음: `layer_1 = relu(layer_0 @ weights_0_1)`,
# `layer_2 = layer_1 @ weights_1_2`, `layer_2_delta = layer_2 - target`,
# `layer_1_delta = (layer_2_delta @ weights_1_2.T) * relu2deriv(layer_1)`, 그리고 새
# `weights_0_1 - alpha * layer_0.T @ layer_1_delta`.

# %%
alpha = 0.2
layer_0 = streetlights[0:1]
layer_1 = relu(layer_0 @ weights_0_1)  # solution
layer_2_delta = layer_1 @ weights_1_2 - walk_vs_stop[0:1]  # solution
layer_1_delta = (layer_2_delta @ weights_1_2.T) * relu2deriv(layer_1)  # solution
new_weights_0_1 = weights_0_1 - alpha * layer_0.T @ layer_1_delta  # solution
check("003.weights_0_1", new_weights_0_1, layer_2_delta=layer_2_delta,
      layer_1_delta=layer_1_delta)

# %% [markdown] en
# ## 2. Sixty iterations in NumPy
#
# The lecture's loop: each iteration goes through the four patterns, one step each, and adds
# up the squared errors; every tenth iteration prints the sum.

# %% [markdown] ko
# ## 2. NumPy로 60번 반복
#
# 강의의 반복문: 반복마다 네 모양을 하나씩 한 걸음씩 지나며 제곱 오차를 더하고, 열 번째 반복마다
# 그 합을 출력합니다.

# %%
w01, w12 = weights_0_1.copy(), weights_1_2.copy()
numpy_errors = []
for iteration in range(60):
    total = 0.0
    for i in range(len(streetlights)):
        l0 = streetlights[i:i + 1]
        l1 = relu(l0 @ w01)
        l2 = l1 @ w12
        total += float(np.sum((l2 - walk_vs_stop[i:i + 1]) ** 2))
        d2 = l2 - walk_vs_stop[i:i + 1]
        d1 = (d2 @ w12.T) * relu2deriv(l1)
        w12 -= alpha * l1.T @ d2
        w01 -= alpha * l0.T @ d1
    numpy_errors.append(total)
    if iteration % 10 == 9:
        print("Error:" + str(total))

# %% [markdown] en
# ## 3. The same network in glassnet
#
# `streetlights_model()` is this network as a glassnet `Sequential` of two bias-free `Dense`
# layers with the same starting weights. glassnet's `'mse'` is $(prediction - target)^2$, twice
# the $\frac{1}{2}(\dots)^2$ whose gradient the loop steps by, so its SGD uses alpha / 2.
# `fit(batch_size=1, shuffle=False)` is the loop's one-pattern-at-a-time order.

# %% [markdown] ko
# ## 3. glassnet으로 같은 신경망
#
# `streetlights_model()`은 이 신경망을 같은 초기 가중치의 편향 없는 `Dense` 두 층으로 된
# glassnet `Sequential`로 만듭니다. glassnet의 `'mse'`는 $(prediction - target)^2$ 로, 반복문이
# 따르는 $\frac{1}{2}(\dots)^2$의 두 배이므로 SGD는 alpha / 2를 씁니다.
# `fit(batch_size=1, shuffle=False)`가 반복문처럼 한 번에 모양 하나씩의 순서입니다.

# %%
model = streetlights_model()
history = model.fit(streetlights, walk_vs_stop, epochs=60, batch_size=1, shuffle=False,
                    verbose=0)
glassnet_errors = [loss * len(streetlights) for loss in history.history["loss"]]
for iteration in range(9, 60, 10):
    print("glassnet Error:" + str(glassnet_errors[iteration]))
print("largest relative difference:",
      f"{max(abs(a - b) / b for a, b in zip(glassnet_errors, numpy_errors, strict=True)):.1e}")

# %% tags=["figure"]
figure = plot.plot_history({t("오차의 합", "summed error"): glassnet_errors},
                           xlabel=t("반복", "iteration"),
                           title=t("신호등: 60번 반복", "Streetlights: 60 iterations"))
figure.axes[0].set_yscale("log")
figure

# %%
print("predictions:", model.predict(streetlights, verbose=0).ravel().round(3))
print("targets:    ", walk_vs_stop.ravel())

# %% tags=["figure"]
plot.plot_network(model, title=t("학습된 신호등 신경망", "The trained streetlights network"))

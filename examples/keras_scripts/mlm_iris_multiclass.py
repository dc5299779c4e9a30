"""Machine Learning Mastery, "Multi-Class Classification Tutorial with the Keras Deep Learning
Library": iris, one-hot labels, a 4-8-3 network, and k-fold cross-validation.

Source: https://machinelearningmastery.com/multi-class-classification-tutorial-keras-deep-learning-library/
Changed: the iris data from scikit-learn (the tutorial reads iris.csv from the network); the
tutorial's scikeras ``KerasClassifier`` + ``cross_val_score`` written as the loop it runs
(scikeras is a separate package); 30 epochs instead of 200; RESULT lines.
"""

import numpy as np
from keras.layers import Dense, Input
from keras.models import Sequential
from keras.utils import to_categorical
from sklearn.datasets import load_iris
from sklearn.model_selection import KFold
from sklearn.preprocessing import LabelEncoder

iris = load_iris()
X = iris.data.astype(float)
Y = np.array(iris.target_names)[iris.target]
encoder = LabelEncoder()
encoder.fit(Y)
encoded_Y = encoder.transform(Y)
dummy_y = to_categorical(encoded_Y)


def baseline_model():
    model = Sequential()
    model.add(Input(shape=(4,)))
    model.add(Dense(8, activation="relu"))
    model.add(Dense(3, activation="softmax"))
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


kfold = KFold(n_splits=10, shuffle=True)
scores = []
for train, test in kfold.split(X, dummy_y):
    model = baseline_model()
    model.fit(X[train], dummy_y[train], epochs=30, batch_size=5, verbose=0)
    scores.append(model.evaluate(X[test], dummy_y[test], verbose=0)[1])
results = np.array(scores)
print("Baseline: %.2f%% (%.2f%%)" % (results.mean() * 100, results.std() * 100))
print("RESULT kfold_accuracy_mean", round(float(results.mean()), 3))
print("RESULT one_hot_shape", ",".join(map(str, dummy_y.shape)))

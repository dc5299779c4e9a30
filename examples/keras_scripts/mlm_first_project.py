"""Machine Learning Mastery, "Your First Deep Learning Project in Python with Keras
Step-by-Step": a 12-8-1 network, binary cross-entropy, training at batch 10, and rounded
predictions.

Source: https://machinelearningmastery.com/tutorial-first-neural-network-python-keras/
Changed: scikit-learn's breast-cancer data (30 features, standardised) in place of the Pima
Indians diabetes CSV (8 features; needs the network), so input_shape is (30,); 30 epochs
instead of 150; ``predictions[i][0]`` where NumPy 2 refuses to format a 1-element array with
%d; RESULT lines.
"""

from keras.layers import Dense, Input
from keras.models import Sequential
from sklearn.datasets import load_breast_cancer
from sklearn.preprocessing import StandardScaler

dataset = load_breast_cancer()
X = StandardScaler().fit_transform(dataset.data)
y = dataset.target

model = Sequential()
model.add(Input(shape=(30,)))
model.add(Dense(12, activation="relu"))
model.add(Dense(8, activation="relu"))
model.add(Dense(1, activation="sigmoid"))
model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
model.fit(X, y, epochs=30, batch_size=10, verbose=0)
_, accuracy = model.evaluate(X, y, verbose=0)
print("Accuracy: %.2f" % (accuracy * 100))

predictions = (model.predict(X) > 0.5).astype(int)
for i in range(5):
    print("%s => %d (expected %d)" % (X[i].tolist()[:3], predictions[i][0], y[i]))
print("RESULT train_accuracy", round(float(accuracy), 3))
print("RESULT predictions_agree", round(float((predictions.ravel() == y).mean()), 3))

"""Chapter 3.1 and 4: the convolutional network, from y = f(Wx + b) to the article's Keras CNN."""

import keras
from keras import layers


def build_article_cnn(input_shape=(28, 28, 1), num_classes=10):
    """The CNN of the article's section 4, layer for layer, as a Keras ``Sequential`` model.

    Conv(32, 3x3) -> MaxPool(2) -> Conv(64, 3x3) -> MaxPool(2) -> Conv(64, 3x3)
    -> Flatten -> Dense(64) -> Dense(10, softmax): 93,322 parameters on 28x28x1 input.
    The only change from the article: ``keras.Input`` replaces the deprecated
    ``input_shape=`` argument of the first layer (same model, no warning).
    """
    return keras.Sequential(
        [
            keras.Input(shape=input_shape),
            layers.Conv2D(32, (3, 3), activation="relu"),
            layers.MaxPooling2D((2, 2)),
            layers.Conv2D(64, (3, 3), activation="relu"),
            layers.MaxPooling2D((2, 2)),
            layers.Conv2D(64, (3, 3), activation="relu"),
            layers.Flatten(),
            layers.Dense(64, activation="relu"),
            layers.Dense(num_classes, activation="softmax"),
        ],
        name="article_cnn",
    )

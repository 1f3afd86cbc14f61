"""Chapter 5.3: the teacher and the student of knowledge distillation, and the teacher's recipe.

The teacher is a CNN of about a million parameters, the student one of a few thousand; both end
in logits (no softmax), which the distillation loss of :mod:`bigmodel_utils.distillation`
softens with a temperature. The teacher runs once over the training images (:func:`logits`), its
outputs stored for every student that learns from it.
"""

import keras
import numpy as np
from keras import layers

from bigmodel_utils import checks, training


def logits(model, x, batch_size=500):
    """A model's outputs on ``x`` in batches, as a NumPy array (the teacher runs once, offline)."""
    checks.keras_model(model, "model")
    x = checks.array(x, "x")
    checks.positive_int(batch_size, "batch_size")
    return np.concatenate(
        [
            np.asarray(model(x[i : i + batch_size], training=False))
            for i in range(0, len(x), batch_size)
        ]
    )


def build_teacher(input_shape=(28, 28, 1), num_classes=10, dense_units=320, dropout=0.3):
    """The teacher: a CNN of about one million parameters (most in one dense layer), logits out."""
    checks.int_tuple(input_shape, "input_shape", length=3)
    checks.positive_int(num_classes, "num_classes")
    checks.positive_int(dense_units, "dense_units")
    checks.finite_float(dropout, "dropout", low=0.0, high=1.0, high_open=True)
    return keras.Sequential(
        [
            keras.Input(shape=input_shape),
            layers.Conv2D(32, 3, padding="same", activation="relu"),
            layers.MaxPooling2D(2),
            layers.Conv2D(64, 3, padding="same", activation="relu"),
            layers.MaxPooling2D(2),
            layers.Flatten(),
            layers.Dropout(dropout),
            layers.Dense(dense_units, activation="relu"),
            layers.Dropout(dropout),
            layers.Dense(num_classes),
        ],
        name="teacher",
    )


def build_student(input_shape=(28, 28, 1), num_classes=10, filters=(8, 16)):
    """The student: two strided convolutions and a linear read-out (~7k parameters), logits out."""
    checks.int_tuple(input_shape, "input_shape", length=3)
    checks.positive_int(num_classes, "num_classes")
    checks.int_tuple(filters, "filters", length=2)
    return keras.Sequential(
        [
            keras.Input(shape=input_shape),
            layers.Conv2D(filters[0], 3, strides=2, activation="relu"),
            layers.Conv2D(filters[1], 3, strides=2, activation="relu"),
            layers.Flatten(),
            layers.Dense(num_classes),
        ],
        name="student",
    )


def train_teacher(teacher, x, y, epochs, batch_size=64, learning_rate=1e-3):
    """Fit the teacher on labels (cross-entropy on its logits); return seconds per epoch.

    :func:`bigmodel_utils.training.fit_classifier`, the recipe of chapter 5.1's variants: seconds
    per epoch are the median of the epochs after the first.
    """
    checks.keras_model(teacher, "teacher")
    return training.fit_classifier(
        teacher, x, y, epochs, batch_size, learning_rate, from_logits=True
    )

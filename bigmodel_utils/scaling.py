"""Chapter 2: one family of CNNs scaled in width, poor-quality data, memory and saliency.

The article claims that larger models perform, generalise and resist poor-quality data better,
at a cost in compute, time and interpretability. This module holds what every measurement of
the family needs: the family itself (:func:`build_scaled_cnn`), the damaged data
(:func:`add_noise`, :func:`occlude`, :func:`flip_labels`), training memory by count and on a
GPU, and where a model looks (:func:`saliency_maps`). :mod:`bigmodel_utils.sweep` trains and
measures the family; :mod:`bigmodel_utils.power_law` fits L(N) = a·N^(−α) + c to its test loss.
"""

import keras
import numpy as np

from bigmodel_utils import checks, cnn, size

ADAM_STATE_COPIES = 4  # weights, gradients and Adam's two moments, all float32
SALIENCY_IMAGES = 300  # test images whose saliency every run measures
NOISE_SIGMA = 0.5  # Gaussian pixel noise of the noisy test images (pixels in [0, 1])
CROSS_ENTROPY_EPSILON = 1e-7  # Keras clips probabilities to [ε, 1 − ε] before the logarithm
OBJECT_THRESHOLD = 0.1  # a pixel brighter than this belongs to the object (digit or garment)


def scaled_channels(width):
    """Channels of the three convolutions and units of the hidden dense layer at ``width``.

    Raises:
        TypeError: if ``width`` is not a number.
        ValueError: if ``width`` is not positive.
    """
    width = checks.positive_float(width, "width")
    return tuple(max(1, round(c * width)) for c in cnn.ARTICLE_CHANNELS)


def build_scaled_cnn(width=1.0, extra_layers=0, input_shape=(28, 28, 1), num_classes=10):
    """The article's CNN (section 4) with every layer ``width`` times as wide, uncompiled.

    :func:`bigmodel_utils.cnn.build_article_cnn` with :func:`scaled_channels`: ``width=1`` is
    the article's model (93,322 parameters); ``extra_layers`` adds that many 3x3 'same'
    convolutions before Flatten (deeper, same output size).

    Raises:
        TypeError, ValueError: bad ``width`` (see :func:`scaled_channels`) or ``extra_layers``.
    """
    return cnn.build_article_cnn(
        input_shape,
        num_classes,
        channels=scaled_channels(width),
        extra_layers=extra_layers,
        name=f"cnn_w{width:g}_d{extra_layers}",
    )


def add_noise(x, sigma, seed=0):
    """Images with Gaussian pixel noise of standard deviation ``sigma``, clipped to [0, 1].

    Per element, so ``x`` may have any shape (one image, a batch, ...); the result has its shape.
    """
    x = checks.array(x, "x")
    checks.non_negative_float(sigma, "sigma")
    checks.non_negative_int(seed, "seed")
    noise = np.random.default_rng(seed).normal(0.0, sigma, size=x.shape).astype(x.dtype)
    return np.clip(x + noise, 0.0, 1.0)


def occlude(x, patch, seed=0):
    """Images with one black ``patch`` x ``patch`` square at a random place in each.

    Raises:
        ValueError: if ``patch`` does not fit in the image.
    """
    x = checks.array(x, "x", 4)
    checks.positive_int(patch, "patch")
    checks.non_negative_int(seed, "seed")
    height, width = x.shape[1:3]
    if not 0 < patch <= min(height, width):
        raise ValueError(f"patch must be in 1..{min(height, width)}, got {patch}")
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, height - patch + 1, len(x))
    cols = rng.integers(0, width - patch + 1, len(x))
    covered = x.copy()
    for image, row, col in zip(covered, rows, cols):
        image[row : row + patch, col : col + patch] = 0.0
    return covered


def flip_labels(y, share, seed=0, num_classes=10):
    """Labels of which ``share`` (chosen at random) are replaced by a different random class.

    Poor-quality training data of the plainest kind: the images stay real, a share of their labels
    is wrong. Chapter 2 (robustness). Returns a new int64 array; ``y`` is not changed.

    Raises:
        ValueError: ``share`` outside [0, 1] or a label outside 0..num_classes-1.
    """
    share = checks.probability(share, "share")
    y = checks.labels(y, "y", num_classes)
    rng = np.random.default_rng(seed)
    flipped = y.astype(np.int64, copy=True)
    chosen = rng.choice(len(y), size=int(round(share * len(y))), replace=False)
    offsets = rng.integers(1, num_classes, size=len(chosen))  # never the same class again
    flipped[chosen] = (flipped[chosen] + offsets) % num_classes
    return flipped


def training_memory_estimate(model, batch_size):
    """Bytes a float32 Adam step needs by count: 4 copies of the weights (weights, gradients,
    two moments) plus every layer's output for one batch (kept for the backward pass)."""
    checks.keras_model(model, "model")
    checks.positive_int(batch_size, "batch_size")
    report = size.forward_flops(model, warn=False)
    activations = sum(
        int(np.prod(row["output_shape"])) for row in report.rows if row["output_shape"]
    )
    inputs = int(np.prod(model.inputs[0].shape[1:]))
    weights = size.count_parameters(model)["total"]
    return 4 * (ADAM_STATE_COPIES * weights + batch_size * (activations + inputs))


def gpu_peak_memory(reset=False):
    """Peak bytes TensorFlow allocated on the first GPU since the last reset (None on CPU)."""
    checks.boolean(reset, "reset")
    import tensorflow as tf

    if not tf.config.list_physical_devices("GPU"):
        return None
    if reset:
        tf.config.experimental.reset_memory_stats("GPU:0")
        return 0
    return tf.config.experimental.get_memory_info("GPU:0")["peak"]


def saliency_maps(model, images, labels):
    """|∂ s_y / ∂ x| per pixel, s_y the class score before the softmax (Simonyan et al., 2014).

    Needs a model whose last layer is a Dense softmax layer (as in the family above).
    Returns an array (n, height, width).
    """
    checks.keras_model(model, "model")
    images = checks.array(images, "images", 4)
    checks.matching(len(checks.labels(labels, "labels")), "len(labels)", len(images), "len(images)")
    import tensorflow as tf

    head = model.layers[-1]
    body = keras.Model(model.inputs, model.layers[-2].output)
    x = tf.convert_to_tensor(images, dtype=tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(x)
        scores = tf.matmul(body(x), head.kernel) + head.bias  # (n, classes), before softmax
        chosen = tf.gather(scores, np.asarray(labels), batch_dims=1)  # (n,)
    gradient = tape.gradient(chosen, x).numpy()
    return np.abs(gradient).max(axis=-1)  # (n, height, width)


def saliency_on_strokes(saliency, images, threshold=0.3):
    """Share of the saliency that falls on the object's own pixels (brighter than ``threshold``).

    For digits, their strokes; for Fashion-MNIST (``threshold=OBJECT_THRESHOLD``), the garment.
    """
    saliency, images = checks.array(saliency, "saliency", 3), checks.array(images, "images", 4)
    checks.shape(saliency, "saliency", images.shape[:3])
    checks.finite_float(threshold, "threshold")
    strokes = images[..., 0] > threshold  # (n, height, width)
    return float((saliency * strokes).sum() / saliency.sum())


def check_dataset(dataset):
    """Raise TypeError unless ``dataset`` has ``x_train``, ``y_train``, ``x_test``, ``y_test``."""
    for half in ("x_train", "y_train", "x_test", "y_test"):
        if not hasattr(dataset, half):
            kind = type(dataset).__name__
            raise TypeError(f"dataset must be a data split (MNIST or FashionMNIST), got {kind}")


def evaluation_images(dataset, noise_sigma=NOISE_SIGMA, occlusion_patch=10):
    """Every image a run of chapter 2 is measured on, stacked for one prediction pass.

    Returns ``(x, parts)``: ``x`` holds the training images, the test images, the noisy test
    images and the occluded test images, in that order; ``parts`` maps each of ``"train"``,
    ``"test"``, ``"noise"``, ``"occlusion"`` to ``(slice of x, true labels)``. The damaged test
    sets are fixed by seed 0, so every model sees the same ones.

    Raises:
        TypeError: ``dataset`` is not a data split.
        ValueError: bad ``noise_sigma`` or ``occlusion_patch``.
    """
    check_dataset(dataset)
    checks.non_negative_float(noise_sigma, "noise_sigma")
    checks.positive_int(occlusion_patch, "occlusion_patch")
    y_train, y_test = np.asarray(dataset.y_train), np.asarray(dataset.y_test)
    pieces = {
        "train": (dataset.x_train, y_train),
        "test": (dataset.x_test, y_test),
        "noise": (add_noise(dataset.x_test, noise_sigma), y_test),
        "occlusion": (occlude(dataset.x_test, occlusion_patch), y_test),
    }
    parts, start = {}, 0
    for name, (images, labels) in pieces.items():
        parts[name] = (slice(start, start + len(images)), labels)
        start += len(images)
    x = np.concatenate([images for images, _ in pieces.values()])  # (n_train + 3 n_test, h, w, 1)
    return x, parts


def loss_and_accuracy(probabilities, y):
    """Mean cross-entropy −log p_y (probabilities clipped as Keras does) and accuracy.

    The loss and accuracy ``model.evaluate`` reports for a softmax classifier compiled with
    ``sparse_categorical_crossentropy`` and ``accuracy``, from its predicted probabilities.
    """
    probabilities = checks.array(probabilities, "probabilities", 2)
    y = checks.labels(y, "y", probabilities.shape[1])
    checks.matching(len(y), "len(y)", len(probabilities), "len(probabilities)")
    chosen = probabilities[np.arange(len(y)), y]  # (n,)
    chosen = np.clip(chosen, CROSS_ENTROPY_EPSILON, 1 - CROSS_ENTROPY_EPSILON)
    accuracy = float(np.mean(probabilities.argmax(axis=1) == y))
    return float(-np.mean(np.log(chosen))), accuracy

"""Chapter 3.5: the CNN, two RNNs and the tiny ViT trained one way and measured side by side.

Every architecture is built by its own chapter's module (``cnn``, ``rnn``, ``vit``), trained with
the same recipe (:func:`train_and_measure`) on the same split, and measured the same way:
parameters, forward FLOPs per sample (:func:`bigmodel_utils.size.forward_flops`), seconds per
epoch and test accuracy.
"""

import numpy as np

from bigmodel_utils import checks, cnn, profile, rnn, size, training, transformer_layers, vit
from bigmodel_utils import statistics as stats

ARCHITECTURES = ("article CNN", "SimpleRNN", "LSTM", "tiny ViT")
_NAMES_ZH = {
    "article CNN": "原文的 CNN",
    "SimpleRNN": "SimpleRNN",
    "LSTM": "LSTM",
    "tiny ViT": "小型 ViT",
}
FULL_PROFILE_TARGETS = {
    "article CNN": 0.99,
    "LSTM": 0.98,
    "tiny ViT": 0.97,
}  # test accuracy, all of MNIST


def build(architecture, rnn_units=128, vit_config=None):
    """An uncompiled model and what it reads: ``"images"`` (N, 28, 28, 1) or ``"rows"`` (N, 28, 28).

    Raises:
        ValueError: for an ``architecture`` not in :data:`ARCHITECTURES`.
    """
    checks.one_of(architecture, "architecture", ARCHITECTURES)
    checks.positive_int(rnn_units, "rnn_units")
    if vit_config is not None:
        checks.mapping(vit_config, "vit_config")
    if architecture == "article CNN":
        return cnn.build_article_cnn(), "images"
    if architecture in ("SimpleRNN", "LSTM"):
        kind = "simple" if architecture == "SimpleRNN" else "lstm"
        return rnn.build_sequence_classifier(kind, units=rnn_units), "rows"
    if architecture == "tiny ViT":
        return vit.build_tiny_vit(**(vit_config or {})), "images"
    raise ValueError(f"architecture must be one of {ARCHITECTURES}, got {architecture!r}")


def model_inputs(reads, images):
    """``images`` (N, 28, 28, 1) as the model reads them: unchanged, or as 28 rows of 28 pixels."""
    checks.shape(checks.array(images, "images", ndim=4), "images", (None, None, None, 1))
    if reads not in ("images", "rows"):
        raise ValueError(f"reads must be 'images' or 'rows', got {reads!r}")
    return images if reads == "images" else images[..., 0]  # (N, 28, 28): 28 steps of 28 features


def residual_additions(model):
    """Additions of a ViT's residual connections per sample (``size`` counts only sublayers)."""
    checks.keras_model(model, "model")
    return sum(
        2 * int(np.prod(layer.output.shape[1:]))  # two residual sums per block
        for layer in model.layers
        if isinstance(layer, transformer_layers.EncoderBlock)
    )


def _compile(model, steps, learning_rate):
    """Compile ``model`` with the shared recipe; return its optimizer's variables, start values."""
    model.compile(
        optimizer=transformer_layers.warmup_cosine_adam(learning_rate, steps),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        steps_per_execution=8,
    )
    model.optimizer.build(model.trainable_variables)
    return [(variable, np.array(variable.numpy())) for variable in model.optimizer.variables]


def _measure(architecture, model, reads, mnist, epochs, batch_size, flops=None):
    """Fit the compiled ``model`` and return ``(row, history)`` (see :func:`train_and_measure`).

    ``flops``: the model's forward FLOPs per sample when already counted (they do not depend on
    the weights, so one count serves every seed).
    """
    x_train, x_test = model_inputs(reads, mnist.x_train), model_inputs(reads, mnist.x_test)
    run = training.fit_and_time(
        model, x_train, mnist.y_train, epochs=epochs, batch_size=batch_size, compiled=True
    )
    test_accuracy = training.accuracy(model, x_test, mnist.y_test, batch_size=len(x_test))
    if flops is None:
        flops = size.forward_flops(model, warn=False).total.total
    seconds = run.seconds_per_epoch
    row = {
        "architecture": architecture,
        "params": int(model.count_params()),
        "forward_flops": int(flops),
        "seconds_per_epoch": seconds,
        "first_epoch_seconds": run.first_epoch_seconds,
        "total_seconds": run.total_seconds,
        "test_accuracy": float(test_accuracy),
        "train_gflops_per_second": 3 * flops * len(x_train) / seconds / 1e9,
    }  # training ~ 3x forward
    return row, run.history


def train_and_measure(architecture, model, reads, mnist, epochs, batch_size, learning_rate):
    """Train ``model`` with the shared recipe and return one row of the comparison table.

    Recipe: Adam with linear warm-up and cosine decay
    (:func:`bigmodel_utils.transformer_layers.warmup_cosine_adam`),
    sparse categorical cross-entropy, ``epochs`` passes in batches of ``batch_size``.
    Seconds per epoch: the median over the epochs after the first (the first also traces the graph).

    Returns:
        ``(row, history)``: the row is a dict with ``architecture, params, forward_flops,
        seconds_per_epoch, first_epoch_seconds, test_accuracy, train_gflops_per_second``.
    """
    checks.string(architecture, "architecture")
    checks.keras_model(model, "model")
    checks.one_of(reads, "reads", ("images", "rows"))
    for part in ("x_train", "y_train", "x_test", "y_test"):
        if not hasattr(mnist, part):
            raise TypeError(f"mnist must be a data.MNIST split (with {part}), got {mnist!r:.60}")
    checks.positive_int(epochs, "epochs")
    checks.positive_int(batch_size, "batch_size")
    checks.positive_float(learning_rate, "learning_rate")
    steps = epochs * int(np.ceil(len(mnist.y_train) / batch_size))
    _compile(model, steps, learning_rate)
    return _measure(architecture, model, reads, mnist, epochs, batch_size)


def train_over_seeds(architecture, mnist, epochs, batch_size, learning_rate, seeds, **build_args):
    """One row per seed: ``architecture`` trained from that seed's weights with the shared recipe.

    The model is built and compiled once and its training step traced once; for every further
    seed a freshly built copy supplies that seed's initial weights and the optimizer (with its
    warm-up schedule) is reset to its start, so each run is the run a new model would make.

    Returns:
        a list of rows as :func:`train_and_measure` returns them, one per seed.
    """
    checks.one_of(architecture, "architecture", ARCHITECTURES)
    if not hasattr(mnist, "y_train"):
        raise TypeError(f"mnist must be a data.MNIST split, got {type(mnist).__name__}")
    checks.positive_int(epochs, "epochs")
    checks.positive_int(batch_size, "batch_size")
    checks.positive_float(learning_rate, "learning_rate")
    seeds = [checks.non_negative_int(seed, "seeds") for seed in checks.non_empty(seeds, "seeds")]
    steps = epochs * int(np.ceil(len(mnist.y_train) / batch_size))
    model, start, flops = None, None, None
    rows = []
    for seed in seeds:
        profile.set_seed(seed)
        fresh, reads = build(architecture, **build_args)
        if model is None:
            model = fresh
            start = _compile(model, steps, learning_rate)
            flops = size.forward_flops(model, warn=False).total.total  # the same for every seed
        else:
            model.set_weights(fresh.get_weights())
            for variable, value in start:
                variable.assign(value)
        profile.set_seed(seed)  # the same batch order as a new model's run
        rows.append(_measure(architecture, model, reads, mnist, epochs, batch_size, flops)[0])
    return rows


_RANKING = {
    "en": "Ranked by mean test accuracy: {order}{note}.",
    "zh": "按平均测试准确率排序：{order}{note}。",
}
_OVERLAP_NOTE = {
    "en": ", where ≈ joins models whose 95 % intervals overlap (their order is not settled at "
    "this size)",
    "zh": "，其中 ≈ 连接 95% 置信区间重叠的模型（其先后在此规模下尚无定论）",
}


def architecture_name(architecture, lang="en"):
    """The name of one of :data:`ARCHITECTURES` as the text of ``lang`` writes it."""
    checks.one_of(architecture, "architecture", ARCHITECTURES)
    checks.one_of(lang, "lang", stats.LANGUAGES)
    return architecture if lang == "en" else _NAMES_ZH[architecture]


def rank_groups(intervals):
    """Models in order of mean accuracy, grouped where their intervals leave the order open.

    ``intervals`` maps a name to a dict with ``mean``, ``low`` and ``high`` (from
    :func:`bigmodel_utils.statistics.seed_interval`). Walking down the means, a model joins the
    group above it when its interval overlaps the interval of any member of that group; a new group
    starts only where the order is settled. Returns a list of lists of names, best group first.
    """
    checks.mapping(intervals, "intervals")
    if not intervals:
        raise ValueError("intervals must hold at least one model")
    for name, interval in intervals.items():
        checks.mapping(interval, f"intervals[{name!r}]", required=("mean", "low", "high"))
    order = sorted(intervals, key=lambda name: -intervals[name]["mean"])
    groups = [[order[0]]]
    for name in order[1:]:
        if any(intervals[name]["high"] >= intervals[member]["low"] for member in groups[-1]):
            groups[-1].append(name)
        else:
            groups.append([name])
    return groups


def ranking_sentence(intervals, lang="en"):
    """The ranking as a sentence: "A > B ≈ C > D", ≈ where the intervals leave the order open.

    In Chinese the models of :data:`ARCHITECTURES` are named by :func:`architecture_name`.
    """
    checks.one_of(lang, "lang", stats.LANGUAGES)
    groups = rank_groups(intervals)
    names = (lambda name: name) if lang == "en" else (lambda name: _NAMES_ZH.get(name, name))
    order = " > ".join(" ≈ ".join(names(name) for name in group) for group in groups)
    note = _OVERLAP_NOTE[lang] if any(len(group) > 1 for group in groups) else ""
    return _RANKING[lang].format(order=order, note=note)


def order_clause(groups, lang="en"):
    """Whether the settled part of the ranking follows the inductive biases (CNN first, ViT last).

    ``groups`` comes from :func:`rank_groups`.
    """
    checks.one_of(lang, "lang", stats.LANGUAGES)
    checks.non_empty(groups, "groups")
    if groups[0] == ["article CNN"] and groups[-1] == ["tiny ViT"]:
        key = "follows"
    elif len(groups) == 1:
        key = "open"
    else:
        key = "partly"
    return _ORDER[key][lang]


_ORDER = {
    "follows": {
        "en": "The order follows the inductive biases more than the sizes.",
        "zh": "这一顺序更多地取决于归纳偏置，而不是模型大小。",
    },
    "partly": {
        "en": "Where it is settled, the order only partly follows the inductive biases.",
        "zh": "在已能确定的部分，这一顺序只部分地符合归纳偏置。",
    },
    "open": {
        "en": "At this size no model is settled ahead of another.",
        "zh": "在此规模下，没有哪个模型能确定地领先于其他模型。",
    },
}

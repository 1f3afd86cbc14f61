"""Chapter 5.2: the custom ``strategy.run`` training loop, for any ``tf.distribute`` strategy.

Keras 3 ``fit`` fails under ``MultiWorkerMirroredStrategy`` (keras-team/keras#20585), so the
multi-worker processes train with this loop; the chapter runs the same loop on one device
and on two in-process replicas to compare step times like for like.
"""

import time

import keras
import numpy as np
import tensorflow as tf

from bigmodel_utils import checks, cnn, statistics
from bigmodel_utils.distributed import _check_run, make_optimizer, per_replica_batch_size


def distribute_dataset(strategy, x, y, global_batch_size, seed=0):
    """An endless, shuffled, per-worker-sharded distributed dataset of ``(x, y)``.

    Each input pipeline (one per worker) keeps its own shard of the examples and batches
    them at the per-replica size, so the replicas together consume one global batch.
    """
    checks.instance(strategy, "strategy", tf.distribute.Strategy)
    checks.matching(len(checks.array(x, "x")), "len(x)", len(checks.labels(y, "y")), "len(y)")
    checks.non_negative_int(seed, "seed")
    checks.positive_int(global_batch_size, "global_batch_size")

    def dataset_fn(input_context):
        batch_size = input_context.get_per_replica_batch_size(global_batch_size)
        dataset = tf.data.Dataset.from_tensor_slices((x, y))
        dataset = dataset.shard(input_context.num_input_pipelines, input_context.input_pipeline_id)
        dataset = dataset.shuffle(len(x), seed=seed).repeat()
        return dataset.batch(batch_size, drop_remainder=True).prefetch(2)

    return strategy.distribute_datasets_from_function(dataset_fn)


def make_train_step(strategy, model, optimizer, global_batch_size):
    """A ``tf.function`` running one synchronous data-parallel step with ``strategy.run``.

    Chapter 5.2: each replica computes the loss of its slice divided by the *global*
    batch size, the optimizer all-reduces (sums) the gradients across replicas and every
    replica applies the same update. Works under ``MultiWorkerMirroredStrategy``, where
    Keras 3 ``fit`` does not (keras-team/keras#20585). Build ``model`` and ``optimizer``
    (``optimizer.build(model.trainable_variables)``) inside ``strategy.scope()`` first.

    Returns:
        ``train_step(iterator) -> (global_loss, local_loss)``: the mean loss of the whole
        global batch, and of the part of it this process saw.
    """
    checks.instance(strategy, "strategy", tf.distribute.Strategy)
    checks.keras_model(model, "model")
    checks.instance(optimizer, "optimizer", keras.optimizers.Optimizer)
    checks.positive_int(global_batch_size, "global_batch_size")
    loss_fn = keras.losses.SparseCategoricalCrossentropy(reduction=None)
    local_replicas = len(strategy.extended.worker_devices)
    workers = strategy.num_replicas_in_sync // local_replicas

    def replica_step(x, y):
        with tf.GradientTape() as tape:
            per_example = loss_fn(y, model(x, training=True))
            loss = tf.nn.compute_average_loss(per_example, global_batch_size=global_batch_size)
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        return loss

    @tf.function
    def train_step(iterator):
        losses = strategy.run(replica_step, args=next(iterator))
        global_loss = strategy.reduce(tf.distribute.ReduceOp.SUM, losses, axis=None)
        local_loss = tf.add_n(list(strategy.experimental_local_results(losses))) * workers
        return global_loss, local_loss

    return train_step


def build_for_custom_loop(strategy, optimizer="sgd", learning_rate=0.05, seed=0):
    """The article CNN and a built optimizer, both created inside ``strategy.scope()``."""
    checks.instance(strategy, "strategy", tf.distribute.Strategy)
    checks.one_of(optimizer, "optimizer", ("sgd", "adam"))
    checks.positive_float(learning_rate, "learning_rate")
    checks.non_negative_int(seed, "seed")
    keras.utils.set_random_seed(seed)
    with strategy.scope():
        model = cnn.build_article_cnn()
        built_optimizer = make_optimizer(optimizer, learning_rate)
        built_optimizer.build(model.trainable_variables)  # slots created under the strategy
    return model, built_optimizer


def train_custom_loop(
    strategy, x, y, steps, global_batch_size=64, optimizer="sgd", learning_rate=0.05, seed=0
):
    """Train the article CNN for ``steps`` steps of :func:`make_train_step`; time every step.

    Returns:
        Dict with ``model``, ``global_losses``, ``local_losses`` and ``step_seconds``
        (lists, one entry per step; the first step includes tracing the ``tf.function``).
    Raises:
        ValueError: if ``steps`` < 1 or ``global_batch_size`` is not divisible by the replicas.
    """
    _check_run(strategy, x, y, global_batch_size)
    checks.positive_int(steps, "steps")
    per_replica_batch_size(global_batch_size, strategy.num_replicas_in_sync)
    model, built_optimizer = build_for_custom_loop(strategy, optimizer, learning_rate, seed)
    train_step = make_train_step(strategy, model, built_optimizer, global_batch_size)
    iterator = iter(distribute_dataset(strategy, x, y, global_batch_size, seed))
    history = {"model": model, "global_losses": [], "local_losses": [], "step_seconds": []}
    for _ in range(steps):
        start = time.perf_counter()
        global_loss, local_loss = train_step(iterator)
        history["global_losses"].append(float(global_loss))  # float() waits for the step
        history["local_losses"].append(float(local_loss))
        history["step_seconds"].append(time.perf_counter() - start)
    return history


def compare_step_times(
    strategies, x, y, steps=30, global_batch_size=64, rounds=5, seed=0, per_round=False
):
    """Median seconds per training step of each strategy, measured in alternating rounds.

    Chapter 5.2: on a shared machine the load drifts, so the strategies take turns, ``rounds``
    times ``steps / rounds`` steps each, after one untimed step that traces the ``tf.function``.

    Args:
        strategies: ``{name: tf.distribute strategy}``.
        steps: timed steps per strategy (split over ``rounds``).
    Returns:
        ``{name: median seconds per step}``; with ``per_round=True``, ``{name: [median of each
        round]}``, paired samples for an interval of the ratio (chapter 5.2's verdict).
    Raises:
        ValueError: if ``strategies`` is empty or ``steps`` < ``rounds``.
    """
    checks.non_empty(checks.mapping(strategies, "strategies"), "strategies")
    checks.positive_int(steps, "steps")
    checks.positive_int(global_batch_size, "global_batch_size")
    checks.non_negative_int(seed, "seed")
    checks.boolean(per_round, "per_round")
    checks.positive_int(rounds, "rounds")
    if not strategies:
        raise ValueError("strategies must name at least one strategy")
    if steps < rounds:
        raise ValueError(f"steps must be >= rounds={rounds}, got {steps}")
    for name, strategy in strategies.items():
        checks.instance(strategy, f"strategies[{name!r}]", tf.distribute.Strategy)
    checks.array(x, "x", ndim=4)
    checks.matching(len(x), "len(x)", len(checks.labels(y, "y", num_classes=10)), "len(y)")
    runners, seconds = {}, {name: [] for name in strategies}
    for name, strategy in strategies.items():
        model, built_optimizer = build_for_custom_loop(strategy, seed=seed)
        train_step = make_train_step(strategy, model, built_optimizer, global_batch_size)
        iterator = iter(distribute_dataset(strategy, x, y, global_batch_size, seed))
        float(train_step(iterator)[0])  # trace and warm up, untimed
        runners[name] = (train_step, iterator)
    for _ in range(rounds):
        for name, (train_step, iterator) in runners.items():
            for _ in range(steps // rounds):
                start = time.perf_counter()
                float(train_step(iterator)[0])
                seconds[name].append(time.perf_counter() - start)
    if per_round:
        per = steps // rounds
        return {
            name: [float(np.median(values[i * per : (i + 1) * per])) for i in range(rounds)]
            for name, values in seconds.items()
        }
    return {name: float(np.median(values)) for name, values in seconds.items()}


# What follows the chapter's sentence "two views of the same two CPU cores ... no arithmetic
# capacity", by the speed-up's verdict.
_SHARED_CORES = {
    statistics.HOLDS: {
        "en": (
            "Two replicas were faster all the same, and what they add is concurrency. The CNN's "
            "operations form a chain, so one device runs them one after another, and the small "
            "products of a batch of 64 do not keep both cores busy all the time; two replicas "
            "run their chains side by side and fill the gaps. The gain comes from using the same "
            "cores better, not from more compute, and the cores' peak bounds it."
        ),
        "zh": (
            "尽管如此，两个副本还是更快，它们增加的是并发。CNN 的运算是一条链，单个设备只能一个接"
            "一个地执行，而 64 个样本的小矩阵乘法无法让两个核心始终忙碌；两个副本并排执行各自的"
            "运算链，填补了这些空闲。收益来自更好地利用同样的核心，而不是更多的算力，上限是这些"
            "核心的峰值。"
        ),
    },
    statistics.DOES_NOT_HOLD: {
        "en": (
            "What it adds is work: smaller matrix products that use the cores less efficiently, "
            "the summing of the gradients, and the synchronisation of the replicas at every step."
        ),
        "zh": (
            "它增加的只是工作：更小的矩阵乘法对核心的利用率更低，梯度需要求和，副本在每一步都要"
            "同步。"
        ),
    },
    statistics.NOT_SETTLED: {
        "en": (
            "It adds work (smaller matrix products, the summing of the gradients, a "
            "synchronisation at every step), and it can add concurrency (two replicas keep both "
            "cores busy where one device's small operations leave gaps); on this machine the "
            "rounds cannot tell the two effects apart."
        ),
        "zh": (
            "它会增加工作（更小的矩阵乘法、梯度求和、每一步的同步），也可能增加并发（单个设备的小"
            "运算让核心空闲时，两个副本能让两个核心都忙起来）；在这台机器上，这几轮计时无法区分这"
            "两种效应。"
        ),
    },
}


def shared_cores_reading(judgement):
    """What the timing of two replicas on one CPU's shared cores means, worded by its verdict.

    Chapter 5.2. ``judgement`` is the speed-up of two in-process replicas over one device
    (:func:`bigmodel_utils.verdicts.ratio_judgement`). The sentences continue the chapter's
    "two views of the same two CPU cores" and differ for a speed-up that holds, one that does not
    and one the rounds leave open. Returns ``{"en": ..., "zh": ...}``.
    """
    return statistics.worded(_SHARED_CORES, judgement)

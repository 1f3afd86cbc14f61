"""Chapter 5.2: data-parallel training with ``tf.distribute`` on whatever hardware is present.

One strategy factory (TPU, else all GPUs, else N logical CPU devices), helpers that show
how a global batch is split into per-replica batches, Keras ``fit`` under a strategy, and
the check that one step on N replicas equals one step on one device. The custom
``strategy.run`` loop lives in :mod:`bigmodel_utils.distributed_loop`, the multi-worker launcher
in :mod:`bigmodel_utils.multiworker`, the cost model on paper in
:mod:`bigmodel_utils.allreduce_cost`.
"""

import os

import keras
import numpy as np
import tensorflow as tf

from bigmodel_utils import checks, cnn, training

OPTIMIZERS = ("sgd", "adam")


def configure_logical_cpus(num_devices):
    """Split the CPU into ``num_devices`` logical devices, one per data-parallel replica.

    Chapter 5.2: lets one machine show N-replica data parallelism. TensorFlow accepts
    this only before its runtime starts, i.e. before the first TF op of the process.

    Args:
        num_devices: number of logical CPU devices wanted (>= 1).
    Returns:
        The names of the logical CPU devices, e.g. ``["/cpu:0", "/cpu:1"]``.
    Raises:
        ValueError: if ``num_devices`` < 1.
        RuntimeError: if TensorFlow already started with a different number of CPUs.
    """
    checks.positive_int(num_devices, "num_devices")
    cpu = tf.config.list_physical_devices("CPU")[0]  # listing devices starts no runtime
    try:
        if num_devices > 1 or tf.config.get_logical_device_configuration(cpu):
            config = [tf.config.LogicalDeviceConfiguration() for _ in range(num_devices)]
            tf.config.set_logical_device_configuration(cpu, config)
    except RuntimeError as error:  # the runtime already runs: accept only what we asked for
        have = len(tf.config.list_logical_devices("CPU"))
        if have != num_devices:
            raise RuntimeError(
                f"TensorFlow already started with {have} logical CPU device(s), so it cannot "
                f"be split into num_devices={num_devices} any more. Call "
                "distributed.make_strategy() (or configure_logical_cpus) first in the setup "
                "cell, before profile.banner() or any other TensorFlow op, then restart the "
                "kernel and run the notebook from the top."
            ) from error
    return [f"/cpu:{index}" for index in range(num_devices)]


def _tpu_resolver():
    """A TPU cluster resolver when a TPU is attached (Colab, Cloud TPU VM), else None."""
    try:
        if os.environ.get("COLAB_TPU_ADDR") or os.environ.get("TPU_NAME"):
            return tf.distribute.cluster_resolver.TPUClusterResolver()
        if tf.config.list_physical_devices("TPU"):
            return tf.distribute.cluster_resolver.TPUClusterResolver(tpu="local")
    except (ValueError, RuntimeError):
        return None
    return None


def make_strategy(num_cpu_replicas=2):
    """The data-parallel strategy for this machine: TPU, else all GPUs, else logical CPUs.

    Chapter 5.2. Also splits the CPU into ``num_cpu_replicas`` logical devices (for
    :func:`cpu_strategy`), so call it in the setup cell before any TensorFlow op.

    Args:
        num_cpu_replicas: logical CPU devices to create (used when there is no GPU/TPU).
    Returns:
        A ``tf.distribute.TPUStrategy`` or ``tf.distribute.MirroredStrategy``.
    Raises:
        ValueError: if ``num_cpu_replicas`` < 1.
        RuntimeError: if it is called after TensorFlow started (see
            :func:`configure_logical_cpus`).
    """
    checks.positive_int(num_cpu_replicas, "num_cpu_replicas")
    devices = configure_logical_cpus(num_cpu_replicas)
    tf.get_logger().setLevel("WARNING")  # in notebooks TF logs every strategy step at INFO
    resolver = _tpu_resolver()
    if resolver is not None:
        tf.config.experimental_connect_to_cluster(resolver)
        tf.tpu.experimental.initialize_tpu_system(resolver)
        return tf.distribute.TPUStrategy(resolver)
    if tf.config.list_physical_devices("GPU"):
        return tf.distribute.MirroredStrategy()  # every visible GPU
    return tf.distribute.MirroredStrategy(devices)


def cpu_strategy(num_replicas):
    """``MirroredStrategy`` over the first ``num_replicas`` logical CPUs (1 → one device).

    Raises:
        ValueError: if ``num_replicas`` < 1 or more than the logical CPUs configured.
    """
    checks.positive_int(num_replicas, "num_replicas")
    available = len(tf.config.list_logical_devices("CPU"))
    if num_replicas > available:
        raise ValueError(
            f"num_replicas={num_replicas} but only {available} logical CPU device(s) exist: "
            f"call make_strategy(num_cpu_replicas={num_replicas}) before any TensorFlow op"
        )
    if num_replicas == 1:
        return tf.distribute.OneDeviceStrategy("/cpu:0")
    return tf.distribute.MirroredStrategy([f"/cpu:{index}" for index in range(num_replicas)])


def describe_strategy(strategy):
    """One line: the strategy's class, its number of replicas and their devices."""
    checks.instance(strategy, "strategy", tf.distribute.Strategy)
    devices = getattr(strategy.extended, "worker_devices", ())
    names = ", ".join(device.split("/")[-1].lower() for device in devices)
    return f"{type(strategy).__name__}: {strategy.num_replicas_in_sync} replica(s) [{names}]"


def per_replica_batch_size(global_batch_size, num_replicas):
    """Examples each replica gets from one global batch: ``global_batch_size / num_replicas``.

    Chapter 5.2: synchronous data parallelism splits every global batch evenly.

    Raises:
        ValueError: if either is < 1 or ``global_batch_size`` is not divisible by ``num_replicas``.
    """
    checks.positive_int(global_batch_size, "global_batch_size")
    checks.positive_int(num_replicas, "num_replicas")
    if global_batch_size % num_replicas:
        raise ValueError(
            f"global_batch_size={global_batch_size} must be divisible by "
            f"num_replicas={num_replicas}"
        )
    return global_batch_size // num_replicas


def per_replica_batch_shapes(strategy, x, global_batch_size):
    """Shapes of the first batch of images ``x`` as the strategy hands it to each replica.

    Args:
        x: images ``(examples, height, width, channels)``, e.g. MNIST's ``(60000, 28, 28, 1)``.
    Returns:
        A list with one shape tuple per replica, e.g. ``[(32, 28, 28, 1), (32, 28, 28, 1)]``.
    """
    checks.instance(strategy, "strategy", tf.distribute.Strategy)
    checks.array(x, "x", ndim=4)  # (examples, height, width, channels)
    checks.positive_int(global_batch_size, "global_batch_size")
    dataset = tf.data.Dataset.from_tensor_slices(x).batch(global_batch_size)
    first = next(iter(strategy.experimental_distribute_dataset(dataset)))
    return [tuple(part.shape) for part in strategy.experimental_local_results(first)]


def make_optimizer(optimizer, learning_rate):
    """A fresh Keras optimizer, ``"sgd"`` or ``"adam"``, with the given learning rate.

    Raises:
        ValueError: if ``optimizer`` is unknown or ``learning_rate`` is not positive.
    """
    checks.one_of(optimizer, "optimizer", OPTIMIZERS)
    checks.positive_float(learning_rate, "learning_rate")
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {optimizer!r}")
    if not learning_rate > 0:
        raise ValueError(f"learning_rate must be > 0, got {learning_rate}")
    if optimizer == "sgd":
        return keras.optimizers.SGD(learning_rate=learning_rate)
    return keras.optimizers.Adam(learning_rate=learning_rate)


def _one_fit_step(strategy, initial_weights, x, y, optimizer, learning_rate):
    """Weights after one Keras ``fit`` step on the batch ``(x, y)`` under ``strategy``."""
    with strategy.scope():
        model = cnn.build_article_cnn()
        model.set_weights(initial_weights)
        model.compile(
            optimizer=make_optimizer(optimizer, learning_rate),
            loss="sparse_categorical_crossentropy",
        )
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(len(x))  # one global batch
    model.fit(dataset, epochs=1, shuffle=False, verbose=0)
    return model.get_weights()


def compare_one_step(x, y, num_replicas=2, optimizer="sgd", learning_rate=0.1, seed=0):
    """One ``fit`` step on ``num_replicas`` CPU replicas vs on one device, same start and batch.

    Chapter 5.2: synchronous data parallelism averages the replicas' gradients, which
    equals the gradient of the whole global batch, so both give the same weights up to
    float rounding.

    Args:
        x, y: one global batch (its length is the global batch size) for the article CNN.
        num_replicas: replicas of the data-parallel run (needs that many logical CPUs).
        optimizer, learning_rate: see :func:`make_optimizer`.
        seed: seed of the shared initial weights.
    Returns:
        Dict with ``max_abs_difference`` (max |ΔW| between the two runs), ``max_abs_update``
        (largest weight change of the step, for scale), ``num_replicas``,
        ``global_batch_size`` and ``per_replica_batch_size``.
    Raises:
        ValueError: if ``x`` and ``y`` differ in length or it is not divisible by ``num_replicas``.
    """
    checks.array(x, "x", ndim=4)
    checks.labels(y, "y", num_classes=10)
    checks.positive_int(num_replicas, "num_replicas")
    checks.one_of(optimizer, "optimizer", OPTIMIZERS)
    checks.positive_float(learning_rate, "learning_rate")
    checks.non_negative_int(seed, "seed")
    if len(x) != len(y):
        raise ValueError(f"x and y must have the same length, got {len(x)} and {len(y)}")
    per_replica = per_replica_batch_size(len(x), num_replicas)
    keras.utils.set_random_seed(seed)
    initial = cnn.build_article_cnn().get_weights()
    runs = [
        _one_fit_step(strategy, initial, x, y, optimizer, learning_rate)
        for strategy in (cpu_strategy(num_replicas), cpu_strategy(1))
    ]
    return {
        "max_abs_difference": max(float(np.max(np.abs(a - b))) for a, b in zip(*runs)),
        "max_abs_update": max(float(np.max(np.abs(a - b))) for a, b in zip(runs[1], initial)),
        "num_replicas": num_replicas,
        "global_batch_size": len(x),
        "per_replica_batch_size": per_replica,
    }


def _check_run(strategy, x, y, global_batch_size):
    """Raise unless a training run gets a strategy, MNIST-shaped images and labels, a batch size."""
    checks.instance(strategy, "strategy", tf.distribute.Strategy)
    checks.array(x, "x", ndim=4)
    checks.matching(len(x), "len(x)", len(checks.labels(y, "y", num_classes=10)), "len(y)")
    checks.positive_int(global_batch_size, "global_batch_size")


def fit_article_cnn(strategy, x, y, epochs, global_batch_size=128, validation_data=None, seed=0):
    """Build, compile (Adam) and ``fit`` the article CNN under ``strategy``; time every epoch.

    With :func:`bigmodel_utils.training.fit_and_time`, compiling in ``strategy.scope()``.

    Chapter 5.2: with ``MirroredStrategy`` the only change to single-device Keras code is
    building and compiling inside ``strategy.scope()``; ``fit`` splits each global batch.
    (One step per call: Keras 3.15's ``fit`` fails under ``MirroredStrategy`` with
    ``steps_per_execution`` > 1, "You must feed a value for placeholder tensor".)

    Returns:
        ``(model, history, epoch_seconds)``: the trained model, ``History.history`` and a
        list of seconds per epoch.
    Raises:
        ValueError: if ``epochs`` < 1 or ``global_batch_size`` is not divisible by the replicas.
    """
    _check_run(strategy, x, y, global_batch_size)
    if validation_data is not None and not (
        isinstance(validation_data, tuple) and len(validation_data) == 2
    ):
        raise TypeError("validation_data must be None or a pair (x_val, y_val)")
    checks.non_negative_int(seed, "seed")
    checks.positive_int(epochs, "epochs")
    per_replica_batch_size(global_batch_size, strategy.num_replicas_in_sync)
    keras.utils.set_random_seed(seed)
    with strategy.scope():
        model = cnn.build_article_cnn()
    run = training.fit_and_time(
        model,
        x,
        y,
        epochs=epochs,
        scope=strategy.scope(),
        batch_size=global_batch_size,
        validation_data=validation_data,
    )
    return model, run.history, run.epoch_seconds

"""Chapter 5.4 on paper: how many bytes training a model takes, and how many devices that fills.

Training keeps four things per parameter (the *model state*): the weights, their gradients, the
optimizer's state (Adam: two moments) and, in mixed precision, a float32 master copy of the
weights next to the 16-bit copy the arithmetic uses (Micikevicius et al. 2018; the accounting of
Rajbhandari et al. 2020). On top of that come the *activations*: what the forward pass must keep
for the backward pass, which grow with the batch, not with the parameters (Korthikanti et al.
2023). Pure Python and NumPy: :func:`count_training_state` reads a built Keras model and
optimizer, and only :func:`measured_peak_bytes` imports TensorFlow, when it is called.
"""

import math

import numpy as np

from bigmodel_utils import checks

PRECISIONS = ("float32", "mixed")
OPTIMIZERS = ("sgd", "momentum", "adam")
OPTIMIZER_STATES = {"sgd": 0, "momentum": 1, "adam": 2}  # float32 numbers kept per parameter
COMPONENTS = ("weights", "gradients", "optimizer_state", "master_copy")

# GPT-3 175B as Brown et al. (2020, Table 2.1) describe it.
GPT3 = {
    "num_params": 175e9,
    "num_layers": 96,
    "d_model": 12288,
    "num_heads": 96,
    "seq_len": 2048,
}


def state_bytes_per_parameter(precision="float32", optimizer="adam"):
    """Bytes of model state per parameter, component by component.

    Chapter 5.4, eq. (state): float32 keeps weights (4) + gradients (4) + optimizer state
    (4 per moment); mixed precision keeps 16-bit weights (2) and gradients (2), and in float32
    the master weights (4) and the optimizer state. With Adam both come to 16 bytes.

    Args:
        precision: ``"float32"`` or ``"mixed"`` (16-bit arithmetic, float32 master copy).
        optimizer: ``"sgd"`` (no state), ``"momentum"`` (one moment) or ``"adam"`` (two).
    Returns:
        dict with ``weights``, ``gradients``, ``optimizer_state``, ``master_copy`` and ``total``.
    Raises:
        ValueError: if ``precision`` or ``optimizer`` is unknown.
    """
    checks.one_of(precision, "precision", PRECISIONS)
    checks.one_of(optimizer, "optimizer", OPTIMIZERS)
    weight_bytes = 4 if precision == "float32" else 2
    parts = {
        "weights": weight_bytes,
        "gradients": weight_bytes,
        "optimizer_state": 4 * OPTIMIZER_STATES[optimizer],
        "master_copy": 0 if precision == "float32" else 4,
    }
    parts["total"] = sum(parts.values())
    return parts


def state_bytes(num_params, precision="float32", optimizer="adam"):
    """Bytes of model state for ``num_params`` parameters: ``num_params`` x eq. (state).

    Chapter 5.4. Raises ValueError/TypeError naming the argument on bad input.
    """
    num_params = checks.positive_float(num_params, "num_params")
    return num_params * state_bytes_per_parameter(precision, optimizer)["total"]


def mlp_activation_values(batch_size, seq_len, d_model, mlp_dim):
    """Numbers the backward pass of the MLP block ``gelu(x W1 + b1) W2 + b2`` reads.

    Chapter 5.4, eq. (mlp-activations): the input ``x`` (for dW1), the pre-activation
    ``x W1 + b1`` (for the GELU's derivative) and the hidden activation (for dW2):
    ``batch_size * seq_len * (d_model + 2 * mlp_dim)``. The minimum; an engine may keep more.

    Raises:
        TypeError/ValueError: naming the argument, unless each is an int >= 1.
    """
    batch_size = checks.positive_int(batch_size, "batch_size")
    seq_len = checks.positive_int(seq_len, "seq_len")
    d_model = checks.positive_int(d_model, "d_model")
    mlp_dim = checks.positive_int(mlp_dim, "mlp_dim")
    return batch_size * seq_len * (d_model + 2 * mlp_dim)


def layer_activation_bytes(batch_size, seq_len, d_model, num_heads, recompute=False):
    """Activation bytes one Transformer layer keeps for its backward pass, 16-bit arithmetic.

    Chapter 5.4, eq. (layer-activations), from Korthikanti et al. (2023): with attention,
    a 4 x d_model MLP, two LayerNorms and dropout masks, ``s b h (34 + 5 a s / h)`` bytes for
    sequence length ``s``, batch ``b``, width ``h`` and ``a`` heads. With full recomputation
    only the layer's input is kept, ``2 s b h`` bytes.

    Raises:
        TypeError/ValueError: naming the argument, unless each is an int >= 1.
    """
    s = checks.positive_int(seq_len, "seq_len")
    b = checks.positive_int(batch_size, "batch_size")
    h = checks.positive_int(d_model, "d_model")
    a = checks.positive_int(num_heads, "num_heads")
    if checks.boolean(recompute, "recompute"):
        return 2.0 * s * b * h
    return s * b * h * (34.0 + 5.0 * a * s / h)


def devices_needed(total_bytes, device_bytes):
    """The fewest devices of ``device_bytes`` each that can hold ``total_bytes``: a ceiling.

    Chapter 5.4: ``ceil(total_bytes / device_bytes)``, assuming a perfect split and nothing
    else on the device (a lower bound: real systems need room for buffers and fragments).

    Raises:
        TypeError/ValueError: naming the argument if a size is not a positive number.
    """
    total_bytes = checks.non_negative_float(total_bytes, "total_bytes")
    device_bytes = checks.positive_float(device_bytes, "device_bytes")
    return int(math.ceil(total_bytes / device_bytes))


def _nbytes(variable):
    """Bytes a Keras/TF variable holds: number of elements x bytes per element."""
    dtype = np.dtype(getattr(variable.dtype, "name", variable.dtype))
    return int(np.prod(tuple(variable.shape), dtype=np.int64)) * dtype.itemsize


def count_training_state(model, optimizer):
    """Bytes the model's variables and the optimizer's variables really hold, counted.

    Chapter 5.4: the measurement the formula :func:`state_bytes_per_parameter` is checked
    against. The optimizer must be built (``optimizer.build(model.trainable_variables)``).
    Scalars of the optimizer (its step counter, learning rate) are counted apart.

    Returns:
        dict with ``params`` (``model.count_params()``), ``weights`` (bytes of all model
        variables), ``optimizer_state`` (bytes of optimizer variables with more than one
        element or shaped like a weight), ``optimizer_scalars`` (the rest, in bytes) and
        ``weight_dtypes`` (the set of dtype names of the model's variables).
    Raises:
        TypeError: if ``model`` or ``optimizer`` lacks the Keras attributes used.
        ValueError: if the optimizer has not been built.
    """
    if not hasattr(model, "count_params") or not hasattr(model, "weights"):
        raise TypeError(f"model must be a built Keras model, got {type(model).__name__}")
    if not hasattr(optimizer, "variables"):
        raise TypeError(f"optimizer must be a Keras optimizer, got {type(optimizer).__name__}")
    if not optimizer.variables:
        raise ValueError("optimizer must be built: call optimizer.build(model.trainable_variables)")
    weight_shapes = {tuple(variable.shape) for variable in model.weights}
    state = scalars = 0
    for variable in optimizer.variables:
        shape = tuple(variable.shape)
        if shape in weight_shapes and shape != ():
            state += _nbytes(variable)
        else:
            scalars += _nbytes(variable)
    return {
        "params": int(model.count_params()),
        "weights": sum(_nbytes(variable) for variable in model.weights),
        "optimizer_state": state,
        "optimizer_scalars": scalars,
        "weight_dtypes": sorted({np.dtype(v.dtype).name for v in model.weights}),
    }


def state_table(num_params, device_bytes):
    """One row per recipe: bytes per parameter by component, the total and the devices needed.

    Chapter 5.4: eq. (state) for float32 and mixed precision with SGD and Adam, ready for
    ``pandas.DataFrame``; ``devices`` is :func:`devices_needed` for the model state alone.

    Raises:
        TypeError/ValueError: naming the argument on bad sizes.
    """
    num_params = checks.positive_float(num_params, "num_params")
    device_bytes = checks.positive_float(device_bytes, "device_bytes")
    rows = []
    for precision in PRECISIONS:
        for optimizer in ("sgd", "adam"):
            parts = state_bytes_per_parameter(precision, optimizer)
            total = num_params * parts["total"]
            rows.append(
                {
                    "precision": precision,
                    "optimizer": optimizer,
                    **{f"{name} (B/param)": parts[name] for name in COMPONENTS},
                    "total (B/param)": parts["total"],
                    "total (GB)": total / 1e9,
                    "devices": devices_needed(total, device_bytes),
                }
            )
    return rows


def measured_peak_bytes(run, device="GPU:0"):
    """Peak bytes TensorFlow's allocator on ``device`` reports while ``run()`` executes.

    Chapter 5.4: the measured side of the memory formulas, where a counter exists. Only GPU
    allocators keep one (on a CPU ``get_memory_info`` reports zeros), so without a GPU this
    returns ``None`` and runs nothing.

    Returns:
        ``None`` without a GPU, else dict with ``before`` (bytes in use before) and ``peak``.
    Raises:
        TypeError: if ``run`` is not callable.
    """
    checks.function(run, "run")
    import tensorflow as tf

    if not tf.config.list_physical_devices("GPU"):
        return None
    tf.config.experimental.reset_memory_stats(device)
    before = tf.config.experimental.get_memory_info(device)["current"]
    run()
    return {"before": before, "peak": tf.config.experimental.get_memory_info(device)["peak"]}


def cpu_counter(device="CPU:0"):
    """TensorFlow's memory counter of a CPU ``device`` (``{"current", "peak"}``), or ``None``.

    Chapter 5.4, without a GPU. Whether TensorFlow keeps a counter for a CPU at all depends on
    its allocator (in one process it reports zeros, in another it raises "Allocator stats not
    available"): ``None`` means there is no counter to read.

    Raises:
        TypeError: if ``device`` is not a string.
    """
    checks.instance(device, "device", str)
    import tensorflow as tf

    try:
        return tf.config.experimental.get_memory_info(device)
    except ValueError:  # this allocator keeps no statistics
        return None


def peak_sentence(peak, state_estimate, cpu_info=None):
    """The sentence on one training step's measured memory, in both languages (chapter 5.4).

    Args:
        peak: :func:`measured_peak_bytes`' result (``{"peak": bytes, ...}``), or ``None`` without
            a GPU.
        state_estimate: bytes of model state by eq. (state).
        cpu_info: without a GPU, :func:`cpu_counter`'s reading (``{"current", "peak"}``),
            which the sentence quotes, or ``None`` where the CPU keeps no counter.
    Returns:
        ``{"en": ..., "zh": ...}``.
    Raises:
        TypeError/ValueError: naming ``peak``, ``state_estimate`` or ``cpu_info``.
    """
    checks.non_negative_float(state_estimate, "state_estimate")
    if peak is None and cpu_info is None:
        return {
            "en": "This page was built without a GPU, and TensorFlow keeps no memory counter for "
            "this CPU, so no measurement is reported here. On a GPU the same cell prints the "
            "measured peak next to the formula.",
            "zh": "本页是在没有 GPU 的机器上构建的，而 TensorFlow 没有为这台 CPU 保留内存计数器，"
            "所以这里不报告测量值。在 GPU 上，同一个单元格会把测得的峰值与公式并列打印出来。",
        }
    if peak is None:
        checks.mapping(cpu_info, "cpu_info", required=("current", "peak"))
        current, most = int(cpu_info["current"]), int(cpu_info["peak"])
        return {
            "en": "This page was built without a GPU. The CPU's counter, read after a training "
            f"step, says {current:,} bytes in use (and a peak of {most:,}): it does not follow "
            "TensorFlow's CPU memory, so no measurement is reported here. On a GPU the same cell "
            "prints the measured peak next to the formula.",
            "zh": "本页是在没有 GPU 的机器上构建的。训练一步之后读取 CPU 的计数器，它显示正在使用 "
            f"{current:,} 字节（峰值 {most:,}）：它并不跟踪 TensorFlow 在 CPU 上的内存，"
            "所以这里不报告测量值。在 GPU 上，同一个单元格会把测得的峰值与公式并列打印出来。",
        }
    checks.mapping(peak, "peak", required=("peak",))
    measured, state = peak["peak"] / 1e6, state_estimate / 1e6
    return {
        "en": f"On this page's GPU one training step peaked at {measured:.1f} MB, against "
        f"{state:.1f} MB of model state by eq. (state): the rest is activations and the buffers "
        "of the step.",
        "zh": f"在本页的 GPU 上，一步训练的内存峰值为 {measured:.1f} MB，而按公式 (state) "
        f"计算的模型状态为 {state:.1f} MB：其余部分是激活值和这一步的缓冲区。",
    }

"""Chapter 5.4 on paper: what one step communicates under tensor and under data parallelism.

Tensor parallelism (:mod:`bigmodel_utils.tensor_parallel`) all-reduces activations, twice per
block and step, in proportion to the tokens of the step; data parallelism (chapter 5.2)
all-reduces every weight's gradient once per step, whatever the tokens. Both are ring
all-reduces, timed with chapter 5.2's cost model,
:func:`bigmodel_utils.allreduce_cost.ring_allreduce_seconds`. Pure NumPy: no TensorFlow.
"""

from bigmodel_utils import allreduce_cost, checks

BYTES_PER_VALUE = 4  # float32


def communication_per_step(batch_size, seq_len, d_model, mlp_dim, num_devices, links):
    """Bytes and seconds one step communicates: tensor vs data parallelism, same block, N devices.

    Chapter 5.4: tensor parallelism all-reduces two activations of ``batch*seq*d_model``
    numbers per block and step (``g`` forward, ``f`` backward); data parallelism all-reduces the
    block's gradient, ``2 d m + m + d`` numbers. Both as ring all-reduces timed with chapter
    5.2's :func:`bigmodel_utils.allreduce_cost.ring_allreduce_seconds`.

    Args: ``links`` is ``{name: {"bandwidth": bytes/s, "latency": s}}``.
    Raises: TypeError/ValueError naming the argument on bad sizes or links.
    Returns:
        A list of two dicts (``tensor parallel``, ``data parallel``) with the bytes all-reduced,
        the bytes each device sends, and milliseconds per link.
    """
    for name, value in (("batch_size", batch_size), ("seq_len", seq_len), ("d_model", d_model)):
        checks.positive_int(value, name)
    checks.positive_int(mlp_dim, "mlp_dim")
    N = checks.positive_int(num_devices, "num_devices")
    if not isinstance(links, dict) or not all(
        isinstance(spec, dict) and {"bandwidth", "latency"} <= set(spec) for spec in links.values()
    ):
        raise TypeError("links must be {name: {'bandwidth': bytes/s, 'latency': s}}")
    activation = batch_size * seq_len * d_model * BYTES_PER_VALUE
    gradient = (2 * d_model * mlp_dim + mlp_dim + d_model) * BYTES_PER_VALUE
    rows = []
    for scheme, calls, size in (("tensor parallel", 2, activation), ("data parallel", 1, gradient)):
        row = {
            "scheme": scheme,
            "all-reduces": calls,
            "bytes all-reduced": calls * size,
            # at 1 byte/s and no latency the ring's seconds are the bytes each device sends
            "bytes sent per device": calls
            * float(allreduce_cost.ring_allreduce_seconds(size, N, 1.0)),
        }
        for link, spec in links.items():
            seconds = allreduce_cost.ring_allreduce_seconds(
                size, N, spec["bandwidth"], spec["latency"]
            )
            row[f"{link} (ms)"] = 1000 * calls * float(seconds)
        rows.append(row)
    return rows


def tp_vs_dp_clause(tp_over_dp):
    """Which weighs more in one step of a block, in both languages: ``{"en": ..., "zh": ...}``.

    Chapter 5.4: ``tp_over_dp`` is the bytes tensor parallelism all-reduces (activations) over
    those data parallelism all-reduces (weights' gradients), from :func:`communication_per_step`.

    Raises:
        TypeError/ValueError: naming ``tp_over_dp`` if it is not a number > 0.
    """
    checks.positive_float(tp_over_dp, "tp_over_dp")
    if tp_over_dp > 1:
        return {
            "en": "the activations of its tokens weigh more than its weights",
            "zh": "它的词元的激活值比它的权重更重",
        }
    return {
        "en": "its weights weigh more than the activations of its tokens",
        "zh": "它的权重比它的词元的激活值更重",
    }

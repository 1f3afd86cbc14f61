"""Chapter 5.2 on paper: the cost of one step of synchronous data parallelism.

A step on ``N`` workers splits the global batch ``N`` ways (compute ``C / N``) and then
all-reduces the gradients. The ring all-reduce of ``M`` bytes needs ``2 (N - 1)`` messages
per worker, each carrying ``M / N`` bytes, so with bandwidth ``B`` and per-message latency
``alpha`` it takes ``2 (N - 1) / N * M / B + 2 (N - 1) alpha`` (Patarasuk and Yuan 2009,
used by Horovod). No overlap of communication with the backward pass is assumed, so the
model is pessimistic for systems that overlap them. Pure NumPy: no TensorFlow needed.
"""

import numpy as np

from bigmodel_utils import checks

SCALINGS = ("strong", "weak")


def _check(name, value, minimum=0.0, strict=True):
    array = checks.array(value, name, finite=False)  # a number, or numbers: not str, not None
    if array.dtype.kind == "b":
        raise TypeError(f"{name} must be a number or numbers, got a bool")
    array = array.astype(float)
    bad = array <= minimum if strict else array < minimum
    if array.size == 0 or np.any(bad) or not np.all(np.isfinite(array)):
        relation = ">" if strict else ">="
        raise ValueError(f"{name} must be finite and {relation} {minimum}, got {value!r}")
    return array


def _workers(num_workers):
    workers = _check("num_workers", num_workers, minimum=1, strict=False)
    if np.any(workers != np.round(workers)):
        raise ValueError(f"num_workers must be whole numbers >= 1, got {num_workers!r}")
    return workers


def ring_allreduce_seconds(num_bytes, num_workers, bandwidth, latency=0.0):
    """Time of a ring all-reduce of ``num_bytes`` over ``num_workers`` workers.

    Chapter 5.2: ``2 (N - 1) / N * num_bytes / bandwidth + 2 (N - 1) * latency``; zero for N = 1.

    Args:
        num_bytes: size of the gradients to sum (e.g. parameters x 4 for float32).
        num_workers: N (an int or an array of ints >= 1).
        bandwidth: bytes per second of each worker's link.
        latency: seconds per message (alpha).
    Returns:
        Seconds, a float or an array shaped like ``num_workers``.
    Raises:
        ValueError: if an argument is out of range; the message names it.
    """
    N = _workers(num_workers)
    num_bytes = _check("num_bytes", num_bytes, strict=False)
    bandwidth = _check("bandwidth", bandwidth)
    latency = _check("latency", latency, strict=False)
    return 2 * (N - 1) / N * num_bytes / bandwidth + 2 * (N - 1) * latency


def step_seconds(compute_seconds, num_bytes, num_workers, bandwidth, latency=0.0, scaling="strong"):
    """Predicted time of one synchronous data-parallel step on ``num_workers`` workers.

    Chapter 5.2: ``compute / N + ring all-reduce`` for a fixed global batch ("strong"), or
    ``compute + ring all-reduce`` when each worker keeps its batch and the global batch grows
    N-fold ("weak", as in Goyal et al. 2017).

    Args:
        compute_seconds: time of forward + backward of the (strong: global, weak: per-worker)
            batch on one worker.
        num_bytes, num_workers, bandwidth, latency: as :func:`ring_allreduce_seconds`.
        scaling: ``"strong"`` or ``"weak"``.
    Raises:
        ValueError: if an argument is out of range; the message names it.
    """
    if scaling not in SCALINGS:
        raise ValueError(f"scaling must be one of {SCALINGS}, got {scaling!r}")
    compute = _check("compute_seconds", compute_seconds)
    N = _workers(num_workers)
    communication = ring_allreduce_seconds(num_bytes, N, bandwidth, latency)
    return (compute / N if scaling == "strong" else compute) + communication


def speedup(compute_seconds, num_bytes, num_workers, bandwidth, latency=0.0, scaling="strong"):
    """Predicted speed-up (examples per second relative to one worker) on ``num_workers`` workers.

    Chapter 5.2: strong ``C / (C / N + T_allreduce)``, weak ``N C / (C + T_allreduce)``.
    Never above N; equal to N when communication is free; below 1 (a slow-down) once the
    all-reduce costs more than the compute it saves.

    Raises:
        ValueError: if an argument is out of range; the message names it.
    """
    N = _workers(num_workers)
    step = step_seconds(compute_seconds, num_bytes, N, bandwidth, latency, scaling)
    compute = np.asarray(compute_seconds, dtype=float)
    return compute / step if scaling == "strong" else N * compute / step


def compute_seconds(train_flops_per_sample, batch_size, flops_per_second):
    """Seconds for forward + backward of ``batch_size`` samples at a sustained FLOP rate.

    Chapter 5.2: ``train_flops_per_sample * batch_size / flops_per_second``; training costs
    about 3x the forward FLOPs (the backward pass is about twice the forward).

    Raises:
        ValueError: if an argument is not positive; the message names it.
    """
    flops = _check("train_flops_per_sample", train_flops_per_sample)
    batch = _check("batch_size", batch_size)
    rate = _check("flops_per_second", flops_per_second)
    return flops * batch / rate


def predicted_speedup(
    num_params,
    train_flops_per_sample,
    global_batch_size,
    num_workers,
    flops_per_second,
    bandwidth,
    latency=0.0,
    bytes_per_param=4,
):
    """Speed-up of a model on ``num_workers`` workers from its size and FLOPs (strong scaling).

    Chapter 5.2: float32 gradients (``bytes_per_param`` = 4) are all-reduced every step.

    Args:
        num_params: trainable parameters (the gradient has as many numbers).
        train_flops_per_sample: forward + backward FLOPs of one sample.
        global_batch_size: samples per step, split over the workers.
        num_workers: N (int or array).
        flops_per_second: sustained FLOP rate of one worker.
        bandwidth: bytes per second per worker link. latency: seconds per message.
    Returns:
        The speed-up, shaped like ``num_workers``.
    Raises:
        ValueError: if an argument is out of range; the message names it.
    """
    global_batch_size = _check("global_batch_size", global_batch_size)
    compute = compute_seconds(train_flops_per_sample, global_batch_size, flops_per_second)
    num_bytes = _check("num_params", num_params) * _check("bytes_per_param", bytes_per_param)
    return speedup(compute, num_bytes, num_workers, bandwidth, latency)


def _check_models_and_links(models, links):
    """Raise unless ``models`` and ``links`` are non-empty mappings with the fields needed."""
    for name, model in checks.non_empty(checks.mapping(models, "models"), "models").items():
        checks.mapping(
            model, f"models[{name!r}]", ("params", "train_flops_per_sample", "global_batch_size")
        )
    for name, link in checks.non_empty(checks.mapping(links, "links"), "links").items():
        checks.mapping(link, f"links[{name!r}]", ("bandwidth",))


def speedup_curves(models, links, num_workers, flops_per_second):
    """Predicted speed-up of several models over several links, for a plot or a table.

    Chapter 5.2: :func:`predicted_speedup` for every (link, model) pair.

    Args:
        models: ``{name: {"params", "train_flops_per_sample", "global_batch_size"}}``.
        links: ``{name: {"bandwidth", "latency"}}`` (bytes per second, seconds per message).
        num_workers: the N axis, a 1-D array of ints >= 1 (one curve's x values).
        flops_per_second: sustained FLOP rate of one worker.
    Returns:
        ``{link: {model: speed-up array shaped like num_workers}}``.
    Raises:
        ValueError: if a value is out of range or ``num_workers`` is not 1-D; the message names it.
    """
    _check_models_and_links(models, links)
    checks.array(num_workers, "num_workers", ndim=1)  # the N axis of every curve
    return {
        link: {
            name: predicted_speedup(
                model["params"],
                model["train_flops_per_sample"],
                model["global_batch_size"],
                num_workers,
                flops_per_second,
                spec["bandwidth"],
                spec["latency"],
            )
            for name, model in models.items()
        }
        for link, spec in links.items()
    }


def speedup_table(models, links, num_workers, flops_per_second, bytes_per_param=4):
    """One row per model: size, compute per step, and per link all-reduce time and speed-up.

    Chapter 5.2: the numbers behind :func:`speedup_curves` at one ``num_workers``.

    Args:
        models, links, flops_per_second: as :func:`speedup_curves`.
        num_workers: one N (an int >= 1).
    Returns:
        A list of dicts (ready for ``pandas.DataFrame``) with keys ``model``, ``parameters``,
        ``gradient (MB)``, ``training FLOPs per parameter per sample``, ``compute per step (ms)``,
        and ``<link>: all-reduce (ms)`` and ``<link>: speed-up`` for every link.
    Raises:
        ValueError: if a value is out of range; the message names it.
    """
    _check_models_and_links(models, links)
    rows = []
    for name, model in models.items():
        gradient_bytes = model["params"] * bytes_per_param
        compute = compute_seconds(
            model["train_flops_per_sample"], model["global_batch_size"], flops_per_second
        )
        row = {
            "model": name,
            "parameters": int(model["params"]),
            "gradient (MB)": gradient_bytes / 1e6,
            "training FLOPs per parameter per sample": model["train_flops_per_sample"]
            / model["params"],
            "compute per step (ms)": 1000 * float(compute),
        }
        for link, spec in links.items():
            communication = ring_allreduce_seconds(
                gradient_bytes, num_workers, spec["bandwidth"], spec["latency"]
            )
            row[f"{link}: all-reduce (ms)"] = 1000 * float(communication)
            row[f"{link}: speed-up"] = float(
                speedup(compute, gradient_bytes, num_workers, spec["bandwidth"], spec["latency"])
            )
        rows.append(row)
    return rows

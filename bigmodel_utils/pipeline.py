"""Chapter 5.4: pipeline parallelism by its cost model, checked by simulating the schedule.

A model cut into ``p`` stages, one per device, passes each mini-batch through the stages as
``m`` micro-batches. While the pipeline fills and drains, devices wait: GPipe's idle share, the
*bubble*, is ``(p - 1) / (m + p - 1)`` (Huang et al. 2019). :func:`simulate_schedule` plays the
schedule tick by tick (GPipe's, or the one-forward-one-backward order of Narayanan et al. 2021)
and measures the idle share and how many micro-batches each stage must keep in memory. NumPy
only: nothing is trained.
"""

import numpy as np

from bigmodel_utils import checks

SCHEDULES = ("gpipe", "1f1b")


def bubble_fraction(num_stages, num_microbatches):
    """GPipe's idle share of device time: ``(p - 1) / (m + p - 1)``.

    Chapter 5.4, eq. (bubble), Huang et al. (2019): every stage works ``m`` forward and ``m``
    backward slots of a step that lasts ``m + p - 1`` of each. Also the bubble of the 1F1B order.

    Args:
        num_stages: p, devices in the pipeline (an int >= 1).
        num_microbatches: m, micro-batches per mini-batch (an int >= 1).
    Raises:
        TypeError/ValueError: naming the argument unless it is an int >= 1.
    """
    p = checks.positive_int(num_stages, "num_stages")
    m = checks.positive_int(num_microbatches, "num_microbatches")
    return (p - 1) / (m + p - 1)


def stage_order(stage, num_stages, num_microbatches, schedule="gpipe"):
    """The order in which one stage runs its tasks: a list of ``("F" | "B", micro-batch)``.

    Chapter 5.4. GPipe: all forwards, then all backwards (last micro-batch first). 1F1B: a
    warm-up of ``p - stage - 1`` forwards, then one forward and one backward in turn, then the
    remaining backwards, so at most ``p - stage`` micro-batches wait for their backward.

    Raises:
        TypeError/ValueError: naming the argument on bad input.
    """
    p = checks.positive_int(num_stages, "num_stages")
    m = checks.positive_int(num_microbatches, "num_microbatches")
    checks.integer(stage, "stage", low=0, high=p - 1)
    checks.one_of(schedule, "schedule", SCHEDULES)
    if schedule == "gpipe":
        return [("F", j) for j in range(m)] + [("B", j) for j in reversed(range(m))]
    warmup = min(p - stage - 1, m)
    order = [("F", j) for j in range(warmup)]
    for j in range(m - warmup):
        order += [("F", warmup + j), ("B", j)]
    return order + [("B", j) for j in range(m - warmup, m)]


def _ready(kind, stage, micro, num_stages, done, now):
    """True when the task's inputs were finished before tick ``now``."""
    if kind == "F":
        return stage == 0 or done["F"][stage - 1, micro] <= now
    if done["F"][stage, micro] > now:
        return False
    return stage == num_stages - 1 or done["B"][stage + 1, micro] <= now


def simulate_schedule(
    num_stages, num_microbatches, forward_ticks=1, backward_ticks=2, schedule="gpipe"
):
    """Play a pipeline schedule tick by tick; measure the idle share and micro-batches in flight.

    Chapter 5.4: the check of eq. (bubble). A stage starts its next task (in
    :func:`stage_order`) as soon as the previous stage has finished that micro-batch's forward,
    or the next stage its backward; a forward lasts ``forward_ticks``, a backward
    ``backward_ticks`` (about twice the forward).

    Returns:
        dict with ``busy`` (a ``(stages, ticks)`` array: 1 forward, 2 backward, 0 idle),
        ``ticks`` (length of the step), ``bubble`` (idle share of all stage-ticks) and
        ``max_in_flight`` (per stage, most micro-batches forwarded and not yet backwarded).
    Raises:
        TypeError/ValueError: naming the argument on bad input.
    """
    p = checks.positive_int(num_stages, "num_stages")
    m = checks.positive_int(num_microbatches, "num_microbatches")
    durations = {
        "F": checks.positive_int(forward_ticks, "forward_ticks"),
        "B": checks.positive_int(backward_ticks, "backward_ticks"),
    }
    orders = [stage_order(s, p, m, schedule) for s in range(p)]
    never = np.iinfo(np.int64).max
    done = {"F": np.full((p, m), never), "B": np.full((p, m), never)}  # finishing tick
    horizon = (m + p) * (durations["F"] + durations["B"]) * 2
    busy = np.zeros((p, horizon), dtype=np.int8)  # (stages, ticks)
    position, free_at = [0] * p, [0] * p
    in_flight, max_in_flight = [0] * p, [0] * p
    for now in range(horizon):
        for s in range(p):
            if position[s] == len(orders[s]) or free_at[s] > now:
                continue
            kind, micro = orders[s][position[s]]
            if not _ready(kind, s, micro, p, done, now):
                continue
            end = now + durations[kind]
            done[kind][s, micro], free_at[s] = end, end
            busy[s, now:end] = 1 if kind == "F" else 2
            position[s] += 1
            in_flight[s] += 1 if kind == "F" else -1
            max_in_flight[s] = max(max_in_flight[s], in_flight[s])
        if all(position[s] == len(orders[s]) for s in range(p)) and max(free_at) <= now + 1:
            break
    ticks = int(max(free_at))
    busy = busy[:, :ticks]
    return {
        "busy": busy,
        "ticks": ticks,
        "bubble": float(1.0 - np.count_nonzero(busy) / busy.size),
        "max_in_flight": max_in_flight,
    }


def schedule_text(busy):
    """A simulated schedule as text, one line per stage: ``F`` forward, ``B`` backward, ``.`` idle.

    Chapter 5.4. ``busy`` is the ``(stages, ticks)`` array of :func:`simulate_schedule`.
    Raises ValueError naming ``busy`` unless it is a 2-D array of 0, 1 and 2.
    """
    busy = np.asarray(busy)
    if busy.ndim != 2 or not np.isin(busy, (0, 1, 2)).all():
        raise ValueError(f"busy must be a 2-D array of 0, 1 and 2, got shape {busy.shape}")
    symbols = np.array([".", "F", "B"])
    return "\n".join(f"stage {s}: " + "".join(symbols[row]) for s, row in enumerate(busy))


def bubble_table(stages, microbatches, schedule="gpipe"):
    """Formula and simulation side by side for every (stages, micro-batches) pair.

    Chapter 5.4. Returns a list of dicts with ``stages``, ``micro-batches``, ``bubble
    (formula)``, ``bubble (simulated)`` and ``most micro-batches kept`` (over stages).

    Raises:
        TypeError/ValueError: naming the argument on bad input.
    """
    rows = []
    for p in stages:
        for m in microbatches:
            simulated = simulate_schedule(p, m, schedule=schedule)
            rows.append(
                {
                    "stages": int(p),
                    "micro-batches": int(m),
                    "bubble (formula)": bubble_fraction(p, m),
                    "bubble (simulated)": simulated["bubble"],
                    "most micro-batches kept": max(simulated["max_in_flight"]),
                }
            )
    return rows

"""Distributed-training benchmarks (chapter 5.2): step times of 1 device, 2 replicas, 2 workers.

Run by ``benchmarks/run.py`` in a fresh process, which lets ``run`` split the CPU into two
logical devices before TensorFlow starts. All set-ups share this machine's cores, so on a
small CPU the two-replica and two-worker steps are expected to be no faster than one device.
"""

import time

from bigmodel_utils import data, distributed, distributed_loop, multiworker

# The chapter's quick recipe and its cost, processor seconds of one execution of the chapter
# (benchmarks/profile_chapters.py --run ch05_2_distributed --jobs 1, the worker processes
# included) on a loaded 2-core machine, before and after; the target is its share of the budget.
# What remains is mostly fixed: three Python processes import TensorFlow (the notebook and two
# workers) and five training functions are traced (fit, two one-step fits, two custom loops).
CHAPTER_COST = [
    ("5.2 chapter, quick: fit 2 -> 1 epoch, 60 -> 40 multi-worker steps", 50, 41, 30),
]


def chapter_cost_rows():
    """The recorded before/after processor seconds of the chapter (see ``CHAPTER_COST``)."""
    rows = []
    for name, before, after, target in CHAPTER_COST:
        rows.append({"benchmark": f"{name}: processor s before", "value": before, "unit": "s"})
        rows.append(
            {"benchmark": f"{name}: processor s after", "value": after, "unit": "s",
             "target": f"<= {target}"}
        )  # fmt: skip
    return rows


def run():
    """Rows: multi-worker step and wall time, in-process step times, one-step equality."""
    distributed.make_strategy(num_cpu_replicas=2)  # before any TensorFlow op
    mnist = data.load_mnist(train_size=4000, test_size=1000, verbose=False)
    rows = []
    check = distributed.compare_one_step(mnist.x_train[:64], mnist.y_train[:64], num_replicas=2)
    rows.append(
        {
            "benchmark": "distributed: max |dW|, 1 SGD step, 2 replicas vs 1 device",
            "value": check["max_abs_difference"],
            "unit": "",
            "target": "<= 1e-06",
        }
    )
    for global_batch_size in (64, 256):
        seconds = distributed_loop.compare_step_times(
            {"1 device": distributed.cpu_strategy(1), "2 replicas": distributed.cpu_strategy(2)},
            mnist.x_train,
            mnist.y_train,
            steps=30,
            global_batch_size=global_batch_size,
        )
        for name, value in seconds.items():
            rows.append(
                {
                    "benchmark": (
                        f"distributed: step time, {name}, global batch {global_batch_size}"
                    ),
                    "value": 1000 * value,
                    "unit": "ms",
                    "target": "",
                }
            )
    start = time.perf_counter()
    results = multiworker.launch_workers(
        mnist.x_train,
        mnist.y_train,
        num_workers=2,
        steps=60,
        global_batch_size=64,
        learning_rate=0.1,
        timeout=300,
    )
    wall = time.perf_counter() - start
    summary = multiworker.summarize_workers(results)
    rows += [
        {
            "benchmark": "distributed: step time, 2 worker processes, global batch 64",
            "value": 1000 * summary["median_step_seconds"],
            "unit": "ms",
            "target": "",
        },
        {
            "benchmark": "distributed: 2-worker run of 60 steps, launch to results",
            "value": wall,
            "unit": "s",
            "target": "<= 60 s",
        },
        {
            "benchmark": "distributed: max |dW| between the 2 workers' final weights",
            "value": summary["max_weight_difference"],
            "unit": "",
            "target": "<= 0",
        },
    ]
    return rows + chapter_cost_rows()


if __name__ == "__main__":
    for row in run():
        print(row)

"""Distributed-training benchmarks (chapter 5.2): step times of 1 device, 2 replicas, 2 workers.

Run by ``benchmarks/run.py`` in a fresh process, which lets ``run`` split the CPU into two
logical devices before TensorFlow starts. All set-ups share this machine's cores, so on a
small CPU the two-replica and two-worker steps are expected to be no faster than one device.
"""

import time

from bigmodel_utils import data, distributed, distributed_loop, multiworker


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
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)

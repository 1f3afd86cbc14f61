"""Tests of chapter 5.2: strategies on logical CPUs, the custom loop, the multi-worker launcher.

Logical CPU devices can only be configured before TensorFlow's first op, so every test that
trains runs in a fresh Python process (a subprocess, or the launcher's worker processes),
each with a time limit; the test process itself never starts TensorFlow's runtime.
"""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from fresh_process import SUBPROCESS_SECONDS, run_script

from bigmodel_utils import distributed, distributed_loop, multiworker

ONE_STEP_TOLERANCE = 1e-6  # max |dW| between 2 replicas and 1 device after one SGD step

TWO_REPLICA_SCRIPT = r"""
import json
import numpy as np
from bigmodel_utils import distributed, distributed_loop
distributed.make_strategy(num_cpu_replicas=2)    # before any TF op
rng = np.random.default_rng(0)
x = rng.random((64, 28, 28, 1), dtype=np.float32)
y = rng.integers(0, 10, 64)
out = {"one_step": distributed.compare_one_step(x, y, num_replicas=2, optimizer="sgd"),
       "shapes": distributed.per_replica_batch_shapes(distributed.cpu_strategy(2), x, 64)}
loops = [distributed_loop.train_custom_loop(distributed.cpu_strategy(n), x, y, steps=3,
                                       global_batch_size=64, seed=1) for n in (2, 1)]
out["loop_difference"] = max(float(np.max(np.abs(a - b))) for a, b in
                             zip(*(loop["model"].get_weights() for loop in loops)))
out["loop_losses"] = [loop["global_losses"] for loop in loops]
out["step_times"] = distributed_loop.compare_step_times(
    {"one": distributed.cpu_strategy(1), "two": distributed.cpu_strategy(2)},
    x, y, steps=2, rounds=2)
try:
    distributed.configure_logical_cpus(3)        # too late: TF has started with 2
    out["late_error"] = ""
except RuntimeError as error:
    out["late_error"] = str(error)
out["same_again"] = distributed.configure_logical_cpus(2)  # asking for what exists is fine
print("@@" + json.dumps(out))
"""


def learnable_digits(count=512, seed=0):
    """Images whose class is the row of a bright bar: quickly learnable, no download."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 10, count)
    x = 0.3 * rng.random((count, 28, 28, 1), dtype=np.float32)
    for image, label in zip(x, y):
        image[2 * label : 2 * label + 6, 4:24, 0] += 0.7
    return x, y


@pytest.fixture(scope="module")
def two_replica_run():
    return run_script(TWO_REPLICA_SCRIPT)


@pytest.mark.slow
def test_one_step_on_two_replicas_equals_one_device(two_replica_run):
    one_step = two_replica_run["one_step"]
    assert one_step["per_replica_batch_size"] == 32 and one_step["global_batch_size"] == 64
    assert one_step["max_abs_update"] > 1e-4  # the step really changed the weights
    assert one_step["max_abs_difference"] <= ONE_STEP_TOLERANCE


@pytest.mark.slow
def test_global_batch_is_split_across_replicas(two_replica_run):
    assert [tuple(shape) for shape in two_replica_run["shapes"]] == [(32, 28, 28, 1)] * 2


@pytest.mark.slow
def test_custom_loop_on_two_replicas_equals_one_device(two_replica_run):
    assert two_replica_run["loop_difference"] <= ONE_STEP_TOLERANCE * 10  # three steps
    np.testing.assert_allclose(*two_replica_run["loop_losses"], rtol=1e-5)


@pytest.mark.slow
def test_step_times_are_measured_for_every_strategy(two_replica_run):
    times = two_replica_run["step_times"]
    assert set(times) == {"one", "two"} and all(0 < value < 10 for value in times.values())


@pytest.mark.slow
def test_logical_cpus_too_late_raise_a_helpful_error(two_replica_run):
    message = two_replica_run["late_error"]
    assert "num_devices=3" in message and "before profile.banner()" in message
    assert two_replica_run["same_again"] == ["/cpu:0", "/cpu:1"]


@pytest.mark.slow
def test_two_workers_end_identical_and_learn():
    x, y = learnable_digits()
    results = multiworker.launch_workers(
        x,
        y,
        num_workers=2,
        steps=30,
        global_batch_size=64,
        learning_rate=0.05,
        timeout=SUBPROCESS_SECONDS,
    )
    summary = multiworker.summarize_workers(results)
    assert [result["num_replicas"] for result in results] == [2, 2]
    assert summary["max_weight_difference"] == 0.0  # same all-reduced update: bitwise equal
    assert summary["loss_fell"] and summary["last_loss"] < 0.9 * summary["first_loss"]
    assert results[0]["global_losses"] == results[1]["global_losses"]
    assert results[0]["local_losses"] != results[1]["local_losses"]  # different data shards


class RecordingPopen(subprocess.Popen):
    """``subprocess.Popen`` that remembers every process it started."""

    started = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        RecordingPopen.started.append(self)


@pytest.fixture
def recorded_processes(monkeypatch):
    RecordingPopen.started = []
    monkeypatch.setattr(multiworker.subprocess, "Popen", RecordingPopen)
    return RecordingPopen.started


def test_launcher_kills_every_worker_on_timeout(recorded_processes):
    x, y = learnable_digits(count=128)
    with pytest.raises(TimeoutError, match="timeout"):
        multiworker.launch_workers(x, y, timeout=0.5)  # TensorFlow cannot even import by then
    assert len(recorded_processes) == 2
    assert all(process.poll() is not None for process in recorded_processes)


def test_launcher_reports_a_failing_worker(recorded_processes, monkeypatch):
    monkeypatch.setattr(multiworker, "WORKER_MODULE", "bigmodel_utils.no_such_worker")
    x, y = learnable_digits(count=128)
    with pytest.raises(RuntimeError, match="worker . exited with code"):
        multiworker.launch_workers(x, y, timeout=60)
    assert all(process.poll() is not None for process in recorded_processes)


def test_free_ports_are_distinct_and_tf_config_names_the_task():
    ports = multiworker.free_ports(3)
    assert len(set(ports)) == 3 and all(1024 <= port < 65536 for port in ports)
    config = multiworker.make_tf_config(ports, 1)
    assert config["cluster"]["worker"][1] == f"127.0.0.1:{ports[1]}"
    assert config["task"] == {"type": "worker", "index": 1}
    json.dumps(config)  # TF_CONFIG is JSON


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: distributed.configure_logical_cpus(0), "num_devices"),
        (lambda: distributed.make_strategy(num_cpu_replicas=0), "num_cpu_replicas"),
        (lambda: distributed.per_replica_batch_size(65, 2), "global_batch_size"),
        (lambda: distributed.per_replica_batch_size(64, 0), "num_replicas"),
        (lambda: distributed.make_optimizer("rmsprop", 0.1), "optimizer"),
        (lambda: distributed.make_optimizer("sgd", 0), "learning_rate"),
        (lambda: distributed_loop.compare_step_times({}, None, None), "strategies"),
        (
            lambda: distributed_loop.compare_step_times(
                {"one": None}, None, None, steps=3, rounds=5
            ),
            "steps",
        ),
        (lambda: multiworker.free_ports(0), "count"),
        (lambda: multiworker.make_tf_config([1234, 1235], 2), "index"),
        (lambda: multiworker.launch_workers(*learnable_digits(128), num_workers=0), "num_workers"),
        (
            lambda: multiworker.launch_workers(*learnable_digits(128), global_batch_size=63),
            "global_batch_size",
        ),
        (lambda: multiworker.launch_workers(*learnable_digits(128), timeout=0), "timeout"),
        (lambda: multiworker.launch_workers(*learnable_digits(128), optimizer="lamb"), "optimizer"),
        (lambda: multiworker.summarize_workers([]), "results"),
    ],
)
def test_bad_input_raises_value_error_naming_the_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_per_replica_batch_size_divides_the_global_batch():
    assert distributed.per_replica_batch_size(64, 2) == 32
    assert distributed.per_replica_batch_size(64, 1) == 64


def test_worker_runs_as_a_module_from_an_installed_package():
    result = subprocess.run(
        [sys.executable, "-m", multiworker.WORKER_MODULE, "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=os.path.expanduser("~"),
    )
    assert result.returncode == 0 and "--output-dir" in result.stdout


@pytest.mark.parametrize("verdict", ["holds", "does not hold", "not settled"])
def test_the_shared_cores_paragraph_follows_the_verdict_in_both_languages(verdict):
    reading = distributed_loop.shared_cores_reading({"verdict": verdict})
    others = [
        distributed_loop.shared_cores_reading({"verdict": other})
        for other in ("holds", "does not hold", "not settled")
        if other != verdict
    ]
    assert set(reading) == {"en", "zh"} and all(reading[lang] for lang in reading)
    assert all(reading["en"] != other["en"] and reading["zh"] != other["zh"] for other in others)
    # glued as plain text: no Markdown that would show as literal asterisks
    assert "*" not in reading["en"] + reading["zh"]
    faster = "faster" in reading["en"]
    assert faster == (verdict == "holds")

"""Chapter 5.2: multi-worker data parallelism on one machine, one process per worker.

:func:`launch_workers` starts ``num_workers`` Python processes on 127.0.0.1, each with its
own ``TF_CONFIG`` (the whole cluster, plus which worker it is), running
``python -m bigmodel_utils.multiworker_worker`` under ``MultiWorkerMirroredStrategy``. On a
real cluster the same worker runs once per machine with that machine's ``TF_CONFIG``.
The launcher always cleans up: on success, error or timeout every worker's process group
is killed with SIGKILL (a worker waiting for a missing peer ignores SIGTERM) and the
temporary folder is removed.
"""

import json
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import numpy as np

from bigmodel_utils import checks

WORKER_MODULE = "bigmodel_utils.multiworker_worker"
LOCALHOST = "127.0.0.1"


def free_ports(count):
    """``count`` distinct free TCP ports on 127.0.0.1, found by binding to port 0.

    Raises:
        ValueError: if ``count`` < 1.
    """
    checks.positive_int(count, "count")
    sockets = []
    try:
        for _ in range(count):  # keep all open until the end, so the ports are distinct
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind((LOCALHOST, 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def make_tf_config(ports, index, host=LOCALHOST):
    """The ``TF_CONFIG`` dict of worker ``index`` in a cluster of workers at ``host:ports``.

    Raises:
        ValueError: if ``ports`` is empty or ``index`` is not a valid worker index.
    """
    if not ports:
        raise ValueError("ports must list one port per worker, got none")
    checks.integer(index, "index")
    if not 0 <= index < len(ports):
        raise ValueError(f"index must be in 0..{len(ports) - 1}, got {index}")
    workers = [f"{host}:{port}" for port in ports]
    return {"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}}


def _kill_group(process):
    """SIGKILL the worker's whole process group (it runs in its own session) and reap it."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    process.wait()


def _log_tail(path, lines=15):
    text = pathlib.Path(path).read_text(errors="replace").strip().splitlines()
    return "\n".join(text[-lines:])


def _wait_for(processes, folder, timeout):
    """Wait until every worker saved its result; raise as soon as one fails or time runs out."""
    deadline = time.monotonic() + timeout
    while True:
        codes = [process.poll() for process in processes]
        for index, code in enumerate(codes):
            if code not in (None, 0):
                raise RuntimeError(
                    f"worker {index} exited with code {code}; its last lines:\n"
                    + _log_tail(folder / f"worker_{index}.log")
                )
        finished = [
            code == 0 or (folder / f"worker_{index}.npz").exists()
            for index, code in enumerate(codes)
        ]
        if all(finished):  # every result is saved: no need to wait for TF's slow shutdown
            return
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"the workers did not finish within timeout={timeout} s; killed them"
            )
        time.sleep(0.1)


def _read_result(folder, index):
    with np.load(folder / f"worker_{index}.npz") as saved:
        count = sum(name.startswith("weight_") for name in saved.files)
        return {
            "index": index,
            "weights": [saved[f"weight_{position}"] for position in range(count)],
            "global_losses": saved["global_losses"].tolist(),
            "local_losses": saved["local_losses"].tolist(),
            "step_seconds": saved["step_seconds"].tolist(),
            "num_replicas": int(saved["num_replicas"]),
            "joined_seconds": float(saved["joined_seconds"]),
            "total_seconds": float(saved["total_seconds"]),
        }


def launch_workers(
    x,
    y,
    num_workers=2,
    steps=40,
    global_batch_size=64,
    optimizer="sgd",
    learning_rate=0.05,
    seed=0,
    timeout=180.0,
    threads_per_worker=None,
):
    """Train the article CNN with ``MultiWorkerMirroredStrategy`` in ``num_workers`` processes.

    Chapter 5.2: each worker reads the same data, keeps its own shard, and runs the custom
    ``strategy.run`` loop of :func:`bigmodel_utils.distributed_loop.make_train_step`.

    Args:
        x, y: training images ``(N, 28, 28, 1)`` and integer labels ``(N,)``.
        num_workers: worker processes to start (each is one replica).
        steps, global_batch_size, optimizer, learning_rate, seed: the training run.
        timeout: seconds before every worker is killed and ``TimeoutError`` is raised.
        threads_per_worker: TensorFlow threads per worker (default: cores / workers).
    Returns:
        One dict per worker: ``index``, ``weights`` (list of arrays), ``global_losses``,
        ``local_losses``, ``step_seconds`` (one per step), ``num_replicas``, and
        ``joined_seconds``/``total_seconds`` (from the worker's start to joining the
        cluster / to the end).
    Raises:
        ValueError: on a bad argument. RuntimeError: if a worker fails. TimeoutError.
    """
    checks.positive_int(num_workers, "num_workers")
    checks.positive_int(steps, "steps")
    checks.positive_int(global_batch_size, "global_batch_size")
    if global_batch_size % num_workers:
        raise ValueError(
            f"global_batch_size={global_batch_size} must be divisible by num_workers={num_workers}"
        )
    if len(x) != len(y) or len(x) < global_batch_size:
        raise ValueError(
            f"x and y must have the same length >= global_batch_size, got {len(x)} and {len(y)}"
        )
    if optimizer not in ("sgd", "adam"):
        raise ValueError(f"optimizer must be 'sgd' or 'adam', got {optimizer!r}")
    if not learning_rate > 0:
        raise ValueError(f"learning_rate must be > 0, got {learning_rate}")
    if not timeout > 0:
        raise ValueError(f"timeout must be > 0 seconds, got {timeout}")
    threads = threads_per_worker or max(1, (os.cpu_count() or 1) // num_workers)
    package_root = str(pathlib.Path(__file__).resolve().parent.parent)
    folder = pathlib.Path(tempfile.mkdtemp(prefix="multiworker_"))
    processes = []
    try:
        np.savez(folder / "data.npz", x=np.asarray(x, np.float32), y=np.asarray(y, np.int64))
        ports = free_ports(num_workers)
        for index in range(num_workers):
            env = dict(
                os.environ,
                TF_CONFIG=json.dumps(make_tf_config(ports, index)),
                CUDA_VISIBLE_DEVICES="",  # workers share the machine's CPU, not a GPU
                PYTHONPATH=os.pathsep.join([package_root, os.environ.get("PYTHONPATH", "")]),
            )
            command = [
                sys.executable,
                "-m",
                WORKER_MODULE,
                "--output-dir",
                str(folder),
                "--steps",
                str(steps),
                "--global-batch-size",
                str(global_batch_size),
                "--optimizer",
                optimizer,
                "--learning-rate",
                str(learning_rate),
                "--seed",
                str(seed),
                "--threads",
                str(threads),
            ]
            with open(folder / f"worker_{index}.log", "wb") as log:
                processes.append(
                    subprocess.Popen(
                        command,
                        env=env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )
        _wait_for(processes, folder, timeout)
        return [_read_result(folder, index) for index in range(num_workers)]
    finally:
        for process in processes:
            _kill_group(process)
        shutil.rmtree(folder, ignore_errors=True)


def summarize_workers(results):
    """Did the workers agree and learn? Max weight difference, losses and median step time.

    Returns:
        Dict with ``max_weight_difference`` (max |W_worker - W_worker0| over all weights),
        ``first_loss``/``last_loss`` (mean global loss of the first/last fifth of the steps),
        ``loss_fell`` and ``median_step_seconds`` (first step, which traces, left out).
    Raises:
        ValueError: if ``results`` is empty.
    """
    if not results:
        raise ValueError("results must hold at least one worker's result")
    reference = results[0]["weights"]
    difference = max(
        float(np.max(np.abs(a - b)))
        for result in results
        for a, b in zip(result["weights"], reference)
    )
    losses = np.asarray(results[0]["global_losses"])
    window = max(1, len(losses) // 5)
    first, last = float(losses[:window].mean()), float(losses[-window:].mean())
    step_seconds = [s for result in results for s in result["step_seconds"][1:]]
    return {
        "max_weight_difference": difference,
        "first_loss": first,
        "last_loss": last,
        "loss_fell": last < first,
        "median_step_seconds": float(np.median(step_seconds)) if step_seconds else float("nan"),
    }

"""One worker of a multi-worker run (chapter 5.2); started by ``multiworker.launch_workers``.

Run as ``python -m bigmodel_utils.multiworker_worker --output-dir DIR [options]`` with
``TF_CONFIG`` set. It reads ``DIR/data.npz`` (``x``, ``y``), trains the article CNN with
``MultiWorkerMirroredStrategy`` and a custom ``strategy.run`` loop, and writes its final
weights and per-step losses and times to ``DIR/worker_<index>.npz``. On a real cluster,
run the same command on every machine, each with its own ``TF_CONFIG``.
"""

import argparse
import json
import os
import time

import numpy as np

from bigmodel_utils import checks

STARTED = time.perf_counter()


class _PythonCallParser(argparse.ArgumentParser):
    """A parser that raises ValueError instead of printing the usage and exiting."""

    def error(self, message):
        raise ValueError(f"argv: {message}")


_POSITIVE = {"steps": checks.positive_int, "global_batch_size": checks.positive_int,
             "learning_rate": checks.positive_float, "seed": checks.non_negative_int,
             "threads": checks.non_negative_int}  # fmt: skip


def parse_args(argv=None):
    """The worker's command line (``argv``: its words, a list of str; ``None``: ``sys.argv``).

    A bad option (unknown, missing, not a number, a size below 1) is refused with a message
    naming it: on the command line argparse prints the usage and exits with status 2; called
    from Python with ``argv``, a ValueError (a TypeError if ``argv`` is not a list of str).
    """
    if argv is not None and (
        isinstance(argv, (str, bytes))
        or not isinstance(argv, (list, tuple))
        or not all(isinstance(word, str) for word in argv)
    ):
        raise TypeError(f"argv must be a list of str (command-line words), got {argv!r:.60}")
    kind = argparse.ArgumentParser if argv is None else _PythonCallParser
    parser = kind(description=__doc__.splitlines()[0])
    parser.add_argument("--output-dir", required=True, help="holds data.npz; results go here")
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--global-batch-size", type=int, default=64)
    parser.add_argument("--optimizer", choices=("sgd", "adam"), default="sgd")
    parser.add_argument("--learning-rate", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=0, help="TF threads (0: TF decides)")
    args = parser.parse_args(argv)
    for option, check in _POSITIVE.items():
        try:
            check(getattr(args, option), "--" + option.replace("_", "-"))
        except (TypeError, ValueError) as error:
            parser.error(str(error))
    if not os.path.isfile(os.path.join(args.output_dir, "data.npz")):
        parser.error(f"--output-dir must be a folder holding data.npz, got {args.output_dir!r}")
    return args


def main(argv=None):
    """Join the cluster named in ``TF_CONFIG``, train, save this worker's results."""
    args = parse_args(argv)
    if "TF_CONFIG" not in os.environ:
        raise ValueError("TF_CONFIG must be set: it names the cluster and this worker's index")
    import tensorflow as tf

    import bigmodel_utils  # noqa: F401  (selects the TensorFlow backend for Keras)

    if args.threads:
        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
        tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    # The strategy must exist before any other TF op: it starts this worker's gRPC server
    # and waits until every worker in TF_CONFIG has joined.
    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    joined_seconds = time.perf_counter() - STARTED
    from bigmodel_utils import distributed_loop

    with np.load(os.path.join(args.output_dir, "data.npz")) as data:
        x, y = data["x"], data["y"]
    history = distributed_loop.train_custom_loop(
        strategy,
        x,
        y,
        steps=args.steps,
        global_batch_size=args.global_batch_size,
        optimizer=args.optimizer,
        learning_rate=args.learning_rate,
        seed=args.seed,
    )
    index = json.loads(os.environ["TF_CONFIG"])["task"]["index"]
    weights = {f"weight_{position}": w for position, w in enumerate(history["model"].get_weights())}
    temporary = os.path.join(args.output_dir, f".worker_{index}.npz")
    np.savez(
        temporary,
        global_losses=history["global_losses"],
        local_losses=history["local_losses"],
        step_seconds=history["step_seconds"],
        num_replicas=strategy.num_replicas_in_sync,
        joined_seconds=joined_seconds,
        total_seconds=time.perf_counter() - STARTED,
        **weights,
    )
    os.replace(temporary, os.path.join(args.output_dir, f"worker_{index}.npz"))  # all or nothing


if __name__ == "__main__":
    main()

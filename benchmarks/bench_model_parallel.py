"""Model-parallel benchmarks (chapter 5.4): the split MLP block and recomputation, timed.

Run by ``benchmarks/run.py`` in a fresh process, which lets ``run`` split the CPU into two
logical devices before TensorFlow starts. Both "devices" share this machine's cores, so the
split block is expected to be no faster than the whole block on one device: what it buys is
memory per device, not speed. Recomputation should cost about one extra forward pass.
"""

import numpy as np

from bigmodel_utils import distributed

BATCH_SIZE, SEQ_LEN, D_MODEL, MLP_DIM = 16, 64, 128, 512


def run():
    """Rows: split vs unsplit step time, recompute overhead, split-block equality."""
    distributed.configure_logical_cpus(2)  # before any TensorFlow op
    import tensorflow as tf

    from bigmodel_utils import recompute
    from bigmodel_utils import tensor_parallel as tp

    weights = tp.init_mlp_weights(D_MODEL, MLP_DIM, seed=0)
    rng = np.random.default_rng(0)
    x = tf.constant(rng.normal(size=(BATCH_SIZE, SEQ_LEN, D_MODEL)).astype(np.float32))
    upstream = tf.constant(rng.normal(size=x.shape).astype(np.float32))
    strategy = distributed.cpu_strategy(2)
    split_step, _, _ = tp.make_split_step(strategy, weights)
    variables = [tf.Variable(weights[key]) for key in tp.WEIGHT_NAMES]

    def block(inputs):
        return tp.mlp_block(inputs, *variables)

    plain = recompute.make_gradient_step(block, variables)
    again = recompute.make_gradient_step(block, variables, recompute=True)

    def split(inputs, gradient):  # replica 0's output, in the form time_gradient_steps reads
        return [strategy.experimental_local_results(split_step(inputs, gradient)[0])[0]]

    # all three in turns, call by call, so that the machine's load hits each alike
    seconds = recompute.time_gradient_steps(
        {
            "unsplit, 1 device": plain,
            "split, 2 logical devices": split,
            "unsplit, recomputed": again,
        },
        x,
        upstream,
        repeats=20,
        calls=5,
    )
    ms = {name: 1000 * float(np.median(values)) for name, values in seconds.items()}
    ratio = {
        name: float(np.median(seconds[name] / seconds["unsplit, 1 device"]))
        for name in ("split, 2 logical devices", "unsplit, recomputed")
    }
    check = tp.compare_split_with_unsplit(strategy, weights, x, upstream)
    relative = max(check["max_abs_difference"][key] / check["scale"][key] for key in check["scale"])
    shape = f"batch {BATCH_SIZE} x {SEQ_LEN} tokens, d {D_MODEL}, mlp {MLP_DIM}"
    rows = [
        {
            "benchmark": f"model parallel: forward+backward of the MLP block, {name} ({shape})",
            "value": value,
            "unit": "ms",
            "target": "",
        }
        for name, value in ms.items()
    ]
    rows += [
        {
            "benchmark": "model parallel: split block / unsplit block, step time",
            "value": ratio["split, 2 logical devices"],
            "unit": "x",
            "target": "",
        },
        {
            "benchmark": "model parallel: recomputed / stored activations, step time",
            "value": ratio["unsplit, recomputed"],
            "unit": "x",
            "target": "<= 1.6",
        },
        {
            "benchmark": "model parallel: max |split - unsplit| / max |unsplit|, all gradients",
            "value": relative,
            "unit": "",
            "target": "<= 1e-05",
        },
    ]
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)

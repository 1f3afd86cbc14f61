"""Tests of chapter 5.4's tensor parallelism and activation recomputation.

The split block needs two logical CPU devices, which TensorFlow accepts only before its first op,
so those checks run in a fresh Python process (as chapter 5.2's tests do); the test process
itself only validates arguments and runs single-device code.
"""

import numpy as np
import pytest
import tensorflow as tf
from fresh_process import run_script

from bigmodel_utils import allreduce_cost, recompute
from bigmodel_utils import tensor_parallel as tp
from bigmodel_utils import tensor_parallel_cost as tp_cost

RELATIVE_TOLERANCE = 1e-5  # max |split - unsplit| / max |unsplit|, float32 rounding

SPLIT_SCRIPT = r"""
import json
import numpy as np
from bigmodel_utils import distributed
distributed.configure_logical_cpus(2)            # before any TF op
from bigmodel_utils import tensor_parallel as tp
B, T, d, m = 4, 8, 16, 64
rng = np.random.default_rng(3)
x = rng.normal(size=(B, T, d)).astype(np.float32)
upstream = rng.normal(size=(B, T, d)).astype(np.float32)
strategy = distributed.cpu_strategy(2)
result = tp.compare_split_with_unsplit(strategy, tp.init_mlp_weights(d, m), x, upstream)
result["log"] = [list(entry) for entry in result["log"]]
print("@@" + json.dumps(result))
"""


@pytest.fixture(scope="module")
def split_run():
    return run_script(SPLIT_SCRIPT)


@pytest.mark.slow
def test_split_block_equals_unsplit_forward_and_every_gradient(split_run):
    differences, scale = split_run["max_abs_difference"], split_run["scale"]
    assert set(differences) == {"y", "x", "W1", "b1", "W2", "b2"}
    for name, difference in differences.items():
        assert scale[name] > 0.1, name  # the quantity is not trivially zero
        assert difference <= RELATIVE_TOLERANCE * scale[name], (name, difference, scale[name])
    assert split_run["replicas_disagree_by"] <= 1e-6


@pytest.mark.slow
def test_each_device_holds_half_the_split_weights(split_run):
    d, m = 16, 64
    held = split_run["bytes_by_device"]
    assert sorted(held) == ["CPU:0", "CPU:1"]
    assert all(size == 4 * (d * m // 2 + m // 2 + m // 2 * d + d) for size in held.values())


@pytest.mark.slow
def test_one_all_reduce_forward_and_one_backward_of_the_activation(split_run):
    B, T, d = 4, 8, 16
    entries = [tuple(entry) for entry in split_run["log"]]
    for replica in (0, 1):
        mine = sorted(direction for who, direction, _ in entries if who == replica)
        assert mine == ["backward", "forward"]
    assert all(size == 4 * B * T * d for _, _, size in entries)


def test_split_weights_reassemble_the_whole_block():
    weights = tp.init_mlp_weights(6, 12, seed=1)
    shards = tp.split_mlp_weights(weights, 3)
    assert np.array_equal(np.concatenate([s["W1"] for s in shards], axis=1), weights["W1"])
    assert np.array_equal(np.concatenate([s["W2"] for s in shards], axis=0), weights["W2"])
    assert all(np.array_equal(s["b2"], weights["b2"]) for s in shards)
    x = np.random.default_rng(0).normal(size=(2, 5, 6)).astype(np.float32)
    parts = sum(
        tf.nn.gelu(x @ s["W1"] + s["b1"]) @ s["W2"] for s in shards
    )  # the all-reduce, by hand
    whole = tp.mlp_block(x, *(weights[k] for k in ("W1", "b1", "W2", "b2")))
    np.testing.assert_allclose(parts + weights["b2"], whole, rtol=1e-5, atol=1e-6)


def test_mlp_block_equals_two_keras_dense_layers_on_copied_weights():
    import keras

    weights = tp.init_mlp_weights(8, 32, seed=2)
    first = keras.layers.Dense(32, activation="gelu")
    second = keras.layers.Dense(8)
    x = np.random.default_rng(1).normal(size=(3, 4, 8)).astype(np.float32)
    first.build(x.shape)
    second.build((3, 4, 32))
    first.set_weights([weights["W1"], weights["b1"]])
    second.set_weights([weights["W2"], weights["b2"]])
    np.testing.assert_allclose(
        tp.mlp_block(x, *(weights[k] for k in ("W1", "b1", "W2", "b2"))),
        second(first(x)),
        rtol=1e-5,
        atol=1e-6,
    )


def _block_and_variables(d=8, m=32):
    weights = tp.init_mlp_weights(d, m, seed=0)
    variables = [tf.Variable(weights[k]) for k in ("W1", "b1", "W2", "b2")]
    return (lambda x: tp.mlp_block(x, *variables)), variables


def test_recompute_gives_the_same_gradients_and_keeps_only_the_input():
    block, variables = _block_and_variables()
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 4, 8)).astype(np.float32)
    upstream = rng.normal(size=(2, 4, 8)).astype(np.float32)
    plain = recompute.make_gradient_step(block, variables)(x, upstream)
    again = recompute.make_gradient_step(block, variables, recompute=True)(x, upstream)
    for a, b in zip(plain, again):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    kept = recompute.saved_activation_bytes(block, variables, x)
    checkpointed = recompute.saved_activation_bytes(block, variables, x, recompute=True)
    assert checkpointed["bytes"] == x.nbytes  # the block's input, nothing else
    assert kept["bytes"] >= 4 * 2 * 4 * (8 + 2 * 32)  # at least the formula's minimum
    assert kept["bytes"] > 5 * checkpointed["bytes"]


def test_timing_returns_one_number_per_round_for_every_step():
    block, variables = _block_and_variables()
    steps = {
        "plain": recompute.make_gradient_step(block, variables),
        "recompute": recompute.make_gradient_step(block, variables, recompute=True),
    }
    x = np.ones((2, 4, 8), np.float32)
    seconds = recompute.time_gradient_steps(steps, x, x, repeats=3, calls=2)
    assert set(seconds) == set(steps) and all(len(v) == 3 and v.min() > 0 for v in seconds.values())


def test_communication_reuses_the_ring_all_reduce_of_chapter_5_2():
    links = {"link": {"bandwidth": 1e9, "latency": 1e-5}}
    rows = tp_cost.communication_per_step(8, 128, 64, 256, 4, links)
    tensor, data = rows
    activation = 8 * 128 * 64 * 4
    assert tensor["bytes all-reduced"] == 2 * activation
    assert data["bytes all-reduced"] == 4 * (2 * 64 * 256 + 256 + 64)
    expected = 2 * 1000 * allreduce_cost.ring_allreduce_seconds(activation, 4, 1e9, 1e-5)
    assert tensor["link (ms)"] == pytest.approx(expected)
    assert tensor["bytes sent per device"] == pytest.approx(2 * 2 * 3 / 4 * activation)


LINKS = {"link": {"bandwidth": 1e9, "latency": 0.0}}
W = tp.init_mlp_weights(4, 8)
X = np.zeros((1, 2, 4), np.float32)
BLOCK, VARIABLES = None, None


def _plain_block(x):
    return x


BAD_CALLS = [
    (lambda: tp.init_mlp_weights(0, 8), ValueError, "d_model"),
    (lambda: tp.init_mlp_weights(4, 8.0), TypeError, "mlp_dim"),
    (lambda: tp.init_mlp_weights(4, 8, seed=-1), ValueError, "seed"),
    (lambda: tp.mlp_block(np.zeros((2, 4)), W["W1"], W["b1"], W["W2"], W["b2"]), ValueError, "x"),
    (
        lambda: tp.mlp_block(np.zeros((1, 2, 5)), W["W1"], W["b1"], W["W2"], W["b2"]),
        ValueError,
        "W1",
    ),
    (lambda: tp.mlp_block(X, W["W1"], W["b1"], W["W1"], W["b2"]), ValueError, "W2"),
    (lambda: tp.split_mlp_weights(W, 3), ValueError, "num_shards"),
    (lambda: tp.split_mlp_weights(W, 0), ValueError, "num_shards"),
    (lambda: tp.split_mlp_weights({"W1": W["W1"]}, 2), TypeError, "weights"),
    (lambda: tp.copy_in(X, []), TypeError, "log"),
    (lambda: tp.copy_in(None, tp.CommunicationLog()), TypeError, "x"),
    (lambda: tp.copy_in(X, None), TypeError, "log"),
    (lambda: tp.sum_out(X, {}), TypeError, "log"),
    (lambda: tp.sum_out("partial", tp.CommunicationLog()), TypeError, "partial"),
    (lambda: tp.sum_out(X, "log"), TypeError, "log"),
    (lambda: tp.split_mlp_block(X, {"W1": 1}, tp.CommunicationLog()), TypeError, "shard"),
    (lambda: tp.split_mlp_block(X, W, []), TypeError, "log"),
    (lambda: tp.split_mlp_block(np.zeros(4), W, tp.CommunicationLog()), ValueError, "x"),
    (lambda: tp.compare_split_with_unsplit("mirrored", W, X, X), TypeError, "strategy"),
    (
        lambda: tp.compare_split_with_unsplit(tf.distribute.get_strategy(), [], X, X),
        TypeError,
        "weights",
    ),
    (
        lambda: tp.compare_split_with_unsplit(tf.distribute.get_strategy(), W, X, X[:, :1]),
        ValueError,
        "x and upstream",
    ),
    (lambda: tp.make_split_step("mirrored", W), TypeError, "strategy"),
    (lambda: tp.make_split_step(None, W), TypeError, "strategy"),
    (lambda: tp.make_split_step(tf.distribute.get_strategy(), {"W1": 1}), TypeError, "weights"),
    (lambda: tp_cost.communication_per_step(0, 8, 4, 8, 2, LINKS), ValueError, "batch_size"),
    (lambda: tp_cost.communication_per_step(1, 8, 4, 8, 0, LINKS), ValueError, "num_devices"),
    (lambda: tp_cost.communication_per_step(1, 8, 4, 8, 2, {"x": 1e9}), TypeError, "links"),
    (lambda: recompute.make_gradient_step("block", []), TypeError, "block"),
    (lambda: recompute.make_gradient_step(_plain_block, [1.0]), TypeError, "variables"),
    (
        lambda: recompute.make_gradient_step(_plain_block, [], recompute="yes"),
        TypeError,
        "recompute",
    ),
    (lambda: recompute.saved_activation_bytes(_plain_block, [], None), ValueError, "x"),
    (lambda: recompute.saved_activation_bytes(None, [], X), TypeError, "block"),
    (lambda: recompute.saved_activation_bytes(_plain_block, "W", X), TypeError, "variables"),
    (lambda: recompute.time_gradient_steps({}, X, X), ValueError, "steps"),
    (lambda: recompute.time_gradient_steps({"a": None}, X, X, repeats=0), ValueError, "repeats"),
    (lambda: recompute.time_gradient_steps({"a": None}, X, X, calls=1.5), ValueError, "calls"),
]


@pytest.mark.parametrize("call, error, name", BAD_CALLS)
def test_bad_input_raises_naming_the_argument(call, error, name):
    with pytest.raises(error, match=name):
        call()


def test_tp_vs_dp_clause_follows_the_ratio_in_both_languages():
    more, less = (
        tp_cost.tp_vs_dp_clause(2.0),
        tp_cost.tp_vs_dp_clause(0.5),
    )
    assert more["en"].startswith("the activations") and less["en"].startswith("its weights")
    assert more["zh"] != less["zh"] and "激活值" in more["zh"]
    with pytest.raises(ValueError, match="tp_over_dp"):
        tp_cost.tp_vs_dp_clause(0.0)


def test_communication_log_checks_its_entries():
    log = tp.CommunicationLog([(0, "forward", 8), (1, "backward", 8)])
    assert log.bytes_per_replica(0) == 8 and len(tp.CommunicationLog()) == 0
    with pytest.raises(TypeError, match="entries"):
        tp.CommunicationLog("abc")
    with pytest.raises(ValueError, match="entries"):
        tp.CommunicationLog([(0, "up", 8)])


def test_tensor_parallel_reads_its_operators_and_log_from_one_place():
    from bigmodel_utils import tensor_parallel_ops

    for name in ("copy_in", "sum_out", "CommunicationLog"):
        assert getattr(tp, name) is getattr(tensor_parallel_ops, name)  # re-exported, not a copy

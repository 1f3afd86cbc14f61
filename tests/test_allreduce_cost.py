"""The cost model of chapter 5.2 on paper (bigmodel_utils.allreduce_cost): pure NumPy."""

import numpy as np
import pytest

from bigmodel_utils import allreduce_cost

WORKERS = np.arange(1, 65)


def test_ring_allreduce_matches_the_formula():
    seconds = allreduce_cost.ring_allreduce_seconds(4e8, 4, bandwidth=1e9, latency=1e-5)
    assert seconds == pytest.approx(2 * 3 / 4 * 0.4 + 6e-5)
    assert allreduce_cost.ring_allreduce_seconds(4e8, 1, bandwidth=1e9, latency=1.0) == 0.0
    # Bandwidth term tends to 2 M / B as N grows: ring all-reduce is bandwidth optimal.
    assert allreduce_cost.ring_allreduce_seconds(1e9, 10_000, 1e9) == pytest.approx(2.0, rel=1e-3)


def test_speedup_is_never_above_n_and_n_when_communication_is_free():
    for scaling in allreduce_cost.SCALINGS:
        costly = allreduce_cost.speedup(
            0.1, 4e8, WORKERS, bandwidth=1e9, latency=1e-4, scaling=scaling
        )
        assert np.all(costly <= WORKERS + 1e-12) and costly[0] == pytest.approx(1.0)
        free = allreduce_cost.speedup(0.1, 0.0, WORKERS, bandwidth=1e9, scaling=scaling)
        np.testing.assert_allclose(free, WORKERS)


def test_speedup_collapses_when_allreduce_dominates():
    slow_link = allreduce_cost.speedup(0.01, 4e8, WORKERS[1:], bandwidth=1e6)
    assert np.all(slow_link < 1.0)  # more workers are slower than one
    assert allreduce_cost.speedup(0.01, 4e8, 8, bandwidth=1e3) < 1e-4  # tends to 0, not to 1


def test_more_compute_per_byte_scales_better():
    small = allreduce_cost.predicted_speedup(
        1e5, 5e7, 256, 16, flops_per_second=1e13, bandwidth=1e9
    )
    large = allreduce_cost.predicted_speedup(
        1e8, 6e8 * 1024, 256, 16, flops_per_second=1e13, bandwidth=1e9
    )
    assert small < large <= 16


def test_speedup_table_agrees_with_the_curves():
    models = {
        "small": {"params": 1e5, "train_flops_per_sample": 2e7, "global_batch_size": 256},
        "large": {"params": 1e8, "train_flops_per_sample": 6e8 * 1024, "global_batch_size": 32},
    }
    links = {
        "slow": {"bandwidth": 1.25e9, "latency": 25e-6},
        "fast": {"bandwidth": 1.25e10, "latency": 2e-6},
    }
    curves = allreduce_cost.speedup_curves(models, links, np.array([8]), flops_per_second=1e13)
    for row in allreduce_cost.speedup_table(models, links, 8, flops_per_second=1e13):
        assert row["gradient (MB)"] == pytest.approx(4 * models[row["model"]]["params"] / 1e6)
        for link in links:
            assert row[f"{link}: speed-up"] == pytest.approx(float(curves[link][row["model"]][0]))


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: allreduce_cost.ring_allreduce_seconds(1e6, 0, 1e9), "num_workers"),
        (lambda: allreduce_cost.ring_allreduce_seconds(1e6, 2.5, 1e9), "num_workers"),
        (lambda: allreduce_cost.ring_allreduce_seconds(-1, 2, 1e9), "num_bytes"),
        (lambda: allreduce_cost.ring_allreduce_seconds(1e6, 2, 0), "bandwidth"),
        (lambda: allreduce_cost.ring_allreduce_seconds(1e6, 2, 1e9, latency=-1), "latency"),
        (lambda: allreduce_cost.speedup(0, 1e6, 2, 1e9), "compute_seconds"),
        (lambda: allreduce_cost.speedup(1, 1e6, 2, 1e9, scaling="linear"), "scaling"),
        (lambda: allreduce_cost.compute_seconds(1e6, 0, 1e12), "batch_size"),
        (lambda: allreduce_cost.predicted_speedup(-5, 1e6, 32, 4, 1e12, 1e9), "num_params"),
    ],
)
def test_bad_input_raises_value_error_naming_the_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()

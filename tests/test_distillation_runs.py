"""Chapter 5.3: students trained with one shared traced step end as they would alone."""

import numpy as np
import pytest

from bigmodel_utils import distillation, distillation_runs
from bigmodel_utils.distillation_runs import Run


def _data(n=48, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((n, 28, 28, 1)).astype(np.float32)
    t = (3 * rng.standard_normal((n, 10))).astype(np.float32)
    return x, np.arange(n) % 10, t


def _assert_same_weights(a, b, atol=1e-5):
    for wa, wb in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_allclose(wa, wb, atol=atol)


@pytest.mark.slow
def test_shared_step_trains_each_student_as_the_distiller_trains_it_alone():
    x, y, t = _data()
    runs = [Run(0), Run(0, 0.1, 4.0), Run(1, 0.5, 2.0)]
    together, _ = distillation_runs.train_students(x, y, t, runs, epochs=2, batch_size=16)
    for run, student in zip(runs, together):
        targets = {} if run.alpha == 1.0 else {"t": t, "alpha": run.alpha, "T": run.T}
        alone, _ = distillation.train_student(
            x, y, seed=run.seed, epochs=2, batch_size=16, **targets
        )
        _assert_same_weights(student, alone)
    # same seed, same start and batches: the scratch and distilled students differ by their loss
    assert any(
        not np.allclose(a, b)
        for a, b in zip(together[0].get_weights(), together[1].get_weights(), strict=True)
    )


@pytest.mark.slow
def test_scratch_students_need_no_teacher_logits_and_seeds_differ():
    x, y, _ = _data(n=32)
    students, seconds = distillation_runs.train_students(
        x, y, None, [Run(0), Run(1)], epochs=2, batch_size=16
    )
    assert len(seconds) == len(students) == 2 and min(seconds) > 0
    assert any(
        not np.allclose(a, b)
        for a, b in zip(students[0].get_weights(), students[1].get_weights(), strict=True)
    )


def test_runs_and_teacher_logits_are_checked():
    x, y, t = _data(n=8)
    with pytest.raises(ValueError, match="t "):
        distillation_runs.train_students(x, y, None, [Run(0, 0.5, 2.0)], epochs=1)
    with pytest.raises(TypeError, match="runs"):
        distillation_runs.train_students(x, y, t, [], epochs=1)
    with pytest.raises(TypeError, match="runs"):
        distillation_runs.train_students(x, y, t, [(0, 1.0, 1.0)], epochs=1)
    with pytest.raises(ValueError, match="len"):
        distillation_runs.train_students(x, y, t[:4], [Run(0)], epochs=1)
    with pytest.raises(ValueError, match="alpha"):
        Run(0, 1.5)
    with pytest.raises(ValueError, match="seed"):
        Run(-1)


@pytest.mark.slow
def test_offline_epoch_cost_times_paired_rounds_of_both_students():
    x, y, t = _data()
    cost = distillation_runs.offline_epoch_cost(x, y, t, 0.1, 20.0, rounds=3, batch_size=16)
    assert set(cost) == {"scratch", "distilled", "ratios"}
    assert all(len(cost[key]) == 3 for key in cost)
    assert all(s > 0 for s in cost["scratch"] + cost["distilled"])
    np.testing.assert_allclose(
        cost["ratios"], np.array(cost["distilled"]) / np.array(cost["scratch"])
    )


@pytest.mark.parametrize(
    "change, error",
    [
        ({"rounds": 1}, ValueError),  # one round has no spread: no interval
        ({"rounds": 2.0}, TypeError),
        ({"alpha": 1.5}, ValueError),
        ({"t": np.zeros((3, 10))}, ValueError),  # not one row per image
    ],
)
def test_offline_epoch_cost_checks_its_arguments(change, error):
    x, y, t = _data()
    arguments = {"x": x, "y": y, "t": t, "alpha": 0.1, "T": 20.0, "rounds": 3, **change}
    with pytest.raises(error):
        distillation_runs.offline_epoch_cost(**arguments)

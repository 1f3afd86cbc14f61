"""Tests of chapter 5.4's pipeline cost model: the bubble formula against the simulated schedule."""

import numpy as np
import pytest

from bigmodel_utils import pipeline


@pytest.mark.parametrize("schedule", pipeline.SCHEDULES)
@pytest.mark.parametrize("stages", [1, 2, 3, 4, 8])
@pytest.mark.parametrize("microbatches", [1, 2, 5, 8, 32])
def test_simulated_bubble_equals_the_formula(stages, microbatches, schedule):
    simulated = pipeline.simulate_schedule(stages, microbatches, schedule=schedule)
    assert simulated["bubble"] == pytest.approx(pipeline.bubble_fraction(stages, microbatches))
    assert simulated["ticks"] == 3 * (microbatches + stages - 1)


@pytest.mark.parametrize("forward, backward", [(1, 1), (2, 3), (1, 4)])
def test_bubble_does_not_depend_on_the_task_lengths(forward, backward):
    simulated = pipeline.simulate_schedule(4, 6, forward_ticks=forward, backward_ticks=backward)
    assert simulated["bubble"] == pytest.approx(3 / 9)


def test_every_stage_does_every_task_exactly_once():
    busy = pipeline.simulate_schedule(3, 4)["busy"]
    assert busy.shape[0] == 3
    assert all(np.count_nonzero(row == 1) == 4 and np.count_nonzero(row == 2) == 8 for row in busy)


def test_gpipe_keeps_every_micro_batch_while_1f1b_keeps_at_most_the_stages():
    gpipe = pipeline.simulate_schedule(4, 16, schedule="gpipe")["max_in_flight"]
    one_f_one_b = pipeline.simulate_schedule(4, 16, schedule="1f1b")["max_in_flight"]
    assert gpipe == [16, 16, 16, 16]
    assert one_f_one_b == [4, 3, 2, 1]


def test_more_micro_batches_shrink_the_bubble_towards_zero():
    bubbles = [pipeline.bubble_fraction(8, m) for m in (1, 4, 16, 64, 256)]
    assert bubbles == sorted(bubbles, reverse=True) and bubbles[0] == pytest.approx(7 / 8)
    assert bubbles[-1] < 0.03


def test_stage_orders_hold_every_forward_and_backward():
    for schedule in pipeline.SCHEDULES:
        for stage in range(4):
            order = pipeline.stage_order(stage, 4, 6, schedule)
            assert sorted(order) == sorted(
                [("F", j) for j in range(6)] + [("B", j) for j in range(6)]
            )


def test_bubble_table_agrees_with_itself():
    rows = pipeline.bubble_table([2, 4], [1, 8])
    assert len(rows) == 4
    assert all(row["bubble (formula)"] == pytest.approx(row["bubble (simulated)"]) for row in rows)


def test_schedule_text_draws_one_line_per_stage():
    text = pipeline.schedule_text(pipeline.simulate_schedule(2, 1)["busy"])
    assert text == "stage 0: F...BB\nstage 1: .FBB.."


BAD_CALLS = [
    (lambda: pipeline.schedule_text([1, 2]), ValueError, "busy"),
    (lambda: pipeline.schedule_text([[3]]), ValueError, "busy"),
    (lambda: pipeline.schedule_text("FB"), ValueError, "busy"),
    (lambda: pipeline.bubble_fraction(0, 4), ValueError, "num_stages"),
    (lambda: pipeline.bubble_fraction(2.0, 4), TypeError, "num_stages"),
    (lambda: pipeline.bubble_fraction(2, -1), ValueError, "num_microbatches"),
    (lambda: pipeline.stage_order(4, 4, 2), ValueError, "stage"),
    (lambda: pipeline.stage_order(0, 4, 2, schedule="interleaved"), ValueError, "schedule"),
    (lambda: pipeline.stage_order(0, 4, None), TypeError, "num_microbatches"),
    (lambda: pipeline.simulate_schedule(2, 2, forward_ticks=0), ValueError, "forward_ticks"),
    (lambda: pipeline.simulate_schedule(2, 2, backward_ticks=1.5), TypeError, "backward_ticks"),
    (lambda: pipeline.simulate_schedule(2, 2, schedule="zb"), ValueError, "schedule"),
    (lambda: pipeline.bubble_table([0], [4]), ValueError, "num_stages"),
    (lambda: pipeline.bubble_table([2], [0]), ValueError, "num_microbatches"),
    (lambda: pipeline.bubble_table([2], [4], schedule="x"), ValueError, "schedule"),
]


@pytest.mark.parametrize("call, error, name", BAD_CALLS)
def test_bad_input_raises_naming_the_argument(call, error, name):
    with pytest.raises(error, match=name):
        call()

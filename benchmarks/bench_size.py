"""Size and scaling benchmarks (chapters 1 and 2): the quick scaling sweep's wall time, per-size epochs.

Runs chapter 2's quick sweep (five widths of the article's CNN, one seed, 8 epochs on the
4,000-image split) and reports its wall time, each size's median epoch time and the cost
of one FLOP count. The chapter's whole quick budget is 120 s on a 2-core CPU; the sweep
is most of it.
"""

import time

from bigmodel_utils import cnn, data, scaling, size

QUICK_WIDTHS = (1 / 8, 1 / 4, 3 / 8, 1 / 2, 1)  # as in chapter 2, quick profile
EPOCHS = 8


def run():
    """Rows: sweep wall time, median epoch time per size, time of one forward_flops call."""
    mnist = data.load_mnist(train_size=4000, test_size=1000, verbose=False)
    start = time.perf_counter()
    runs, _ = scaling.run_sweep(mnist, QUICK_WIDTHS, seeds=(0,), epochs=EPOCHS, verbose=False)
    wall = time.perf_counter() - start
    rows = [
        {
            "benchmark": f"size: chapter 2 quick sweep ({len(QUICK_WIDTHS)} sizes x {EPOCHS} epochs), wall",
            "value": wall,
            "unit": "s",
            "target": "<= 90 s",
        }
    ]
    for row in runs.itertuples():
        rows.append(
            {
                "benchmark": f"size: median epoch, width {row.width:g} ({row.params:,} params)",
                "value": row.epoch_seconds,
                "unit": "s",
                "target": "",
            }
        )
    model = cnn.build_article_cnn()
    start = time.perf_counter()
    size.forward_flops(model)
    rows.append(
        {
            "benchmark": "size: forward_flops of the article's CNN (one traced pass)",
            "value": 1000 * (time.perf_counter() - start),
            "unit": "ms",
            "target": "<= 1000 ms",
        }
    )
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)

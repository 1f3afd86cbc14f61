"""Size and scaling benchmarks (chapters 1 and 2): the quick sweep's wall time, old recipe and new.

Chapter 2's quick sweep judges every claim from seeds: five widths of the article's CNN, 3 seeds,
plus the two ends trained on noisy labels, on 4,000 Fashion-MNIST images tested on all 10,000. It
pays for its seeds with a smaller largest width and a larger batch (learning rate raised with it).
This benchmark times one seed of the earlier recipe (widths up to the article's CNN, batch 64,
eight epochs) and one seed of the new one in the same process, so their ratio is measured under the
same load, and reports the whole new sweep's wall time per seed.
"""

import time

from bigmodel_utils import cnn, fashion_mnist, scaling, size

OLD = {"widths": (1 / 8, 1 / 4, 3 / 8, 1 / 2, 1), "epochs": 8, "batch_size": 64}
NEW = {"widths": (1 / 16, 1 / 8, 1 / 4, 3 / 8, 1 / 2), "epochs": 6, "batch_size": 128}
SEEDS, LABEL_NOISE = 3, 0.4  # as in chapter 2, quick profile


def _sweep_seconds(fashion, recipe, seeds=(0,), **extra):
    start = time.perf_counter()
    scaling.run_sweep(fashion, seeds=seeds, verbose=False, **recipe, **extra)
    return time.perf_counter() - start


def run():
    """Rows: one seed of the old and of the new sweep, their ratio, the chapter's sweep estimate."""
    fashion = fashion_mnist.load_fashion_mnist(train_size=4000, verbose=False)
    old = _sweep_seconds(fashion, OLD)
    new = _sweep_seconds(fashion, NEW)
    ends = {**NEW, "widths": (NEW["widths"][0], NEW["widths"][-1])}
    labels = _sweep_seconds(fashion, ends, label_noise=LABEL_NOISE)
    rows = [
        {"benchmark": "size: one seed, old recipe (w <= 1, batch 64, 8 epochs)", "value": old,
         "unit": "s", "target": ""},
        {"benchmark": "size: one seed, new recipe (w <= 1/2, batch 128, 6 epochs)", "value": new,
         "unit": "s", "target": ""},
        {"benchmark": "size: new / old seconds per seed", "value": new / old, "unit": "x",
         "target": "<= 0.5"},
        {"benchmark": f"size: chapter 2 quick sweep ({SEEDS} seeds + noisy labels), estimate",
         "value": SEEDS * (new + labels), "unit": "s", "target": "<= 45 s"},
    ]  # fmt: skip
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

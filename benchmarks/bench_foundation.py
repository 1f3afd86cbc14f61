"""Foundation benchmarks: build time, per-notebook fixed cost, matmul peak, the CNN's throughput.

Targets for the finished book on a 2-core CPU: clean build <= 300 s; fixed cost per notebook
(start Python, import TensorFlow and the package, load the data) <= 8 s; training the seed CNN
(the article's network) at >= 35 % of the fp32 matmul peak measured in the same run.
"""

import html
import pathlib
import re
import shutil
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build"


def clean_build_seconds():
    """Time `jupyter-book build` from an empty output folder (every notebook executed)."""
    shutil.rmtree(BUILD / "html", ignore_errors=True)
    shutil.rmtree(BUILD / "jupyter_execute", ignore_errors=True)
    start = time.perf_counter()
    subprocess.run(
        [
            str(pathlib.Path(sys.executable).parent / "jupyter-book"),
            "build",
            str(ROOT),
            "-W",
            "--keep-going",
        ],
        check=True,
        capture_output=True,
    )
    seconds = time.perf_counter() - start
    (BUILD / "build_seconds.txt").write_text(f"{seconds:.0f}\n")
    return seconds


def chapter_seconds():
    """Execution seconds per notebook from the built site's execution-statistics page."""
    page = BUILD / "html" / "execution.html"
    if not page.exists():
        return {}
    text = page.read_text()
    seconds = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", text, flags=re.S):
        cells = [
            html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
        ]
        if len(cells) >= 4:
            try:
                seconds[cells[0]] = float(cells[3])
            except ValueError:
                continue
    return seconds


def fixed_cost_seconds(repeats=3):
    """Median wall time of a fresh interpreter that does what every chapter's setup cell does."""
    code = (
        "from bigmodel_utils import data, profile; import tensorflow; "
        "profile.banner(seed=0); data.load_mnist(train_size=4000, test_size=1000)"
    )
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def matmul_gflops(size=2048, repeats=10):
    """fp32 square matmul throughput (GFLOP/s), the physical reference of this CPU."""
    import tensorflow as tf

    a = tf.random.normal((size, size))
    b = tf.random.normal((size, size))
    multiply = tf.function(lambda: tf.reduce_sum(tf.matmul(a, b)))
    multiply().numpy()  # trace and warm up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        multiply().numpy()
        times.append(time.perf_counter() - start)
    return 2 * size**3 / statistics.median(times) / 1e9


def seed_cnn_training_gflops(batch_size, steps_per_execution=1, learning_rate=1e-3, epochs=3):
    """Training GFLOP/s of the article's CNN and its test accuracy.

    Training costs about 3 forward passes: the forward pass, and a backward pass that computes
    gradients with respect to both the activations and the weights.
    """
    import keras

    from bigmodel_utils import cnn, data, profile, size

    profile.set_seed(0)
    mnist = data.load_mnist(train_size=4000, test_size=1000, verbose=False)
    model = cnn.build_article_cnn()
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        steps_per_execution=steps_per_execution,
    )
    model.fit(mnist.x_train, mnist.y_train, epochs=1, batch_size=batch_size, verbose=0)  # warm-up
    epoch_times = []
    for _ in range(epochs):
        start = time.perf_counter()
        model.fit(mnist.x_train, mnist.y_train, epochs=1, batch_size=batch_size, verbose=0)
        epoch_times.append(time.perf_counter() - start)
    # Multiply-adds only (2 FLOPs each), the same arithmetic the matmul reference counts.
    forward = size.forward_flops(model, warn=False).total.multiply_add
    seconds = statistics.median(epoch_times)
    accuracy = model.evaluate(mnist.x_test, mnist.y_test, verbose=0)[1]
    return 3 * forward * len(mnist.x_train) / seconds / 1e9, seconds, accuracy


def run(*args):
    rows = []
    if "clean-build" in args:
        rows.append(
            {
                "benchmark": "clean build of the book",
                "value": clean_build_seconds(),
                "unit": "s",
                "target": "<= 300",
            }
        )
    elif (BUILD / "build_seconds.txt").exists():
        rows.append(
            {
                "benchmark": "last build of the book (make book)",
                "value": float((BUILD / "build_seconds.txt").read_text()),
                "unit": "s",
                "target": "<= 300",
            }
        )
    for name, seconds in sorted(chapter_seconds().items()):
        rows.append({"benchmark": f"execute {name}", "value": seconds, "unit": "s", "target": ""})
    rows.append(
        {
            "benchmark": "fixed cost per notebook (python + TF + package + data)",
            "value": fixed_cost_seconds(),
            "unit": "s",
            "target": "<= 8",
        }
    )
    peak_before = matmul_gflops()
    configurations = [
        ("article: batch 32", 32, 1, 1e-3),
        ("tuned: batch 256, 8 steps/execution, lr 2e-3", 256, 8, 2e-3),
    ]
    measured = [
        (label, *seed_cnn_training_gflops(batch, steps, rate))
        for label, batch, steps, rate in configurations
    ]
    peak = statistics.mean([peak_before, matmul_gflops()])  # the peak drifts: time it on both sides
    rows.append(
        {
            "benchmark": "fp32 matmul 2048x2048 (CPU peak)",
            "value": peak,
            "unit": "GFLOP/s",
            "target": "",
        }
    )
    for label, gflops, seconds, accuracy in measured:
        rows.append(
            {
                "benchmark": f"seed CNN training, {label}",
                "value": gflops,
                "unit": "GFLOP/s",
                "target": "",
            }
        )
        rows.append(
            {
                "benchmark": f"seed CNN share of matmul peak, {label}",
                "value": 100 * gflops / peak,
                "unit": "%",
                "target": ">= 35",
            }
        )
        rows.append(
            {
                "benchmark": f"seed CNN seconds per epoch (4,000 images), {label}",
                "value": seconds,
                "unit": "s",
                "target": "",
            }
        )
        rows.append(
            {
                "benchmark": f"seed CNN test accuracy after 4 epochs, {label}",
                "value": 100 * accuracy,
                "unit": "%",
                "target": "",
            }
        )
    return rows

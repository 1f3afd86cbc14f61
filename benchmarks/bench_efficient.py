"""Chapter 5.1 benchmarks: the efficiency table on the 4,000 / 1,000 split, as the chapter builds it.

The article CNN, its separable and separable + strided versions, a mixed-precision copy, and the
article CNN as TFLite float32 / float16 / int8: latency per batch of 32 (median, CPU), test
accuracy and bytes on disk, plus the chapter's targets: the separable network's conv stack >= 5x
fewer FLOPs, int8 >= 3.5x smaller than float32 with <= 0.5 points of accuracy lost.
"""


def run(*args):
    from bigmodel_utils import data, deployment, efficient, profile

    profile.set_seed(0)
    mnist = data.load_mnist(train_size=4000, test_size=1000, verbose=False)
    models, seconds, _ = efficient.train_variants(
        mnist.x_train, mnist.y_train, epochs=5, mixed_from_scratch=bool(profile.gpu_names())
    )
    baseline = models["article CNN"]
    entries = [(name, model, None) for name, model in models.items()]
    entries += [
        (f"TFLite {q}", baseline, deployment.to_tflite(baseline, q, representative_x=mnist.x_train))
        for q in deployment.QUANTIZATIONS
    ]
    rows = {row["model"]: row for row in deployment.measure(entries, mnist.x_test, mnist.y_test)}
    out = []
    for name, row in rows.items():
        out.append(
            {
                "benchmark": f"5.1 {name}: latency per batch of 32",
                "value": row["latency_ms"],
                "unit": "ms",
                "target": "",
            }
        )
        out.append(
            {
                "benchmark": f"5.1 {name}: test accuracy",
                "value": 100 * row["accuracy"],
                "unit": "%",
                "target": "",
            }
        )
        out.append(
            {
                "benchmark": f"5.1 {name}: bytes on disk",
                "value": row["bytes"] / 1024,
                "unit": "KB",
                "target": "",
            }
        )
    for name in ("separable", "separable + stride"):
        out.append(
            {
                "benchmark": f"5.1 conv-stack FLOPs, article CNN / {name}",
                "value": rows["article CNN"]["conv_stack_flops"] / rows[name]["conv_stack_flops"],
                "unit": "x",
                "target": ">= 5" if name == "separable + stride" else "",
            }
        )
    out.append(
        {
            "benchmark": "5.1 TFLite float32 / int8 file size",
            "value": rows["TFLite float32"]["bytes"] / rows["TFLite int8"]["bytes"],
            "unit": "x",
            "target": ">= 3.5",
        }
    )
    out.append(
        {
            "benchmark": "5.1 int8 accuracy loss vs float32",
            "value": 100 * (rows["TFLite float32"]["accuracy"] - rows["TFLite int8"]["accuracy"]),
            "unit": "points",
            "target": "<= 0.5",
        }
    )
    out.append(
        {
            "benchmark": "5.1 int8 / float32 TFLite latency",
            "unit": "x",
            "target": "",
            "value": rows["TFLite int8"]["latency_ms"] / rows["TFLite float32"]["latency_ms"],
        }
    )
    out.append(
        {
            "benchmark": "5.1 mixed float16 / float32 training time per epoch",
            "unit": "x",
            "target": "",
            "value": seconds["mixed float16"] / seconds["article CNN"],
        }
    )
    return out

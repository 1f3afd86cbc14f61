"""Bad-input table for section 5's remedies (``distillation``, ``distillation_experiments``):
each row replaces one argument of a good call by a bad value and names the words the error says."""

import numpy as np
import pytest
from badinput import INF, NAN, Lazy, make_tests

LOGITS = np.array([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]])
Y = np.array([0, 2])
STUDENT = Lazy("student")
CNN = Lazy("article_cnn")
IMAGES = np.zeros((4, 28, 28, 1), np.float32)
Y4 = np.array([0, 1, 2, 3])
T4 = np.zeros((4, 10), np.float32)
TRAINING = dict(x=IMAGES, y=Y4, t=T4, x_test=IMAGES, y_test=Y4, seeds=1, alpha=0.5, T=2.0,
                epochs=1)  # fmt: skip
LOGIT_FAULTS = [  # eager calls of the loss's tensor terms
    ("s", np.full((2, 3), NAN, np.float32), ValueError, "s must be finite"),
    ("t", np.full((2, 3), INF, np.float32), ValueError, "t must be finite"),
    (
        "t",
        LOGITS[None].astype(np.float32),
        ValueError,
        r"t must have rank 2, got shape \(1, 2, 3\)",
    ),
    ("s", LOGITS[None].astype(np.float32), ValueError, "s must have rank 2"),
    ("t", LOGITS[:, :2].astype(np.float32), ValueError, "t's shape"),
    ("s", np.full((2, 3), "a"), TypeError, "s must be a float array"),
    ("y", np.array([0, 3]), ValueError, r"y must hold class labels in \[0, 2\]"),
    ("y", np.array([0, 1, 2]), ValueError, "len"),
]
TRAINING_FAULTS = [
    ("x", "images", TypeError),
    ("y", np.array([0, 1, 2]), ValueError, "len"),
    ("y", np.array([0, 1, 2, -1]), ValueError),
    ("t", np.zeros((3, 10)), ValueError, "len"),
    ("seeds", 0, ValueError),
    ("alpha", 1.5, ValueError),
    ("T", 0.0, ValueError),
    ("epochs", -1, ValueError),
]

TABLE = {
    # ---- tensor_parallel_ops, tensor_parallel (5.4) ---------------------------------------
    "tensor_parallel_ops.copy_in": (
        dict(x=np.zeros((1, 2, 4), np.float32), log=Lazy("log")),
        [
            ("x", "tokens", TypeError),
            ("log", [], TypeError),
            ("log", None, TypeError),
            ("x", np.full((1, 2, 4), np.nan, np.float32), ValueError, "x must be finite"),
            ("x", np.zeros((0, 2, 4), np.float32), ValueError, "at least 1 element"),
            ("x", np.full((1, 2, 4), "a"), TypeError, "x must be a float array"),
            ("x", np.zeros((1, 1, 2, 4), np.float32), ValueError, "x must have rank 3"),
            ("x", np.zeros((2, 4), np.float32), ValueError, "x must have rank 3"),
            ("x", np.zeros, TypeError, "x must be an array or tensor"),
        ],
    ),
    "tensor_parallel_ops.sum_out": (
        dict(partial=np.zeros((1, 2, 4), np.float32), log=Lazy("log")),
        [
            ("partial", None, TypeError),
            ("log", [], TypeError),
            ("log", "log", TypeError),
            ("partial", np.zeros((1, 1, 2, 4), np.float32), ValueError, "partial must have rank 3"),
        ],
    ),
    "tensor_parallel.split_mlp_block": (
        dict(
            x=np.zeros((1, 2, 4), np.float32),
            shard={
                "W1": np.zeros((4, 4), np.float32),
                "b1": np.zeros(4, np.float32),
                "W2": np.zeros((4, 4), np.float32),
                "b2": np.zeros(4, np.float32),
            },
            log=Lazy("log"),
        ),  # fmt: skip
        [
            ("shard", {}, TypeError),
            ("log", [], TypeError),
            ("x", np.zeros((2, 4), np.float32), ValueError),
        ],  # fmt: skip
    ),
    "tensor_parallel.init_mlp_weights": (
        dict(d_model=4, mlp_dim=8),
        [
            ("d_model", 0, ValueError),
            ("mlp_dim", "8", TypeError),
            ("seed", -1, ValueError),
            ("d_model", True, TypeError),
        ],  # fmt: skip
    ),
    "tensor_parallel.mlp_block": (
        dict(
            x=np.zeros((1, 2, 4), np.float32),
            W1=np.zeros((4, 8), np.float32),
            b1=np.zeros(8, np.float32),
            W2=np.zeros((8, 4), np.float32),
            b2=np.zeros(4, np.float32),
        ),  # fmt: skip
        [
            ("x", "tokens", TypeError),
            ("x", np.zeros((2, 4), np.float32), ValueError),
            ("W1", np.zeros((3, 8), np.float32), ValueError),
            ("W2", np.zeros((8, 3), np.float32), ValueError),
            ("x", np.full((1, 2, 4), np.nan, np.float32), ValueError, "x must be finite"),
            ("x", np.zeros((0, 2, 4), np.float32), ValueError, "at least 1 element"),
            ("W1", np.full((4, 8), np.inf, np.float32), ValueError, "W1 must be finite"),
            ("b1", np.zeros((1, 8), np.float32), ValueError, "b1 must have shape"),
            ("b2", np.zeros(3, np.float32), ValueError, "b2 must have shape"),
            ("b2", np.full(4, np.nan, np.float32), ValueError, "b2 must be finite"),
        ],  # fmt: skip
    ),
    "tensor_parallel.split_mlp_weights": (
        dict(
            weights={
                "W1": np.zeros((4, 8)),
                "b1": np.zeros(8),
                "W2": np.zeros((8, 4)),
                "b2": np.zeros(4),
            },
            num_shards=2,
        ),  # fmt: skip
        [
            ("num_shards", 0, ValueError),
            ("num_shards", 3, ValueError),
            ("weights", {"W1": np.zeros((4, 8))}, TypeError),
            (
                "weights",
                {
                    "W1": np.zeros((4, 8)),
                    "b1": np.zeros(7),
                    "W2": np.zeros((8, 4)),
                    "b2": np.zeros(4),
                },
                ValueError,
            ),  # fmt: skip
        ],  # fmt: skip
    ),
    # ---- distributed_loop (5.2) -----------------------------------------------------------
    "distributed_loop.distribute_dataset": (
        dict(strategy=Lazy("strategy"), x=np.zeros((4, 3), np.float32), y=Y4, global_batch_size=2),
        [
            ("strategy", "mirrored", TypeError),
            ("y", np.array([0, 1]), ValueError, "len"),
            ("x", "images", TypeError),
            ("global_batch_size", 0, ValueError),
            ("seed", -1, ValueError),
        ],  # fmt: skip
    ),
    "distributed_loop.make_train_step": (
        dict(
            strategy=Lazy("strategy"),
            model=Lazy("dense_model"),
            optimizer=Lazy("adam"),
            global_batch_size=2,
        ),  # fmt: skip
        [
            ("strategy", None, TypeError),
            ("model", "cnn", TypeError),
            ("optimizer", "adam", TypeError),
            ("global_batch_size", 0, ValueError),
        ],  # fmt: skip
    ),
    "distributed_loop.build_for_custom_loop": (
        dict(strategy=Lazy("strategy")),
        [
            ("strategy", "one device", TypeError),
            ("optimizer", "rmsprop", ValueError),
            ("learning_rate", 0.0, ValueError),
            ("seed", -1, ValueError),
        ],  # fmt: skip
    ),
    "distributed_loop.train_custom_loop": (
        dict(strategy=Lazy("strategy"), x=IMAGES, y=Y4, steps=1, global_batch_size=2),
        [
            ("strategy", 2, TypeError),
            ("x", np.zeros((4, 28, 28)), ValueError),
            ("y", np.array([0, 1]), ValueError, "len"),
            ("steps", 0, ValueError),
            ("global_batch_size", 0, ValueError),
            ("optimizer", "rmsprop", ValueError),
        ],  # fmt: skip
    ),
    "distributed_loop.compare_step_times": (
        dict(
            strategies=Lazy("strategies"),
            x=IMAGES,
            y=Y4,
            steps=2,
            global_batch_size=2,
            rounds=1,
        ),  # fmt: skip
        [
            ("strategies", {}, ValueError),
            ("strategies", ["one"], TypeError),
            ("strategies", {"one": "strategy"}, TypeError),
            ("y", np.array([0, 1]), ValueError, "len"),
            ("steps", 0, ValueError),
            ("rounds", 0, ValueError),
            ("per_round", 1, TypeError),
        ],  # fmt: skip
    ),
    # ---- distributed (5.2) ----------------------------------------------------------------
    "distributed.configure_logical_cpus": (
        dict(num_devices=1),
        [
            ("num_devices", 0, ValueError),
            ("num_devices", True, TypeError),
            ("num_devices", "2", TypeError),
        ],  # fmt: skip
    ),
    "distributed.make_strategy": (
        dict(num_cpu_replicas=1),
        [
            ("num_cpu_replicas", 0, ValueError),
            ("num_cpu_replicas", 2.0, TypeError),
            ("num_cpu_replicas", None, TypeError),
        ],  # fmt: skip
    ),
    "distributed.cpu_strategy": (
        dict(num_replicas=1),
        [
            ("num_replicas", 0, ValueError),
            ("num_replicas", "1", TypeError),
            ("num_replicas", 10**6, ValueError),
        ],  # fmt: skip
    ),
    "distributed.describe_strategy": (
        dict(strategy=Lazy("strategy")),
        [
            ("strategy", "mirrored", TypeError),
            ("strategy", None, TypeError),
            ("strategy", 2, TypeError),
        ],  # fmt: skip
    ),
    "distributed.per_replica_batch_size": (
        dict(global_batch_size=64, num_replicas=2),
        [
            ("global_batch_size", 0, ValueError),
            ("num_replicas", 3, ValueError, "divisible"),
            ("num_replicas", True, TypeError),
            ("global_batch_size", 64.0, TypeError),
        ],  # fmt: skip
    ),
    "distributed.per_replica_batch_shapes": (
        dict(strategy=Lazy("strategy"), x=np.zeros((4, 2, 2, 1), np.float32), global_batch_size=2),
        [
            ("strategy", "s", TypeError),
            ("x", "images", TypeError),
            ("x", np.zeros((0, 2, 2, 1)), ValueError),
            ("global_batch_size", 0, ValueError),
            ("x", np.zeros((1, 4, 2, 2, 1)), ValueError, "x must have 4 dimensions"),
            ("x", np.zeros((4, 3)), ValueError, "x must have 4 dimensions"),
            ("x", np.full((4, 2, 2, 1), np.nan), ValueError, "x must be finite"),
        ],  # fmt: skip
    ),
    "distributed.make_optimizer": (
        dict(optimizer="adam", learning_rate=1e-3),
        [
            ("optimizer", "rmsprop", ValueError),
            ("optimizer", None, ValueError),
            ("learning_rate", 0.0, ValueError),
            ("learning_rate", "0.1", TypeError),
        ],  # fmt: skip
    ),
    "distributed.compare_one_step": (
        dict(x=IMAGES, y=Y4, num_replicas=1),
        [
            ("x", "images", TypeError),
            ("y", np.array([0, 1]), ValueError, "len|same length"),
            ("y", np.array([0, 1, 2, 10]), ValueError),
            ("num_replicas", 0, ValueError),
            ("optimizer", "rmsprop", ValueError),
            ("learning_rate", -1.0, ValueError),
            ("seed", -1, ValueError),
        ],  # fmt: skip
    ),
    "distributed.fit_article_cnn": (
        dict(strategy=Lazy("strategy"), x=IMAGES, y=Y4, epochs=1, global_batch_size=2),
        [
            ("strategy", "mirrored", TypeError),
            ("x", np.zeros((4, 28, 28)), ValueError),
            ("y", np.array([0, 1]), ValueError, "len"),
            ("epochs", 0, ValueError),
            ("global_batch_size", -2, ValueError),
            ("validation_data", [IMAGES, Y4], TypeError),
            ("seed", "0", TypeError),
        ],  # fmt: skip
    ),
    # ---- deployment (5.1) -----------------------------------------------------------------
    "deployment.to_tflite": (
        dict(model=Lazy("dense_model")),
        [
            ("model", "dense", TypeError),
            ("quantization", "int4", ValueError),
            ("quantization", "int8", ValueError, "representative_x"),
            ("representative_x", "images", TypeError),
            ("calibration_size", 0, ValueError),
        ],  # fmt: skip
    ),
    "deployment.interpreter": (
        dict(model_bytes=Lazy("tflite_bytes")),
        [
            ("model_bytes", "model.tflite", TypeError),
            ("model_bytes", b"", ValueError),
            ("num_threads", 0, ValueError),
            ("num_threads", 2.0, TypeError),
        ],  # fmt: skip
    ),
    "deployment.TFLiteRunner": (
        dict(model_bytes=Lazy("tflite_bytes"), batch_size=2),
        [
            ("model_bytes", None, TypeError),
            ("model_bytes", b"", ValueError),
            ("batch_size", 0, ValueError),
            ("batch_size", "2", TypeError),
        ],  # fmt: skip
    ),
    "deployment.keras_runner": (
        dict(model=Lazy("dense_model")),
        [
            ("model", "dense", TypeError),
            ("model", None, TypeError),
            ("model", Lazy("dense"), TypeError),
        ],
    ),
    "deployment.predict_batches": (
        dict(run=np.asarray, x=np.zeros((5, 2, 2, 1), np.float32), batch_size=2),
        [
            ("run", "forward", TypeError),
            ("x", "images", TypeError),
            ("x", np.zeros(()), ValueError),
            ("batch_size", 0, ValueError),
            ("batch_size", None, TypeError),
            ("x", np.zeros((1, 5, 2, 2, 1)), ValueError, "x must have 4 dimensions"),
            ("x", np.zeros((5, 3)), ValueError, "x must have 4 dimensions"),
        ],  # fmt: skip
    ),
    "deployment.median_seconds": (
        dict(run=np.asarray, x_batch=np.zeros((2, 3)), repeats=2, warmup=1),
        [
            ("run", None, TypeError),
            ("x_batch", np.zeros((0, 3)), ValueError, "x_batch must have at least 1 element"),
            ("x_batch", np.full((2, 3), np.nan), ValueError, "x_batch must be finite"),
            ("x_batch", np.full((2, 3), "a"), TypeError, "x_batch must be a numeric array"),
            ("repeats", -1, ValueError),
            ("repeats", 2.5, TypeError),
            ("warmup", True, TypeError),
        ],  # fmt: skip
    ),
    "deployment.model_file_bytes": (
        dict(model=Lazy("dense_model")),
        [
            ("model", "model.keras", TypeError),
            ("model", None, TypeError),
            ("model", Lazy("dense"), TypeError),
        ],  # fmt: skip
    ),
    "deployment.measure": (
        dict(
            entries=Lazy("deployment_entries"),
            x_test=IMAGES,
            y_test=np.array([0, 1, 2, 0]),
            batch_size=2,
            repeats=2,
        ),  # fmt: skip
        [
            ("entries", [], ValueError),
            ("entries", [("dense", "model", None)], TypeError, "entries"),
            ("entries", [("dense", Lazy("dense_model"))], TypeError, "entries"),
            ("y_test", np.array([0, 1]), ValueError, "len"),
            ("x_test", "images", TypeError),
            ("batch_size", 0, ValueError),
            ("repeats", 0, ValueError),
        ],  # fmt: skip
    ),
    "deployment.speed_words": (
        dict(interval=(0.5, 0.8), lang="zh"),
        [
            ("lang", "fr", ValueError),
            ("interval", (0.8, 0.5), ValueError),
            ("interval", "fast", TypeError),
        ],  # fmt: skip
    ),
    "deployment.ratio_interval": (
        dict(ratios=[0.5, 0.6, 0.55]),
        [
            ("ratios", [0.5], ValueError),
            ("ratios", [0.5, -0.6], ValueError),
            ("ratios", "0.5", TypeError),
            ("ratios", [0.5, NAN], ValueError),
        ],  # fmt: skip
    ),
    "deployment.latency_judgement": (
        dict(
            rows=[
                {"model": "a", "latency_rounds_ms": [1.0, 1.1, 0.9]},
                {"model": "b", "latency_rounds_ms": [2.0, 2.1, 1.9]},
            ],
            model="a",
            baseline="b",
        ),  # fmt: skip
        [
            ("model", "c", ValueError),
            ("baseline", None, ValueError),
            ("rows", [], ValueError),
            ("rows", [{"model": "a"}], ValueError),
            ("rows", "a,b", TypeError),
        ],  # fmt: skip
    ),
    "distillation.check_alpha_T": (
        dict(alpha=0.5, T=2.0),
        [
            ("alpha", 1.5, ValueError),
            ("alpha", NAN, ValueError),
            ("T", 0.0, ValueError),
            ("T", INF, ValueError),
            ("T", "4", TypeError),
            ("alpha", True, TypeError),
        ],  # fmt: skip
    ),
    "distillation.soften": (
        dict(logits=LOGITS, T=2.0),
        [
            ("T", 0.0, ValueError),
            ("T", -1.0, ValueError),
            ("logits", "abc", TypeError),
            ("logits", np.zeros((0, 3)), ValueError),
            ("logits", np.full((2, 3), NAN), ValueError),
        ],  # fmt: skip
    ),
    "distillation.distillation_loss_numpy": (
        dict(y=Y, s=LOGITS, t=LOGITS, alpha=0.5, T=2.0),
        [
            ("y", np.array([0, -1]), ValueError),
            ("y", np.array([0, 3]), ValueError),
            ("y", np.array([0, 1, 2]), ValueError, "len"),
            ("t", LOGITS[:, :2], ValueError, "s and t"),
            ("s", LOGITS[0], ValueError),
            ("T", 0.0, ValueError),
            ("alpha", -0.1, ValueError),
        ],
    ),
    "distillation.distillation_terms": (
        dict(y=Y, s=LOGITS.astype(np.float32), t=LOGITS.astype(np.float32), T=2.0),
        [("T", 0.0, ValueError), ("T", NAN, ValueError), ("T", "2", TypeError)] + LOGIT_FAULTS,
    ),
    "distillation.distillation_loss": (
        dict(y=Y, s=LOGITS.astype(np.float32), t=LOGITS.astype(np.float32), alpha=0.5, T=2.0),
        [("T", 0.0, ValueError), ("alpha", 2.0, ValueError), ("alpha", None, TypeError)]
        + LOGIT_FAULTS,
    ),
    "distillation.Distiller": (
        dict(student=STUDENT),
        [
            ("student", "cnn", TypeError),
            ("teacher", 3, TypeError),
            ("T", -4.0, ValueError),
            ("alpha", 1.1, ValueError),
        ],  # fmt: skip
    ),
    "distillation.offline_targets": (
        dict(y=Y, t=LOGITS),
        [
            ("y", np.array([0, 1, 2]), ValueError),
            ("t", LOGITS[0], ValueError),
            ("y", np.array([0.5, 1.0]), TypeError),
            ("t", "logits", TypeError),
        ],  # fmt: skip
    ),
    "distillation_models.logits": (
        dict(model=STUDENT, x=IMAGES),
        [
            ("model", "cnn", TypeError),
            ("x", np.zeros((0, 28, 28, 1)), ValueError),
            ("batch_size", 0, ValueError),
            ("batch_size", 2.5, TypeError),
        ],  # fmt: skip
    ),
    "distillation_models.build_teacher": (
        dict(),
        [
            ("input_shape", (28, 28), ValueError),
            ("num_classes", 0, ValueError),
            ("dense_units", "320", TypeError),
            ("dropout", 1.0, ValueError),
        ],  # fmt: skip
    ),
    "distillation_models.build_student": (
        dict(),
        [
            ("filters", (8,), ValueError),
            ("filters", (8, 0), ValueError),
            ("num_classes", -1, ValueError),
            ("input_shape", "28", TypeError),
        ],  # fmt: skip
    ),
    "distillation_models.train_teacher": (
        dict(teacher=STUDENT, x=IMAGES, y=Y4, epochs=1),
        [
            ("epochs", -1, ValueError),
            ("epochs", 0, ValueError),
            ("teacher", "cnn", TypeError),
            ("y", np.array([0, 1]), ValueError, "len"),
            ("batch_size", 0, ValueError),
            ("learning_rate", 0.0, ValueError),
        ],
    ),
    "distillation.train_student": (
        dict(x=IMAGES, y=Y4, epochs=1),
        [
            ("epochs", -1, ValueError),
            ("seed", -1, ValueError),
            ("T", 0.0, ValueError),
            ("builder", "student", TypeError),
            ("y", Y4[:2], ValueError, "len"),
            ("learning_rate", NAN, ValueError),
        ],  # fmt: skip
    ),
    "training.accuracy": (
        dict(model=STUDENT, x=IMAGES, y=Y4),
        [("model", None, TypeError), ("y", Y4[:3], ValueError, "len"), ("x", "x", TypeError)],
    ),
    "distillation_experiments.per_digit_accuracy": (
        dict(logits_or_probabilities=LOGITS, y=Y, num_classes=3),
        [
            ("y", np.array([0, 3]), ValueError),
            ("num_classes", 0, ValueError),
            ("logits_or_probabilities", LOGITS[0], ValueError),
            ("y", Y[:1], ValueError, "len"),
        ],  # fmt: skip
    ),
    "distillation_experiments.add_digit_bias": (
        dict(logits=LOGITS, digit=1, bias=2.0),
        [
            ("digit", 3, ValueError),
            ("digit", -1, ValueError),
            ("bias", NAN, ValueError),
            ("logits", LOGITS[0], ValueError),
        ],  # fmt: skip
    ),
    "distillation_experiments.choose_digit_bias": (
        dict(logits=LOGITS, y=Y, digit=1),
        [
            ("digit", 5, ValueError),
            ("y", np.array([0, 7]), ValueError),
            ("biases", np.zeros(0), ValueError),
            ("y", Y[:1], ValueError, "len"),
        ],  # fmt: skip
    ),
    "distillation_experiments.gap_recovered": (
        dict(teacher_accuracy=0.98, scratch_accuracy=0.94, distilled_accuracy=0.96),
        [
            ("teacher_accuracy", 0.9, ValueError),
            ("scratch_accuracy", 94.0, ValueError),
            ("distilled_accuracy", NAN, ValueError),
            ("teacher_accuracy", "0.98", TypeError),
        ],  # fmt: skip
    ),
    "distillation_experiments.paired_seeds": (TRAINING, TRAINING_FAULTS),
    "distillation_experiments.omitted_digit": (
        dict(TRAINING, x_val=IMAGES, y_val=Y4),
        TRAINING_FAULTS + [("digit", 10, ValueError), ("y_val", Y4[:2], ValueError, "len")],
    ),
    # ---- efficient (chapter 5.1) --------------------------------------------------------
    "efficient.depthwise_conv2d": (
        dict(x=np.ones((1, 5, 5, 2)), W=np.ones((3, 3, 2, 1)), b=np.zeros(2)),
        [
            ("W", np.ones((3, 3, 1, 1)), ValueError),
            ("b", np.zeros(3), ValueError),
            ("x", np.ones((5, 5, 2)), ValueError),
            ("stride", 0, ValueError),
            ("padding", "full", ValueError),
            ("W", "W", TypeError),
        ],  # fmt: skip
    ),
    "efficient.separable_block_numpy": (
        dict(
            x=np.ones((1, 5, 5, 2)),
            W_depthwise=np.ones((3, 3, 2, 1)),
            b_depthwise=np.zeros(2),
            W_pointwise=np.ones((1, 1, 2, 4)),
            b_pointwise=np.zeros(4),
        ),  # fmt: skip
        [
            ("W_pointwise", np.ones((2, 4)), ValueError),
            ("b_pointwise", "b", TypeError),
            ("W_depthwise", np.ones((3, 3, 3, 1)), ValueError, "W_depthwise must have shape"),
            ("x", None, TypeError),
            ("W_depthwise", np.ones((1, 3, 3, 2, 1)), ValueError, "W_depthwise must have 4 dim"),
            ("W_depthwise", np.full((3, 3, 2, 1), np.nan), ValueError, "W_depthwise must be fin"),
            ("b_depthwise", np.zeros((1, 2)), ValueError, "b_depthwise must have 1 dim"),
            ("b_depthwise", np.zeros(3), ValueError, "b_depthwise must have shape"),
            ("b_depthwise", np.array(["a", "a"]), TypeError, "b_depthwise must be a numeric"),
            ("W_pointwise", np.ones((1, 1, 3, 4)), ValueError, "W_pointwise must have shape"),
            ("b_pointwise", np.zeros(3), ValueError, "b_pointwise must have shape"),
        ],  # fmt: skip
    ),
    "efficient.separable_block": (
        dict(x=Lazy("image_tensor"), filters=4),
        [
            ("filters", 0, ValueError),
            ("kernel_size", (3, 0), ValueError),
            ("strides", "2", TypeError),
            ("padding", "full", ValueError),
            ("name", 3, TypeError),
            ("x", "model", TypeError, "x must be a .batch, height, width, channels. tensor"),
            ("x", 3, TypeError, "x must be a"),
            ("x", np.zeros((5, 5, 2), np.float32), ValueError, "x must be a .* got shape"),
        ],  # fmt: skip
    ),
    "efficient.separable_block_params": (
        dict(kernel_size=3, in_channels=2, filters=4),
        [
            ("kernel_size", 0, ValueError),
            ("in_channels", -2, ValueError),
            ("filters", "4", TypeError),
        ],
    ),
    "efficient.separable_cost_ratio": (
        dict(kernel_size=3, filters=64),
        [("kernel_size", 0, ValueError), ("filters", True, TypeError), ("filters", 6.4, TypeError)],
    ),
    "efficient.build_cnn": (
        dict(),
        [
            ("conv", "dilated", ValueError),
            ("downsample", None, ValueError),
            ("input_shape", (28, 28), ValueError),
            ("num_classes", 0, ValueError),
        ],  # fmt: skip
    ),
    "efficient.conv_stack_flops": (
        dict(model=CNN),
        [
            ("model", "cnn", TypeError),
            ("model", Lazy("dense_model"), ValueError, "Flatten"),
            ("model", None, TypeError),
        ],  # fmt: skip
    ),
    "efficient.mixed_precision": (
        dict(),
        [("policy", "float8", ValueError), ("policy", 16, TypeError), ("policy", "", ValueError)],
    ),
    "efficient.train": (
        dict(model=STUDENT, x=IMAGES, y=Y4, epochs=1),
        [
            ("epochs", 0, ValueError),
            ("model", "cnn", TypeError),
            ("y", Y4[:2], ValueError, "len"),
            ("batch_size", -1, ValueError),
            ("learning_rate", INF, ValueError),
        ],  # fmt: skip
    ),
    "efficient.train_variants": (
        dict(x=IMAGES, y=Y4, epochs=1),
        [
            ("epochs", 0, ValueError),
            ("x", IMAGES[..., 0], ValueError),
            ("y", Y4[:1], ValueError),
            ("epochs", "1", TypeError),
        ],  # fmt: skip
    ),
    "efficient.capacity_judgement": (
        dict(accuracy_base=0.97, accuracy_variant=0.96, test_size=1000),
        [
            ("accuracy_base", 97.0, ValueError),
            ("accuracy_variant", NAN, ValueError),
            ("test_size", 0, ValueError),
            ("test_size", 1e3, TypeError),
        ],  # fmt: skip
    ),
    "efficient.check_capacity_judgement": (
        dict(judged=Lazy("capacity")),
        [("judged", {}, ValueError), ("judged", None, TypeError), ("judged", [1], TypeError)],
    ),
    # ---- allreduce_cost (chapter 5.2), pipeline and memory (chapter 5.4) ------------------
    "allreduce_cost.ring_allreduce_seconds": (
        dict(num_bytes=4e5, num_workers=4, bandwidth=1e9),
        [
            ("num_bytes", -1.0, ValueError),
            ("num_workers", 0, ValueError),
            ("num_workers", 2.5, ValueError),
            ("bandwidth", 0.0, ValueError),
            ("bandwidth", "1e9", TypeError),
            ("latency", NAN, ValueError),
        ],  # fmt: skip
    ),
    "allreduce_cost.step_seconds": (
        dict(compute_seconds=0.1, num_bytes=4e5, num_workers=4, bandwidth=1e9),
        [
            ("compute_seconds", 0.0, ValueError),
            ("scaling", "linear", ValueError),
            ("num_workers", True, TypeError),
            ("bandwidth", None, TypeError),
        ],  # fmt: skip
    ),
    "allreduce_cost.speedup": (
        dict(compute_seconds=0.1, num_bytes=4e5, num_workers=4, bandwidth=1e9),
        [
            ("compute_seconds", INF, ValueError),
            ("num_workers", -2, ValueError),
            ("scaling", None, ValueError),
        ],  # fmt: skip
    ),
    "allreduce_cost.compute_seconds": (
        dict(train_flops_per_sample=1.7e7, batch_size=256, flops_per_second=1.5e11),
        [
            ("train_flops_per_sample", 0.0, ValueError),
            ("batch_size", "256", TypeError),
            ("flops_per_second", -1.0, ValueError),
        ],  # fmt: skip
    ),
    "allreduce_cost.predicted_speedup": (
        dict(
            num_params=93322,
            train_flops_per_sample=1.7e7,
            global_batch_size=256,
            num_workers=4,
            flops_per_second=1.5e11,
            bandwidth=1e9,
        ),  # fmt: skip
        [
            ("num_params", 0, ValueError),
            ("num_workers", 0, ValueError),
            ("bandwidth", NAN, ValueError),
            ("bytes_per_param", "4", TypeError),
            ("global_batch_size", 0, ValueError, "global_batch_size must be finite and > 0"),
            ("global_batch_size", True, TypeError, "global_batch_size must be a number"),
            ("global_batch_size", "256", TypeError, "global_batch_size must be an array"),
            ("global_batch_size", NAN, ValueError, "global_batch_size must be finite"),
        ],  # fmt: skip
    ),
    "allreduce_cost.speedup_curves": (
        dict(
            models={
                "cnn": {"params": 93322, "train_flops_per_sample": 1.7e7, "global_batch_size": 256}
            },
            links={"ethernet": {"bandwidth": 1.25e9, "latency": 1e-5}},
            num_workers=np.arange(1, 5),
            flops_per_second=1.5e11,
        ),
        [
            ("models", {}, ValueError),
            ("links", "ethernet", TypeError),
            ("num_workers", np.array([0, 1]), ValueError),
            ("num_workers", np.array([[1, 2, 3, 4]]), ValueError, "num_workers must have 1 dim"),
            ("num_workers", 4, ValueError, r"num_workers must have 1 dimensions, got shape \(\)"),
            ("num_workers", np.zeros(0, int), ValueError, "num_workers must have at least 1"),
        ],  # fmt: skip
    ),
    "allreduce_cost.speedup_table": (
        dict(
            models={
                "cnn": {"params": 93322, "train_flops_per_sample": 1.7e7, "global_batch_size": 256}
            },
            links={"ethernet": {"bandwidth": 1.25e9, "latency": 1e-5}},
            num_workers=4,
            flops_per_second=1.5e11,
        ),
        [
            ("models", [], TypeError),
            ("links", {}, ValueError),
            ("flops_per_second", 0.0, ValueError),
        ],  # fmt: skip
    ),
    "pipeline.bubble_fraction": (
        dict(num_stages=4, num_microbatches=8),
        [
            ("num_stages", 0, ValueError),
            ("num_microbatches", -1, ValueError),
            ("num_stages", 4.0, TypeError),
        ],  # fmt: skip
    ),
    "pipeline.stage_order": (
        dict(stage=0, num_stages=4, num_microbatches=8),
        [
            ("stage", 4, ValueError),
            ("stage", -1, ValueError),
            ("schedule", "zigzag", ValueError),
            ("num_microbatches", True, TypeError),
        ],  # fmt: skip
    ),
    "pipeline.simulate_schedule": (
        dict(num_stages=2, num_microbatches=4),
        [
            ("num_stages", 0, ValueError),
            ("forward_ticks", 0, ValueError),
            ("backward_ticks", "2", TypeError),
            ("schedule", "1f1b2", ValueError),
        ],  # fmt: skip
    ),
    "pipeline.schedule_text": (
        dict(busy=Lazy("busy")),
        [
            ("busy", np.ones(3), ValueError),
            ("busy", np.full((2, 2), 5), ValueError),
            ("busy", "busy", ValueError),
        ],  # fmt: skip
    ),
    "pipeline.bubble_table": (
        dict(stages=(2, 4), microbatches=(4, 8)),
        [
            ("stages", (0,), ValueError),
            ("microbatches", (-1,), ValueError),
            ("schedule", "x", ValueError),
        ],  # fmt: skip
    ),
    "memory.state_bytes_per_parameter": (
        dict(),
        [
            ("precision", "float8", ValueError),
            ("optimizer", "lamb", ValueError),
            ("precision", None, ValueError),
        ],  # fmt: skip
    ),
    "memory.state_bytes": (
        dict(num_params=1e6),
        [
            ("num_params", 0.0, ValueError),
            ("num_params", NAN, ValueError),
            ("num_params", "1e6", TypeError),
            ("optimizer", "rmsprop2", ValueError),
        ],  # fmt: skip
    ),
    "memory.mlp_activation_values": (
        dict(batch_size=2, seq_len=8, d_model=16, mlp_dim=64),
        [("batch_size", 0, ValueError), ("seq_len", -8, ValueError), ("mlp_dim", "64", TypeError)],
    ),
    "memory.layer_activation_bytes": (
        dict(batch_size=2, seq_len=8, d_model=16, num_heads=2),
        [
            ("num_heads", 0, ValueError),
            ("d_model", 1.5, TypeError),
            ("recompute", "yes", TypeError),
        ],  # fmt: skip
    ),
    "memory.devices_needed": (
        dict(total_bytes=1e10, device_bytes=8e9),
        [
            ("device_bytes", 0.0, ValueError),
            ("total_bytes", -1.0, ValueError),
            ("total_bytes", INF, ValueError),
        ],  # fmt: skip
    ),
    "distillation_experiments.offline_cost_judgement": (
        dict(ratios=[0.9, 1.0, 1.1]),
        [
            ("ratios", [1.0], ValueError, "at least two"),
            ("ratios", [1.0, -1.0], ValueError, "ratios"),
            ("ratios", [1.0, NAN], ValueError, "ratios"),
            ("ratios", "1,2", TypeError, "ratios"),
            ("limit", 1.0, ValueError, "limit"),
        ],
    ),
    "distillation_runs.offline_epoch_cost": (
        dict(x=IMAGES, y=Y4, t=T4, alpha=0.5, T=2.0, rounds=2, batch_size=4),
        [
            ("rounds", 1, ValueError, "rounds"),
            ("t", np.zeros((3, 10)), ValueError, "len"),
            ("alpha", 1.5, ValueError, "alpha"),
            ("builder", "student", TypeError, "builder"),
            ("x", "images", TypeError, "x"),
        ],
    ),
    "memory.count_training_state": (
        dict(model=STUDENT, optimizer=Lazy("built_adam")),
        [
            ("model", "cnn", TypeError),
            ("optimizer", "adam", TypeError),
            ("optimizer", None, TypeError),
        ],  # fmt: skip
    ),
    "memory.state_table": (
        dict(num_params=1e6, device_bytes=8e9),
        [
            ("num_params", -1.0, ValueError),
            ("device_bytes", NAN, ValueError),
            ("device_bytes", "8GB", TypeError),
        ],  # fmt: skip
    ),
    "distributed_loop.shared_cores_reading": (
        dict(judgement={"verdict": "holds"}),
        [
            ("judgement", "holds", TypeError),
            ("judgement", {"effect": 1.2}, ValueError, "verdict"),
            ("judgement", {"verdict": "faster"}, ValueError, "verdict"),
        ],  # fmt: skip
    ),
    "memory.measured_peak_bytes": (
        dict(run=lambda: None),
        [("run", None, TypeError), ("run", 3, TypeError), ("run", "fit", TypeError)],
    ),
}
HEAVY = (  # their good call trains
    "efficient.train",
    "efficient.train_variants",
    "distillation_models.train_teacher",
    "distillation.train_student",
    "distillation_experiments.paired_seeds",
    "distillation_experiments.omitted_digit",
    "distillation_runs.offline_epoch_cost",
    "distributed.compare_one_step",
    "tensor_parallel_ops.sum_out",  # its good call all-reduces: it runs inside strategy.run
    "tensor_parallel.split_mlp_block",
    "distributed_loop.train_custom_loop",
    "distributed_loop.compare_step_times",
    "distributed.fit_article_cnn",
    # they configure the process's logical CPUs, which TensorFlow allows only before it starts
    "distributed.configure_logical_cpus",
    "distributed.make_strategy",
)

(test_bad_input_raises_naming_the_argument, test_the_good_call_of_each_row_works) = make_tests(
    TABLE, heavy=HEAVY
)


def test_the_loss_terms_check_values_eagerly_and_add_no_reductions_to_a_traced_step():
    import keras
    import tensorflow as tf

    from bigmodel_utils import distillation

    T = keras.Variable(0.0, trainable=False)  # as the shared Distiller's temperature
    s = LOGITS.astype(np.float32)
    with pytest.raises(ValueError, match="T must be a number > 0"):
        distillation.distillation_terms(Y, s, s, T)  # eager: the variable's value is read
    T.assign(2.0)
    step = tf.function(lambda y, s, t: distillation.distillation_terms(y, s, t, T))
    spec = tf.TensorSpec((None, 3), tf.float32)
    graph = step.get_concrete_function(tf.TensorSpec((None,), tf.int64), spec, spec).graph
    assert not {op.type for op in graph.get_operations()} & {"IsFinite", "IsNan", "All", "Assert"}
    traced = [float(v) for v in step(tf.constant(Y), tf.constant(s), tf.constant(s))]
    eager = [float(v) for v in distillation.distillation_terms(Y, s, s, T)]
    assert traced == pytest.approx(eager) and eager[1] == pytest.approx(0.0, abs=1e-6)
    with pytest.raises(ValueError, match="t must have rank 2"):
        step.get_concrete_function(tf.TensorSpec((None,), tf.int64), spec, tf.TensorSpec((1, 2, 3)))

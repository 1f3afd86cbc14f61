"""Bad-input table for the experiments' helpers and verdicts (``generated_text``,
``language_model.split_topics``, ``parallelism``, ``rnn_experiments``, ``tensor_parallel_cost``,
``distillation_experiments``, ``bigger_model``, ``faq``): each row replaces one argument of a
good call by a bad value and names the words the error must say."""

import numpy as np
from badinput import INF, NAN, Lazy, make_tests

from bigmodel_utils.distillation_runs import Run

VOCABULARY = ["a", "b", "c"]
LINKS = {"nvlink": {"bandwidth": 3e11, "latency": 1e-6}}
CONFIG = dict(context_length=4, d_model=8, num_heads=2, num_layers=1, mlp_dim=8)
IDS = np.array([0, 1, 2, 1, 0, 2, 1, 0, 1, 2])
SCHEDULE = {"steps": 2, "batch_size": 2, "learning_rate": 1e-3}
IMAGES = np.zeros((4, 28, 28, 1), np.float32)
LABELS = np.array([0, 1, 2, 3])
PRECISION_RUN = dict(x_train=IMAGES, y_train=LABELS, x_test=IMAGES, y_test=LABELS, seeds=[0, 1],
                     rounds=1, steps_per_round=1,
                     policies=("float32", "mixed_float16"))  # fmt: skip
TIMINGS = {("lstm", 8): [2.0, 2.2, 2.1], ("attention", 8): [1.0, 1.1, 1.2]}

TABLE = {
    # ---- generated_text (3.4) --------------------------------------------------------------
    "generated_text.judge_spelling": (
        dict(model_shares=[0.5, 0.6, NAN, 0.7], bigram_shares=[0.3, 0.35, 0.4, 0.3]),
        [
            ("model_shares", "abc", TypeError),
            ("bigram_shares", [0.3, 0.35, 0.4], ValueError, "agree"),
            ("model_shares", [0.5, INF, 0.6, 0.7], ValueError),
            ("bigram_shares", [[0.3, 0.35, 0.4, 0.3]], ValueError),
            ("model_shares", [50.0, 60.0, 70.0, 65.0], ValueError, r"\[0, 1\]"),
        ],
    ),
    "generated_text.check_spelling_judgement": (
        dict(judged=Lazy("spelling_judgement")),
        [
            ("judged", None, TypeError),
            ("judged", {"verdict": "holds"}, ValueError, "spelling_en"),
            ("judged", [0.1, 0.2], TypeError),
        ],
    ),
    "generated_text.known_words": (
        dict(text="the cat sat"),
        [
            ("text", 3, TypeError, "text must be a str"),
            ("text", None, TypeError),
            ("text", ["the", "cat"], TypeError),
        ],
    ),
    "generated_text.real_word_share": (
        dict(sample="the cat", vocabulary_words={"the", "cat"}),
        [
            ("sample", 3, TypeError, "sample must be a str"),
            ("sample", None, TypeError),
            ("sample", b"the cat", TypeError),
        ],
    ),
    "generated_text.bigram_generate": (
        dict(
            train_ids=np.array([0, 1, 2, 0, 1]),
            vocabulary=VOCABULARY,
            prompt="a",
            length=3,
            temperature=1.0,
            count=2,
        ),  # fmt: skip
        [
            ("train_ids", np.array([0.5, 1.5]), TypeError),
            ("prompt", "", ValueError, "prompt must be a non-empty str"),
            ("prompt", 1, TypeError),
            ("length", -1, ValueError),
            ("temperature", 0.0, ValueError),
            ("temperature", NAN, ValueError),
            ("count", 0, ValueError),
            ("k", -1.0, ValueError),
        ],
    ),
    # ---- language_model (3.4) --------------------------------------------------------------
    "language_model.split_topics": (
        dict(validation_fraction=0.1, seed=0),
        [
            ("validation_fraction", 0.0, ValueError),
            ("validation_fraction", 1.5, ValueError),
            ("validation_fraction", "0.1", TypeError),
            ("seed", -1, ValueError),
        ],
    ),
    # ---- parallelism (3.3) -----------------------------------------------------------------
    "parallelism.sequence_model": (
        dict(kind="attention", sequence_length=8, width=8, num_heads=2),
        [
            ("kind", "gru", ValueError, "kind must be one of"),
            ("sequence_length", 1, ValueError),
            ("sequence_length", 8.0, TypeError),
            ("width", 0, ValueError),
            ("num_heads", 3, ValueError, "divisible by num_heads"),
        ],
    ),
    "parallelism.judge_parallelism": (
        dict(seconds=TIMINGS),
        [
            ("seconds", [], TypeError, "seconds must be a dict"),
            ("seconds", {("lstm", 8): [1.0]}, ValueError, "seconds has no timings of 'attention'"),
            ("seconds", {("attention", 8): [1.0]}, ValueError, "seconds has no timings of 'lstm'"),
            ("recurrent", "gru", ValueError, "no timings of 'gru'"),
        ],
    ),
    "parallelism.training_step": (
        dict(model=Lazy("open_length_rnn")),
        [
            ("model", "rnn", TypeError, "model"),
            ("model", None, TypeError, "model"),
            ("learning_rate", 0.0, ValueError, "learning_rate"),
            ("learning_rate", NAN, ValueError, "learning_rate"),
        ],
    ),
    "parallelism.time_training_steps": (
        dict(lengths=[4], kinds=("rnn", "attention"), batch_size=2, repeats=2, warmup=1),
        [
            ("lengths", [1], ValueError, "lengths"),
            ("lengths", [4.0], TypeError, "lengths"),
            ("kinds", ("gru",), ValueError, "kinds must be one of"),
            ("batch_size", 0, ValueError),
            ("repeats", 1, ValueError),
            ("warmup", -1, ValueError),
        ],
    ),
    # ---- precision (5.1) -------------------------------------------------------------------
    "precision.compare_precisions": (
        PRECISION_RUN,
        [
            ("rounds", 0, ValueError),
            ("steps_per_round", 1.5, TypeError),
            ("seeds", [0], ValueError, "seeds must hold at least 2 seeds"),
            ("seeds", [0, -1], ValueError, "seeds"),
            ("policies", ("float32", "float8"), ValueError, "policies must be one of"),
            ("y_train", LABELS[:3], ValueError, "x_train"),
            ("y_test", LABELS[:2], ValueError, "y_test"),
        ],
    ),
    "precision.train_step": (
        dict(model=Lazy("article_cnn"), learning_rate=1e-3),
        [
            ("model", "cnn", TypeError),
            ("model", None, TypeError),
            ("learning_rate", 0.0, ValueError, "learning_rate"),
            ("learning_rate", "fast", TypeError),
        ],
    ),
    "precision.paired_accuracy_gain": (
        dict(correct_baseline=np.ones((2, 3), bool), correct_treatment=np.ones((2, 3), bool)),
        [
            ("correct_baseline", np.ones(3, bool), ValueError, "correct_baseline"),
            ("correct_baseline", np.full((2, 3), NAN), ValueError, "finite"),
            ("correct_treatment", np.ones((2, 4), bool), ValueError, "same shape"),
            ("correct_treatment", "yes", TypeError),
            ("confidence", 1.5, ValueError, "confidence"),
        ],
    ),
    # ---- rnn_experiments (3.2) -------------------------------------------------------------
    "rnn_experiments.against_baseline": (
        dict(test_mse=0.01, baseline_mse=0.17),
        [
            ("test_mse", -0.1, ValueError),
            ("baseline_mse", 0.0, ValueError),
            ("baseline_mse", "0.17", TypeError),
            ("lang", "fr", ValueError, "lang must be one of"),
        ],
    ),
    "rnn_experiments.solved_lengths": (
        dict(lengths=[10, 20]),
        [
            ("lang", "fr", ValueError, "lang must be one of"),
            ("lengths", [1], ValueError),
            ("lengths", [10.5], TypeError),
        ],
    ),
    # ---- tensor_parallel_cost (5.4) --------------------------------------------------------
    "tensor_parallel_cost.communication_per_step": (
        dict(batch_size=8, seq_len=16, d_model=32, mlp_dim=128, num_devices=2, links=LINKS),
        [
            ("batch_size", 0, ValueError),
            ("seq_len", 1.5, TypeError),
            ("mlp_dim", -4, ValueError),
            ("num_devices", True, TypeError),
            ("links", {"nvlink": {"bandwidth": 3e11}}, TypeError, "links must be"),
            ("links", [], TypeError, "links must be"),
        ],
    ),
    # ---- distillation_experiments (5.3) ----------------------------------------------------
    "distillation_experiments.gap_recovery": (
        dict(
            teacher_accuracy=0.99,
            scratch_accuracies=[0.95, 0.96],
            distilled_accuracies=[0.97, 0.975],
        ),  # fmt: skip
        [
            ("teacher_accuracy", 1.5, ValueError),
            ("teacher_accuracy", 0.9, ValueError, "teacher_accuracy must exceed"),
            ("scratch_accuracies", [INF, 0.96], ValueError, "scratch_accuracy"),
            ("distilled_accuracies", [-0.1, 0.97], ValueError, "distilled_accuracy"),
        ],
    ),
    # ---- bigger_model (5.4) ----------------------------------------------------------------
    "bigger_model.parameter_count": (
        dict(config=CONFIG, vocab_size=5),
        [
            ("config", {"d_model": 8}, TypeError, "config must be a dict"),
            ("config", None, TypeError, "config"),
            ("vocab_size", 5.0, TypeError, "vocab_size must be an int"),
            ("vocab_size", True, TypeError, "vocab_size"),
        ],
    ),
    "bigger_model.train_char_lm": (
        dict(config=CONFIG, schedule=SCHEDULE, train_ids=IDS, vocab_size=3),
        [
            ("config", {}, TypeError, "config must be a dict"),
            ("schedule", {"steps": 2}, TypeError, "schedule must be a dict"),
            ("schedule", {**SCHEDULE, "steps": 0}, ValueError, "schedule needs steps"),
            ("schedule", {**SCHEDULE, "learning_rate": 0.0}, ValueError, "schedule"),
        ],
    ),
    "bigger_model.chunk_cross_entropy": (
        dict(model=Lazy("char_lm"), validation_ids=IDS, chunk_length=4),
        [
            ("chunk_length", 4.0, TypeError, "chunk_length must be an int"),
            ("chunk_length", 6, ValueError, "chunk_length=6 must be a multiple"),
            ("chunk_length", 2, ValueError, "chunk_length"),
            ("model", "x", TypeError, "model"),
            ("model", None, TypeError, "model"),
            ("validation_ids", IDS[None], ValueError, "validation_ids must have 1 dimensions"),
            ("validation_ids", IDS[:4], ValueError, "validation_ids must hold more than chunk"),
            ("validation_ids", np.full(10, "a"), TypeError, "validation_ids must be a int array"),
            ("validation_ids", IDS + 1, ValueError, r"validation_ids must lie in \[0, 3\)"),
            ("batch_size", 0, ValueError, "batch_size"),
        ],
    ),
    # ---- faq (6) ---------------------------------------------------------------------------
    "faq.describe": (
        dict(found={"ch02": {"accuracy": 0.9}}, missing={"ch05_1": "not run"}),
        [
            ("found", None, TypeError),
            ("found", {"ch02": 0.9}, TypeError, "found"),
            ("missing", "ch05_1", TypeError),
            ("missing", [3], TypeError, "missing"),
        ],
    ),
    "faq.if_all_measured": (
        dict(line="", cell="print(1)"),
        [("line", None, TypeError), ("cell", None, TypeError), ("cell", b"print(1)", TypeError)],
    ),
    "faq.load_available": (
        dict(chapters=["ch_never_run"]),
        [
            ("chapters", [], ValueError, "chapters must be a non-empty list"),
            ("chapters", "ch02", ValueError, "chapters must be a non-empty list"),
            ("chapters", [""], ValueError, "chapters must hold non-empty chapter names"),
            ("chapters", [3], ValueError, "chapters must hold"),
        ],
    ),
    "faq.mixed_precision_clause": (
        dict(time_ratio={"mean": 2.8, "low": 1.5, "high": 4.0}, lang="zh"),
        [
            ("time_ratio", 2.8, TypeError, "time_ratio must be a dict"),
            ("time_ratio", {"mean": 2.8}, ValueError, "time_ratio is missing the key"),
            (
                "time_ratio",
                {"mean": 0.0, "low": 1.0, "high": 2.0},
                ValueError,
                "must be a number > 0",
            ),
            (
                "time_ratio",
                {"mean": "2", "low": 1.0, "high": 2.0},
                TypeError,
                "must be a real number",
            ),
            (
                "time_ratio",
                {"mean": 3.0, "low": 1.0, "high": 2.0},
                ValueError,
                "low <= mean <= high",
            ),
            ("lang", "fr", ValueError, "lang must be one of"),
        ],
    ),
    "faq.speedup_verdict": (
        dict(speedup=1.2),
        [
            ("speedup", -1.0, ValueError, "speedup must be a number > 0"),
            ("speedup", float("nan"), ValueError, "speedup must be a finite number"),
            ("lang", "EN", ValueError, "lang must be one of"),
        ],
    ),
    "faq.speedup_answer": (
        dict(speedup=1.2),
        [
            ("speedup", 0.0, ValueError, "speedup must be a number > 0"),
            ("speedup", "2x", TypeError, "speedup"),
            ("lang", "fr", ValueError, "lang must be one of"),
        ],
    ),
    "faq.data_clause": (
        dict(cnn_accuracy=0.95, vit_accuracy=0.81),
        [
            ("cnn_accuracy", 95.0, ValueError, "cnn_accuracy must be a number in"),
            ("vit_accuracy", None, TypeError, "vit_accuracy must be a real number"),
            ("lang", None, ValueError, "lang must be one of"),
        ],
    ),
    "faq.memory_clause": (
        dict(rnn_mse=0.17, baseline_mse=0.167),
        [
            ("rnn_mse", -0.1, ValueError, "rnn_mse must be a number >= 0"),
            ("baseline_mse", 0.0, ValueError, "baseline_mse must be a number > 0"),
            ("lang", "cn", ValueError, "lang must be one of"),
        ],
    ),
}

# ---- chapter 5.3's experiments and the runs behind them ------------------------------------------
TEACHER_LOGITS = np.zeros((4, 10), np.float32)
RUNS = [Run(0), Run(0, 0.1, 20.0)]
TABLE.update(
    {
        "distillation_experiments.paired_gain": (
            dict(baseline=[0.90, 0.91, 0.92], treatment=[0.92, 0.93, 0.95]),
            [
                ("baseline", [0.9], ValueError, "baseline"),
                ("treatment", [0.9, 0.8], ValueError, "treatment"),
                ("treatment", "abc", TypeError, "treatment"),
                ("test_size", 0, ValueError, "test_size"),
            ],
        ),
        "distillation_experiments.temperature_sweep": (
            dict(
                x=IMAGES,
                y=LABELS,
                t=TEACHER_LOGITS,
                x_test=IMAGES,
                y_test=LABELS,
                temperatures=[1.0, 20.0],
                seeds=2,
                alpha=0.1,
                epochs=1,
                known={1.0: [0.5, 0.6], 20.0: [0.7, 0.8]},
            ),  # fmt: skip
            [
                ("seeds", 0, ValueError, "seeds"),
                ("seeds", 2.5, TypeError, "seeds"),
                ("temperatures", "ab", TypeError, "temperatures"),
                ("temperatures", [], ValueError, "temperatures"),
                ("temperatures", [1.0, 0.0], ValueError, "temperatures"),
                ("temperatures", [1.0, "20"], TypeError, "temperatures"),
                ("alpha", 1.5, ValueError, "alpha"),
                ("known", [0.5], TypeError, "known"),
                ("x", np.full_like(IMAGES, np.nan), ValueError, "x must be finite"),
                ("x", IMAGES[:0], ValueError, "x must have at least 1 element"),
                ("y", LABELS[:1], ValueError, "len"),
                ("t", np.full((len(LABELS), 10), "a"), TypeError, "t must be a numeric array"),
                ("x_test", np.full(IMAGES.shape, "a"), TypeError, "x_test must be a numeric"),
                ("y_test", np.array(["a"] * len(LABELS)), TypeError, "y_test"),
            ],
        ),
        "distillation_runs.Run": (
            dict(seed=0, alpha=0.1, T=20.0),
            [
                ("seed", -1, ValueError, "seed"),
                ("alpha", 1.5, ValueError, "alpha"),
                ("T", 0.0, ValueError, "T"),
                ("T", "20", TypeError, "T"),
            ],
        ),
        "distillation_runs.SharedDistiller": (
            dict(student=Lazy("student")),
            [
                ("student", None, TypeError, "student"),
                ("student", "student", TypeError, "student"),
                ("student", 3, TypeError, "student"),
            ],
        ),
        "distillation_runs.train_students": (
            dict(x=IMAGES, y=LABELS, t=TEACHER_LOGITS, runs=RUNS, epochs=1),
            [
                ("runs", [], TypeError, "runs"),
                ("runs", [(0, 1.0, 1.0)], TypeError, "runs"),
                ("runs", "runs", TypeError, "runs"),
                ("epochs", 0, ValueError, "epochs"),
                ("y", LABELS[:2], ValueError, "len"),
            ],
        ),
        "distillation.seeded_batches": (
            dict(x=IMAGES, targets=LABELS, seed=0, batch_size=2),
            [
                ("seed", -1, ValueError, "seed"),
                ("seed", "0", TypeError, "seed"),
                ("batch_size", 0, ValueError, "batch_size"),
                ("x", np.full(IMAGES.shape, "a"), TypeError, "x must be a numeric array"),
                ("x", np.full(IMAGES.shape, np.nan), ValueError, "x must be finite"),
                ("x", IMAGES[:0], ValueError, "x must have at least 1 element"),
                ("targets", np.full(4, "a"), TypeError, "targets must be a numeric array"),
                ("targets", LABELS[:3], ValueError, r"len\(targets\) \(3\) and len\(x\) \(4\)"),
                (
                    "targets",
                    {"y": LABELS, "t": TEACHER_LOGITS[:2]},
                    ValueError,
                    "len.targets.'t'..",
                ),
                ("targets", {"y": LABELS, "t": TEACHER_LOGITS * np.nan}, ValueError, "finite"),
            ],
        ),
        "training.fit_classifier": (
            dict(model=Lazy("student"), x=IMAGES, y=LABELS, epochs=1, from_logits=True),
            [
                ("model", "cnn", TypeError, "model"),
                ("epochs", 0, ValueError, "epochs"),
                ("learning_rate", 0.0, ValueError, "learning_rate"),
                ("from_logits", "yes", TypeError, "from_logits"),
                ("y", LABELS[:2], ValueError, "len"),
            ],
        ),
        "bigger_model.gain_sentence": (
            dict(
                small_ce=np.array([1.5, 1.7]),
                big_ce=np.array([1.4, 1.6]),
                judgement={
                    "effect_en": "0.1",
                    "effect_zh": "0.1",
                    "words_en": "Holds",
                    "words_zh": "成立",
                },
            ),  # fmt: skip
            [
                ("big_ce", np.array([1.4]), ValueError, "big_ce"),
                ("small_ce", "1.5", TypeError, "small_ce"),
                ("judgement", {"effect_en": "0.1"}, ValueError, "judgement"),
                ("judgement", "holds", TypeError, "judgement"),
                ("peak", 3, TypeError, "peak"),
            ],
        ),
        "tensor_parallel_cost.tp_vs_dp_clause": (
            dict(tp_over_dp=2.0),
            [
                ("tp_over_dp", 0.0, ValueError, "tp_over_dp"),
                ("tp_over_dp", NAN, ValueError, "tp_over_dp"),
                ("tp_over_dp", "2", TypeError, "tp_over_dp"),
            ],
        ),
        "memory.peak_sentence": (
            dict(peak={"peak": 1e7}, state_estimate=4e6),
            [
                ("state_estimate", -1.0, ValueError, "state_estimate"),
                ("peak", 3, TypeError, "peak"),
                ("peak", {"current": 1}, ValueError, "peak"),
            ],
        ),
        "memory.cpu_counter": (
            dict(device="CPU:0"),
            [
                ("device", 0, TypeError, "device"),
                ("device", None, TypeError, "device"),
                ("device", b"CPU:0", TypeError, "device"),
            ],
        ),
    }
)

HEAVY = (  # their good calls train
    "distillation_runs.train_students",
    "training.fit_classifier",
    "parallelism.time_training_steps",
    "precision.compare_precisions",
    "bigger_model.train_char_lm",
)

(test_bad_input_raises_naming_the_argument, test_the_good_call_of_each_row_works) = make_tests(
    TABLE, heavy=HEAVY
)

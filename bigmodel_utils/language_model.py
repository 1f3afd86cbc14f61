"""Chapter 3.4: a language model in miniature, character by character.

Text helpers (vocabulary, encode/decode, windows), the n-gram baselines every language
model must beat (unigram and bigram cross-entropy with add-k smoothing, in nats per
character), a small causal Transformer built from
:class:`bigmodel_utils.transformer_layers.EncoderBlock` with ``causal=True``, temperature sampling,
and the corpus split by topic.
"""

import keras
import numpy as np
from keras import layers

from bigmodel_utils import checks, profile, transformer
from bigmodel_utils.transformer_layers import EncoderBlock, PositionalEmbedding


def build_vocabulary(text):
    """The sorted list of distinct characters of ``text`` (index = token id)."""
    checks.string(text, "text")
    return sorted(set(text))


def encode(text, vocabulary):
    """Characters -> int32 token ids. Raises ValueError naming ``text`` on an unknown character."""
    checks.string(text, "text")
    checks.non_empty(vocabulary, "vocabulary")
    [checks.string(char, "vocabulary[i]") for char in vocabulary]
    index = {char: i for i, char in enumerate(vocabulary)}
    unknown = sorted(set(text) - index.keys())
    if unknown:
        raise ValueError(f"text holds characters outside the vocabulary: {unknown[:10]!r}")
    return np.array([index[char] for char in text], dtype=np.int32)


def decode(ids, vocabulary):
    """Token ids ``(n,)`` -> str (none: ``""``). Raises naming ``ids`` unless 1-D and in range."""
    ids = checks.array(ids, "ids", 1, dtype_kind="int", min_size=0)  # (n,): one text, not a batch
    checks.non_empty(vocabulary, "vocabulary")
    [checks.string(char, "vocabulary[i]") for char in vocabulary]
    if ids.size and (ids.min() < 0 or ids.max() >= len(vocabulary)):
        raise ValueError(f"ids must lie in [0, {len(vocabulary)}), got {ids.min()}..{ids.max()}")
    return "".join(vocabulary[i] for i in ids)


def split_ids(ids, validation_fraction=0.1):
    """Split a token sequence in two contiguous parts: (train, validation = the last fraction)."""
    ids = checks.array(ids, "ids", 1, dtype_kind="int")
    checks.fraction(validation_fraction, "validation_fraction")
    if not 0.0 < validation_fraction < 1.0:
        raise ValueError(f"validation_fraction must be in (0, 1), got {validation_fraction!r}")
    cut = int(round(len(ids) * (1.0 - validation_fraction)))
    return ids[:cut], ids[cut:]


def split_topics(validation_fraction=0.1, seed=0):
    """Python's help topics split at random, by topic: (train text, validation text, their names).

    Chapter 3.4. A seeded random share ``validation_fraction`` of the ``pydoc_data.topics`` pages
    (at least one) is held out whole, so the validation text is a fair sample of the corpus, not
    its alphabetically last pages. Each part joins its topics in name order, as
    :func:`bigmodel_utils.data.load_python_docs_text` joins all of them.
    """
    checks.fraction(validation_fraction, "validation_fraction")
    if not 0.0 < validation_fraction < 1.0:
        raise ValueError(f"validation_fraction must be in (0, 1), got {validation_fraction!r}")
    checks.non_negative_int(seed, "seed")
    from pydoc_data.topics import topics

    names = sorted(topics)
    count = max(1, int(round(validation_fraction * len(names))))
    held_out = set(np.random.default_rng(seed).choice(names, size=count, replace=False).tolist())
    join = lambda chosen: "\n\n".join(topics[name] for name in chosen)  # noqa: E731
    train = [name for name in names if name not in held_out]
    return join(train), join(sorted(held_out)), sorted(held_out)


def _check_ids(name, ids, vocab_size):
    ids = checks.array(ids, name, 1, dtype_kind="int", min_size=2)  # (n,) token ids, n >= 2
    if ids.min() < 0 or ids.max() >= vocab_size:
        raise ValueError(f"{name} must be ids in [0, {vocab_size}), got {ids.min()}..{ids.max()}")
    return ids


def unigram_cross_entropy(train_ids, validation_ids, vocab_size, k=1.0):
    """Validation cross-entropy (nats/char) of P(c) = (count(c) + k) / (N + kV), fitted on train.

    The baseline that knows only how common each character is (add-k smoothing, k=1: Laplace).
    """
    checks.positive_int(vocab_size, "vocab_size")
    checks.positive_float(k, "k")
    train_ids = _check_ids("train_ids", train_ids, vocab_size)
    validation_ids = _check_ids("validation_ids", validation_ids, vocab_size)
    counts = np.bincount(train_ids, minlength=vocab_size) + k
    log_p = np.log(counts / counts.sum())
    return float(-log_p[validation_ids].mean())


def bigram_cross_entropy(train_ids, validation_ids, vocab_size, k=1.0):
    """Validation cross-entropy (nats/char) of P(b | a) = (count(a, b) + k) / (count(a) + kV).

    The baseline that knows which character tends to follow which; fitted on train,
    measured on every (a, b) pair of the validation text.
    """
    checks.positive_int(vocab_size, "vocab_size")
    checks.positive_float(k, "k")
    train_ids = _check_ids("train_ids", train_ids, vocab_size)
    validation_ids = _check_ids("validation_ids", validation_ids, vocab_size)
    counts = np.full((vocab_size, vocab_size), float(k))  # (previous, next)
    np.add.at(counts, (train_ids[:-1], train_ids[1:]), 1.0)
    log_p = np.log(counts / counts.sum(axis=1, keepdims=True))
    return float(-log_p[validation_ids[:-1], validation_ids[1:]].mean())


def make_windows(ids, context_length, stride=None):
    """Cut ``ids`` into (input, target) windows; the target is the input shifted by one.

    Returns:
        ``(inputs, targets)``, both int32 ``(num_windows, context_length)``; windows start
        every ``stride`` tokens (default: ``context_length``, no overlap).
    """
    ids = checks.array(ids, "ids", 1, dtype_kind="int")
    checks.positive_int(context_length, "context_length")
    if stride is not None:
        checks.positive_int(stride, "stride")
    ids = np.asarray(ids, dtype=np.int32)
    stride = context_length if stride is None else stride
    if context_length <= 0 or stride <= 0 or len(ids) < context_length + 1:
        raise ValueError(
            f"need context_length, stride > 0 and len(ids) > context_length, "
            f"got {context_length}, {stride}, {len(ids)}"
        )
    starts = np.arange(0, len(ids) - context_length, stride)
    offsets = starts[:, None] + np.arange(context_length)[None, :]  # (num_windows, context_length)
    return ids[offsets], ids[offsets + 1]


def random_batches(ids, context_length, batch_size, seed=0):
    """Endless ``(inputs, targets)`` batches of windows starting at random places of ``ids``.

    Yields int32 arrays ``(batch_size, context_length)``; for ``model.fit(..., steps_per_epoch=n)``.
    """
    ids = checks.array(ids, "ids", 1, dtype_kind="int")
    checks.positive_int(context_length, "context_length")
    checks.positive_int(batch_size, "batch_size")
    checks.non_negative_int(seed, "seed")
    ids = np.asarray(ids, dtype=np.int32)
    if context_length <= 0 or batch_size <= 0 or len(ids) < context_length + 1:
        raise ValueError(
            f"need context_length, batch_size > 0 and len(ids) > context_length, "
            f"got {context_length}, {batch_size}, {len(ids)}"
        )
    return _batches(ids, context_length, batch_size, np.random.default_rng(seed))


def _batches(ids, context_length, batch_size, rng):
    """The generator behind :func:`random_batches` (checked before the first batch is asked for)."""
    positions = np.arange(context_length)[None, :]  # (1, context_length)
    while True:
        starts = rng.integers(0, len(ids) - context_length, size=(batch_size, 1))  # (batch, 1)
        yield ids[starts + positions], ids[starts + positions + 1]


def char_lm_config(profile_name=None):
    """The character model's settings in the active profile, shared by every chapter that builds it.

    ``profile_name`` (``"quick"`` or ``"full"``) asks for that profile's settings instead
    (chapter 5.4 compares the quick model with a larger one in the full profile).
    """
    settings = dict(
        quick=dict(
            context_length=32, d_model=64, num_heads=4, num_layers=2, mlp_dim=128, dropout=0.0
        ),
        full=dict(
            context_length=128, d_model=128, num_heads=4, num_layers=4, mlp_dim=512, dropout=0.1
        ),
    )
    if profile_name is None:
        return profile.choose(**settings)
    if profile_name not in profile.PROFILES:
        raise ValueError(f"profile_name must be one of {profile.PROFILES}, got {profile_name!r}")
    return settings[profile_name]


def build_char_lm(
    vocab_size, context_length, d_model=64, num_heads=4, num_layers=2, mlp_dim=256, dropout=0.0
):
    """A small GPT-style causal Transformer over characters; outputs next-character logits.

    Chapter 3.4: embedding + learned positions -> ``num_layers`` pre-norm
    :class:`~bigmodel_utils.transformer_layers.EncoderBlock` with the causal mask -> LayerNorm ->
    Dense.
    ``(batch, context_length)`` ids -> ``(batch, context_length, vocab_size)`` logits; the
    logits at position t depend on ids 0..t only. Uncompiled.
    """
    for name in ("vocab_size", "context_length", "d_model", "num_heads", "num_layers", "mlp_dim"):
        checks.positive_int(locals()[name], name)
    if context_length <= 0 or num_layers <= 0:
        raise ValueError(
            f"context_length and num_layers must be positive, got {context_length}, {num_layers}"
        )
    inputs = keras.Input(shape=(context_length,), dtype="int32", name="ids")
    x = layers.Embedding(vocab_size, d_model, name="token_embedding")(
        inputs
    )  # (batch, seq, d_model)
    x = PositionalEmbedding(context_length, d_model, name="position_embedding")(x)
    for index in range(num_layers):
        x = EncoderBlock(
            d_model, num_heads, mlp_dim, dropout, causal=True, name=f"decoder_block_{index}"
        )(x)
    x = layers.LayerNormalization(epsilon=1e-6, name="final_norm")(x)
    logits = layers.Dense(vocab_size, name="next_char_logits")(x)  # (batch, seq, vocab)
    return keras.Model(inputs, logits, name="char_transformer")


def sample_next(logits, temperature, rng):
    """Draw one id per row from softmax(logits / temperature).

    Temperature < 1 sharpens the distribution (safer, more repetitive text), > 1 flattens it.

    Args:
        logits: ``(batch, vocab)``.
        temperature: a positive float, or one per row ``(batch,)``.
        rng: a ``numpy.random.Generator``.
    """
    logits = checks.array(logits, "logits", 2)
    if checks.array(temperature, "temperature", (0, 1)).dtype.kind == "b":
        raise TypeError(f"temperature must be a positive float, got {temperature!r}")
    checks.instance(rng, "rng", np.random.Generator)
    logits = np.asarray(logits, dtype=np.float64)
    temperature = np.broadcast_to(np.asarray(temperature, dtype=np.float64), logits.shape[:1])
    if logits.ndim != 2 or np.any(temperature <= 0):
        raise ValueError(
            f"need logits (batch, vocab) and temperature > 0, got {logits.shape}, {temperature}"
        )
    probabilities = transformer.softmax(logits / temperature[:, None], axis=-1)  # (batch, vocab)
    cumulative = np.cumsum(probabilities, axis=-1)
    draws = rng.random((len(logits), 1)) * cumulative[:, -1:]
    return (cumulative < draws).sum(axis=-1)  # (batch,)


def generate(model, prompt, vocabulary, length, temperatures=(1.0,), seed=0):
    """Continue ``prompt`` by ``length`` characters once per temperature, all in one batch.

    The model sees the last ``context_length`` characters, left-aligned; thanks to the
    causal mask, the padding after the last real character cannot change its logits.

    Returns:
        A list of strings (prompt + continuation), one per temperature.
    """
    checks.keras_model(model, "model")
    checks.string(prompt, "prompt")
    checks.non_negative_int(length, "length")
    [
        checks.positive_float(t, "temperatures[i]")
        for t in checks.non_empty(temperatures, "temperatures")
    ]
    checks.non_negative_int(seed, "seed")
    context_length = model.input_shape[1]
    rng = np.random.default_rng(seed)
    rows = [list(encode(prompt, vocabulary)) for _ in temperatures]
    if not rows[0]:
        raise ValueError("prompt must hold at least one character")
    for _ in range(length):
        window = [row[-context_length:] for row in rows]
        used = len(window[0])
        batch = np.zeros(
            (len(rows), context_length), dtype=np.int32
        )  # (temperatures, context_length)
        batch[:, :used] = window
        logits = keras.ops.convert_to_numpy(model.predict_on_batch(batch))[
            :, used - 1
        ]  # (temperatures, vocab)
        for row, token in zip(rows, sample_next(logits, temperatures, rng)):
            row.append(int(token))
    return [decode(row, vocabulary) for row in rows]

"""Chapter 5.4: the character model of chapter 3.4, grown and trained longer.

The same builder, :func:`bigmodel_utils.language_model.build_char_lm`, with a wider, deeper
configuration and a longer context; both models are scored on the same validation characters,
so their difference per chunk of text gives a paired interval of the gain (the test-set error
of a single run, not the spread between seeds).
"""

import keras
import numpy as np

from bigmodel_utils import checks, training, transformer_layers
from bigmodel_utils import language_model as lm

# The larger character model: >= 10x the parameters of the quick profile's model.
BIG_CONFIG = dict(
    context_length=128, d_model=256, num_heads=8, num_layers=6, mlp_dim=1024, dropout=0.1
)
SCHEDULE_KEYS = ("steps", "batch_size", "learning_rate")


def _check_config(config):
    needed = {"context_length", "d_model", "num_heads", "num_layers", "mlp_dim"}
    if not isinstance(config, dict) or not needed <= set(config):
        raise TypeError(f"config must be a dict with {sorted(needed)}, got {config!r}")


def parameter_count(config, vocab_size):
    """Parameters of the character model built from ``config`` (built, not trained).

    Chapter 5.4. Raises TypeError naming ``config`` if a setting is missing.
    """
    _check_config(config)
    if isinstance(vocab_size, bool) or not isinstance(vocab_size, (int, np.integer)):
        raise TypeError(f"vocab_size must be an int, got {type(vocab_size).__name__}")
    return int(lm.build_char_lm(int(vocab_size), **config).count_params())


def train_char_lm(config, schedule, train_ids, vocab_size, seed=0):
    """Build and train the character model of ``config`` on random windows of ``train_ids``.

    Chapter 5.4: chapter 3.3's recipe (warm-up + cosine Adam, cross-entropy on every position).

    Args:
        config: settings for :func:`~bigmodel_utils.language_model.build_char_lm`.
        schedule: ``{"steps", "batch_size", "learning_rate"}``.
    Returns:
        ``(model, seconds)``: the trained model and the wall-clock seconds of training.
    Raises:
        TypeError/ValueError: naming ``config`` or ``schedule`` if a setting is missing or bad.
    """
    _check_config(config)
    if not isinstance(schedule, dict) or not set(SCHEDULE_KEYS) <= set(schedule):
        raise TypeError(f"schedule must be a dict with {SCHEDULE_KEYS}, got {schedule!r}")
    if schedule["steps"] < 1 or schedule["batch_size"] < 1 or not schedule["learning_rate"] > 0:
        raise ValueError(f"schedule needs steps, batch_size >= 1 and learning_rate > 0: {schedule}")
    keras.utils.set_random_seed(seed)
    model = lm.build_char_lm(vocab_size, **config)
    run = training.fit_and_time(
        model,
        lm.random_batches(train_ids, config["context_length"], schedule["batch_size"], seed=seed),
        epochs=1,
        steps_per_epoch=schedule["steps"],
        optimizer=transformer_layers.warmup_cosine_adam(
            schedule["learning_rate"], schedule["steps"]
        ),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=None,
    )
    return model, run.total_seconds


def _check_validation_ids(ids, chunk_length, vocab_size):
    """Raise unless ``ids`` are more than ``chunk_length`` token ids (1-D) in [0, vocab_size)."""
    ids = checks.array(ids, "validation_ids", 1, dtype_kind="int")  # (n,)
    if len(ids) <= chunk_length:
        raise ValueError(
            f"validation_ids must hold more than chunk_length={chunk_length} ids, got {len(ids)}"
        )
    if ids.min() < 0 or ids.max() >= vocab_size:
        raise ValueError(
            f"validation_ids must lie in [0, {vocab_size}), got {ids.min()}..{ids.max()}"
        )


def chunk_cross_entropy(model, validation_ids, chunk_length, batch_size=256):
    """Mean cross-entropy (nats/char) of ``model`` on each chunk of ``chunk_length`` characters.

    Chapter 5.4: the chunks are the same for every model whose context divides
    ``chunk_length``; a shorter-context model reads each chunk as consecutive windows.

    Returns:
        A float array ``(num_chunks,)``.
    Raises:
        TypeError: naming ``model`` if it is not a Keras model.
        ValueError: if the model's context does not divide ``chunk_length``, or
            ``validation_ids`` are not 1-D int ids of the model's vocabulary, at least one chunk.
    """
    checks.keras_model(model, "model")
    context = model.input_shape[1]
    if isinstance(chunk_length, bool) or not isinstance(chunk_length, (int, np.integer)):
        raise TypeError(f"chunk_length must be an int, got {type(chunk_length).__name__}")
    if chunk_length < context or chunk_length % context:
        raise ValueError(f"chunk_length={chunk_length} must be a multiple of the context {context}")
    checks.positive_int(batch_size, "batch_size")
    _check_validation_ids(validation_ids, chunk_length, model.output_shape[-1])
    inputs, targets = lm.make_windows(validation_ids, chunk_length)  # (chunks, chunk_length)
    pieces = chunk_length // context
    inputs = inputs.reshape(-1, context)  # (chunks * pieces, context)
    targets = targets.reshape(-1, context)
    losses = []
    for start in range(0, len(inputs), batch_size):
        logits = model.predict_on_batch(inputs[start : start + batch_size])  # (b, context, vocab)
        logits = np.asarray(logits, dtype=np.float64)
        log_norm = np.log(np.exp(logits - logits.max(-1, keepdims=True)).sum(-1))
        log_norm += logits.max(-1)  # (b, context)
        picked = np.take_along_axis(logits, targets[start : start + batch_size, :, None], -1)
        losses.append(log_norm - picked[..., 0])  # (b, context)
    per_window = np.concatenate(losses).mean(axis=1)  # (chunks * pieces,)
    return per_window.reshape(-1, pieces).mean(axis=1)  # (chunks,)


def gain_sentence(small_ce=None, big_ce=None, judgement=None, peak=None):
    """The sentence on the bigger model's gain, in both languages: ``{"en": ..., "zh": ...}``.

    Chapter 5.4. Without ``judgement`` (the quick profile, which does not train the bigger model)
    it says so; with it, ``small_ce`` and ``big_ce`` are the two models' chunk cross-entropies
    (:func:`chunk_cross_entropy`) and ``judgement`` the verdict of their paired gain
    (``effect_en``/``effect_zh``, ``words_en``/``words_zh``); ``peak`` an optional measured peak
    (``{"peak": bytes}``) of one of its training steps.

    Raises:
        TypeError/ValueError: naming ``small_ce``, ``big_ce``, ``judgement`` or ``peak``.
    """
    if judgement is None:
        return {
            "en": "This page was built in the quick profile, on a CPU, so the bigger model was not "
            "trained: it runs only in the full profile. Open the chapter on Colab with a GPU to "
            "measure the gain.",
            "zh": "本页以快速配置档在 CPU 上构建，因此没有训练较大的模型：它只在完整配置档中运行。"
            "请在带 GPU 的 Colab 上打开本章来测量它的提升。",
        }
    small_ce = checks.array(small_ce, "small_ce", 1)
    big_ce = checks.array(big_ce, "big_ce", 1)
    checks.same_shape(small_ce, "small_ce", big_ce, "big_ce")
    checks.mapping(
        judgement, "judgement", required=("effect_en", "effect_zh", "words_en", "words_zh")
    )
    en = (
        f"On this page's GPU the bigger model reached {big_ce.mean():.3f} nats per character on "
        f"{len(big_ce):,} validation chunks, the quick model {small_ce.mean():.3f}: a gain of "
        f'{judgement["effect_en"]} nats per character. The claim "the bigger model predicts '
        f'the text better": {judgement["words_en"].lower()}.'
    )
    zh = (
        f"在本页的 GPU 上，较大的模型在 {len(big_ce):,} 个验证文本块上达到每字符 "
        f"{big_ce.mean():.3f} 奈特，快速模型为 {small_ce.mean():.3f}：每字符提升 "
        f"{judgement['effect_zh']} 奈特。论断“较大的模型能更好地预测文本”："
        f"{judgement['words_zh']}。"
    )
    if peak is not None:
        checks.mapping(peak, "peak", required=("peak",))
        en += f" One of its training steps peaked at {peak['peak'] / 1e6:.0f} MB of GPU memory."
        zh += f"它的一步训练占用的 GPU 内存峰值为 {peak['peak'] / 1e6:.0f} MB。"
    return {"en": en, "zh": zh}

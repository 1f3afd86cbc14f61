"""Chapter 3.3: the Transformer's equations in NumPy, one function per equation.

* ``scaled_dot_product_attention`` -- Attention(Q, K, V) = softmax(QK^T / sqrt(d_k)) V
* ``multi_head_attention`` -- MultiHead = Concat(head_1, ..., head_h) W^O, applied to
  X W_Q, X W_K, X W_V (the article's third equation, self-attention)
* ``causal_mask`` -- what a language model feeds to attention
* ``encoder_block`` -- attention and an MLP, each with a residual and a layer norm

What the encoder reads, positions and patches, is in :mod:`bigmodel_utils.transformer_inputs`.

Mask semantics everywhere (as ``keras.layers.MultiHeadAttention``'s ``attention_mask``):
``True`` (or 1) means *this query may attend to this key*; ``False`` (or 0) blocks it.
The Keras models built on these ideas live in :mod:`bigmodel_utils.vit` and
:mod:`bigmodel_utils.language_model`.
"""

import math

import numpy as np

from bigmodel_utils import checks


def _array(value, name, ndims):
    """``value`` as a float array whose rank is one of ``ndims``, else an error naming it."""
    array = checks.array(value, name, tuple(ndims))
    return array.astype(np.result_type(array.dtype, np.float32))


def softmax(scores, axis=-1):
    """Numerically stable softmax: subtract the row maximum before exponentiating.

    Entries equal to -inf get weight 0; a row that is all -inf gets all-zero weights
    (instead of NaN), so a query with nothing to attend to outputs zeros.
    """
    scores = checks.array(scores, "scores", finite=False)  # -inf is a blocked position
    checks.integer(axis, "axis", low=-scores.ndim, high=scores.ndim - 1)
    if np.isnan(scores).any():
        raise ValueError("scores must not hold NaN")
    peak = np.max(scores, axis=axis, keepdims=True)
    peak = np.where(np.isfinite(peak), peak, 0.0)  # an all -inf row: avoid inf - inf
    exps = np.exp(scores - peak)
    total = np.sum(exps, axis=axis, keepdims=True)
    return exps / np.where(total > 0, total, 1.0)


def scaled_dot_product_attention(Q, K, V, mask=None):
    """Scaled dot-product attention: each query's output is a weighted mean of the values.

    Equation: Attention(Q, K, V) = softmax(Q K^T / sqrt(d_k)) V (chapter 3.3).

    Args:
        Q: queries ``(..., seq_q, d_k)``.
        K: keys ``(..., seq_k, d_k)``, the same leading (batch, head) axes as ``Q``.
        V: values ``(..., seq_k, d_v)``.
        mask: optional, broadcastable to ``(..., seq_q, seq_k)``; True/1 = may attend,
            False/0 = blocked (weight exactly 0), as Keras' ``attention_mask``.

    Returns:
        ``(outputs, weights)``: ``(..., seq_q, d_v)`` and ``(..., seq_q, seq_k)``;
        every weight is >= 0 and each row sums to 1 (or to 0 if fully masked).

    Raises:
        ValueError: a rank below 2, mismatched ``d_k``, ``seq_k`` or leading axes,
            or a mask that does not fit the scores or holds values other than 0/1.
    """
    Q, K, V = (_array(x, name, range(2, 9)) for x, name in ((Q, "Q"), (K, "K"), (V, "V")))
    if Q.shape[-1] != K.shape[-1]:
        raise ValueError(f"Q and K must share d_k (last axis), got Q {Q.shape} and K {K.shape}")
    if K.shape[-2] != V.shape[-2]:
        raise ValueError(
            f"K and V must have the same number of keys (axis -2), got K {K.shape} and V {V.shape}"
        )
    if not Q.shape[:-2] == K.shape[:-2] == V.shape[:-2]:
        raise ValueError(
            f"Q, K and V must share their leading axes, got {Q.shape}, {K.shape}, {V.shape}"
        )
    d_k = Q.shape[-1]
    scores = Q @ np.swapaxes(K, -1, -2) / np.sqrt(d_k)  # (..., seq_q, seq_k)
    if mask is not None:
        allowed = _check_mask(mask, scores.shape)
        scores = np.where(allowed, scores, -np.inf)
    weights = softmax(scores, axis=-1)  # (..., seq_q, seq_k)
    return weights @ V, weights  # (..., seq_q, d_v), (..., seq_q, seq_k)


def _check_mask(mask, scores_shape):
    """``mask`` as booleans broadcastable to ``scores_shape``, else ValueError naming ``mask``."""
    mask = np.asarray(mask)
    if mask.dtype != bool:
        if not np.isin(mask, (0, 1)).all():
            raise ValueError("mask must hold booleans or 0/1 (1 = may attend)")
        mask = mask.astype(bool)
    if mask.ndim < 2 or mask.ndim > len(scores_shape):
        raise ValueError(
            f"mask must have rank 2..{len(scores_shape)} ending in (seq_q, seq_k), "
            f"got shape {mask.shape}"
        )
    try:
        np.broadcast_shapes(mask.shape, scores_shape)
    except ValueError:
        raise ValueError(
            f"mask of shape {mask.shape} does not broadcast to the scores {scores_shape}"
        ) from None
    return mask


def causal_mask(length):
    """Lower-triangular mask: position t may attend to positions 0..t, never to the future.

    Used by the language model of chapter 3.4; same semantics as ``mask`` above.

    Returns:
        Boolean ``(length, length)``, True on and below the diagonal.

    Raises:
        ValueError: if ``length`` is not a positive int.
    """
    checks.positive_int(length, "length")
    return np.tril(np.ones((length, length), dtype=bool))  # (seq_q, seq_k)


def split_heads(X, h):
    """Cut the last axis into ``h`` heads: ``(batch, seq, h * d_k)`` -> ``(batch, h, seq, d_k)``."""
    X = _array(X, "X", (3,))
    if checks.positive_int(h, "h") and X.shape[-1] % h:
        raise ValueError(f"h ({h}) must divide the last axis of X ({X.shape[-1]})")
    batch_size, seq_len, width = X.shape
    X = X.reshape(batch_size, seq_len, h, width // h)  # (batch, seq, heads, d_k)
    return X.transpose(0, 2, 1, 3)  # (batch, heads, seq, d_k)


def merge_heads(X):
    """Concat(head_1, ..., head_h): ``(batch, h, seq, d_v)`` -> ``(batch, seq, h * d_v)``."""
    X = _array(X, "X", (4,))
    batch_size, h, seq_len, d_v = X.shape
    X = X.transpose(0, 2, 1, 3)  # (batch, seq, heads, d_v)
    return X.reshape(batch_size, seq_len, h * d_v)  # (batch, seq, d_model)


def multi_head_attention(
    X, W_Q, W_K, W_V, W_O, h, mask=None, b_Q=None, b_K=None, b_V=None, b_O=None
):
    """Multi-head self-attention of a sequence ``X`` with ``h`` heads of size d_k = d_model / h.

    Equations: MultiHead(Q, K, V) = Concat(head_1, ..., head_h) W^O with
    head_i = Attention(Q_i, K_i, V_i), applied as Transformer(X) = MultiHead(XW_Q, XW_K, XW_V)
    (chapter 3.3): head i uses columns i*d_k .. (i+1)*d_k of XW_Q, XW_K and XW_V.

    Args:
        X: ``(batch, seq, d_model)`` or one sequence ``(seq, d_model)``.
        W_Q, W_K, W_V, W_O: ``(d_model, d_model)`` projection matrices.
        h: number of heads; ``d_model`` must be divisible by it.
        mask: optional, broadcastable to ``(batch, h, seq, seq)``, e.g. ``(seq, seq)``
            or ``(batch, seq, seq)`` (Keras layout); True/1 = may attend.
        b_Q, b_K, b_V, b_O: optional ``(d_model,)`` biases (Keras' layer has them).

    Returns:
        ``(outputs, weights)``: ``(batch, seq, d_model)`` and ``(batch, h, seq, seq)``
        (without the batch axis if ``X`` had none).

    Raises:
        ValueError: wrong ranks or shapes, ``d_model % h != 0``, or a bad ``mask``.
    """
    X = _array(X, "X", (2, 3))
    single = X.ndim == 2
    X = X[None] if single else X  # (batch, seq, d_model)
    d_model = X.shape[-1]
    checks.positive_int(h, "h")  # the number of heads
    if d_model % h:
        raise ValueError(f"d_model={d_model} (last axis of X) must be divisible by h={h}")
    weights_in = {}
    for name, W in (("W_Q", W_Q), ("W_K", W_K), ("W_V", W_V), ("W_O", W_O)):
        weights_in[name] = _array(W, name, (2,))
        if weights_in[name].shape != (d_model, d_model):
            raise ValueError(
                f"{name} must have shape (d_model, d_model) = {(d_model, d_model)}, "
                f"got {weights_in[name].shape}"
            )
    biases = {}
    for name, b in (("b_Q", b_Q), ("b_K", b_K), ("b_V", b_V), ("b_O", b_O)):
        biases[name] = np.zeros(d_model, np.float32) if b is None else _array(b, name, (1,))
        if biases[name].shape != (d_model,):
            raise ValueError(f"{name} must have shape ({d_model},), got {biases[name].shape}")
    if mask is not None and np.ndim(mask) == 3:
        mask = np.asarray(mask)[:, None]  # (batch, 1, seq_q, seq_k): the same mask for every head
    Q = split_heads(X @ weights_in["W_Q"] + biases["b_Q"], h)  # (batch, heads, seq, d_k)
    K = split_heads(X @ weights_in["W_K"] + biases["b_K"], h)  # (batch, heads, seq, d_k)
    V = split_heads(X @ weights_in["W_V"] + biases["b_V"], h)  # (batch, heads, seq, d_v)
    heads, attention = scaled_dot_product_attention(Q, K, V, mask=mask)  # (batch, heads, seq, d_v)
    outputs = merge_heads(heads) @ weights_in["W_O"] + biases["b_O"]  # (batch, seq, d_model)
    return (outputs[0], attention[0]) if single else (outputs, attention)


def layer_norm(X, gamma, beta, epsilon=1e-6):
    """LayerNorm (Ba et al. 2016): normalize each position's vector, scale by gamma, add beta."""
    X, gamma, beta = (
        checks.array(X, "X"),
        checks.array(gamma, "gamma", 1),
        checks.array(beta, "beta", 1),
    )
    checks.matching(gamma.shape[0], "len(gamma)", X.shape[-1], "the last axis of X")
    checks.matching(beta.shape[0], "len(beta)", X.shape[-1], "the last axis of X")
    checks.positive_float(epsilon, "epsilon")
    mean = X.mean(axis=-1, keepdims=True)  # (..., seq, 1)
    variance = X.var(axis=-1, keepdims=True)  # (..., seq, 1)
    return (X - mean) / np.sqrt(variance + epsilon) * gamma + beta


def gelu(x):
    """GELU, the exact form x * Phi(x) = x/2 * (1 + erf(x / sqrt 2)) (Keras' ``"gelu"``)."""
    x = checks.array(x, "x")
    return 0.5 * x * (1.0 + np.vectorize(math.erf)(x / np.sqrt(2.0)))


ENCODER_WEIGHTS = ("gamma_1", "beta_1", "W_Q", "W_K", "W_V", "W_O", "b_Q", "b_K", "b_V", "b_O",
                   "gamma_2", "beta_2", "W_1", "b_1", "W_2", "b_2")  # fmt: skip


def encoder_block(X, weights, h, mask=None, epsilon=1e-6):
    """The full pre-norm Transformer block around the article's third equation.

    Equations (chapter 3.3): X' = X + MultiHead(LN_1(X)), then
    Y = X' + GELU(LN_2(X') W_1 + b_1) W_2 + b_2 -- residuals (He et al. 2016), LayerNorm,
    and a position-wise feed-forward network, all missing from Transformer(X) = MultiHead(...).

    Args:
        X: ``(batch, seq, d_model)``.
        weights: dict with ``gamma_1, beta_1, W_Q, W_K, W_V, W_O, b_Q, b_K, b_V, b_O, gamma_2,
            beta_2, W_1, b_1, W_2, b_2`` (see ``transformer_layers.encoder_block_weights``).
        h, mask: as in :func:`multi_head_attention`.

    Returns:
        ``(batch, seq, d_model)``.
    """
    checks.mapping(weights, "weights", ENCODER_WEIGHTS)
    X = _array(X, "X", (2, 3))
    checks.positive_float(epsilon, "epsilon")
    w = weights
    attention_weights = {name: w[name] for name in ("b_Q", "b_K", "b_V", "b_O")}
    attended, _ = multi_head_attention(
        layer_norm(X, w["gamma_1"], w["beta_1"], epsilon),
        w["W_Q"],
        w["W_K"],
        w["W_V"],
        w["W_O"],
        h,
        mask=mask,
        **attention_weights,
    )
    X = X + attended  # residual 1
    hidden = gelu(
        layer_norm(X, w["gamma_2"], w["beta_2"], epsilon) @ w["W_1"] + w["b_1"]
    )  # (batch, seq, mlp)
    return X + hidden @ w["W_2"] + w["b_2"]  # residual 2


def keras_mha_weights(W_Q, W_K, W_V, W_O, h, b_Q=None, b_K=None, b_V=None, b_O=None):
    """The list for ``set_weights`` of ``MultiHeadAttention(num_heads=h, key_dim=d_model // h)``.

    Keras keeps the heads as a separate kernel axis: query/key/value kernels are
    ``(d_model, heads, d_k)`` with biases ``(heads, d_k)``; the output kernel is
    ``(heads, d_k, d_model)`` with bias ``(d_model,)``. Head i's block is the same
    columns (rows for W_O) that :func:`multi_head_attention` gives head i.
    """
    W_Q, W_K, W_V, W_O = (
        _array(W, name, (2,))
        for W, name in ((W_Q, "W_Q"), (W_K, "W_K"), (W_V, "W_V"), (W_O, "W_O"))
    )
    for W, name in ((W_K, "W_K"), (W_V, "W_V"), (W_O, "W_O")):
        checks.same_shape(W, name, W_Q, "W_Q")
    checks.positive_int(h, "h")
    for b, name in ((b_Q, "b_Q"), (b_K, "b_K"), (b_V, "b_V"), (b_O, "b_O")):
        if b is not None:
            checks.shape(_array(b, name, (1,)), name, (W_Q.shape[0],))
    d_model = np.shape(W_Q)[0]
    if d_model % h:
        raise ValueError(f"d_model={d_model} (rows of W_Q) must be divisible by h={h}")
    d_k = d_model // h
    zeros = np.zeros(d_model, np.float32)
    listed = []
    for W, b in ((W_Q, b_Q), (W_K, b_K), (W_V, b_V)):
        listed.append(np.reshape(W, (d_model, h, d_k)))  # (d_model, heads, d_k)
        listed.append(np.reshape(zeros if b is None else b, (h, d_k)))  # (heads, d_k)
    listed.append(np.reshape(W_O, (h, d_k, d_model)))  # (heads, d_k, d_model)
    listed.append(zeros if b_O is None else np.asarray(b_O))  # (d_model,)
    return [np.asarray(w, np.float32) for w in listed]

"""Chapter 3.3: does the tiny ViT's class token look at the strokes? Judged from an interval.

If attention ignored the content of the patches, the class token would give the inked patches
their share of the patches and no more. Per test image this module measures both numbers -- the
share of the class token's patch attention (mean over heads) that falls on inked patches, and the
inked fraction of the image's patches -- and judges their paired difference over the images
against zero: "more than", "less than" or "about" their share, each in English and Chinese.
"""

import numpy as np

from bigmodel_utils import checks, transformer_inputs, vit
from bigmodel_utils import statistics as stats

_WORDS = {
    stats.HOLDS: {"en": "more than", "zh": "多于"},
    stats.DOES_NOT_HOLD: {"en": "less than", "zh": "少于"},
    stats.NOT_SETTLED: {"en": "about", "zh": "约等于"},
}


def ink_shares(model, images, patch_size, ink_threshold=0.1):
    """Per block and image, the class token's attention share on inked patches; per image, ink.

    Args:
        model: a :func:`bigmodel_utils.vit.build_tiny_vit` model cut into ``patch_size`` patches.
        images: ``(N, height, width, channels)``, e.g. MNIST's ``(N, 28, 28, 1)`` in [0, 1].
        patch_size: the model's patch side; must divide the image.
        ink_threshold: a patch whose mean pixel is above this counts as inked.

    Returns:
        ``(shares (blocks, N), ink (N,))``, each in [0, 1]; ``ink`` is the inked fraction of each
        image's patches. Their means over images are those of
        :func:`bigmodel_utils.vit.class_token_ink_share`.
    """
    checks.keras_model(model, "model")
    images = np.asarray(checks.array(images, "images", 4))
    checks.positive_int(patch_size, "patch_size")
    checks.finite_float(ink_threshold, "ink_threshold")
    if patch_size != (model_patch := model.get_layer("patch_embedding").patch_size):
        raise ValueError(f"patch_size={patch_size} differs from the model's {model_patch}")
    patches = transformer_inputs.patchify(images, patch_size)  # (N, patches, patch_size**2 * C)
    ink = patches.mean(axis=-1) > ink_threshold  # (N, patches)
    grid = (images.shape[1] // patch_size, images.shape[2] // patch_size)
    looks = vit.class_token_attention(vit.vit_attention_maps(model, images), grid).mean(axis=2)
    looks = looks.reshape(*looks.shape[:2], -1)  # (blocks, N, rows, cols) -> (blocks, N, patches)
    shares = (looks * ink).sum(axis=-1) / looks.sum(axis=-1)  # (blocks, N)
    return shares, ink.mean(axis=-1)


def judge_ink_share(shares, ink):
    """The verdict on "the class token gives inked patches more than their share", over images.

    ``shares`` and ``ink`` hold one value per image (one block's row of :func:`ink_shares`); the
    paired difference ``shares - ink`` and its 95 % interval
    (:func:`bigmodel_utils.statistics.paired_gain`) are judged against 0. Returns a
    :func:`bigmodel_utils.statistics.judge` dict with ``compare_<lang>``: "more than" (the
    interval above 0), "less than" (below) or "about" (it straddles 0).
    """
    shares = checks.array(shares, "shares", 1)
    ink = checks.array(ink, "ink", 1)
    checks.matching(shares.size, "shares", ink.size, "ink")
    gain = stats.paired_gain(ink, shares)
    judged = stats.judge(gain, 0.0, "above", effect=gain["mean"], unit="points", scale=100)
    return stats.add_words(judged, _WORDS, "compare")


def check_ink_judgement(judged):
    """Raise AssertionError when the glued comparison disagrees with its interval (gate cell)."""
    checks.mapping(judged, "judged")
    stats.check_words(judged, _WORDS, "compare")

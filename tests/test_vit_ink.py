"""Chapter 3.3: where the tiny ViT's class token looks, judged per digit (``vit_ink``)."""

import numpy as np
import pytest

from bigmodel_utils import statistics as stats
from bigmodel_utils import vit, vit_ink


def _small_vit():
    return vit.build_tiny_vit(patch_size=7, d_model=8, num_heads=2, num_layers=2, mlp_dim=8)


def test_per_digit_shares_average_to_the_chapter_share():
    rng = np.random.default_rng(0)
    images = (rng.random((5, 28, 28, 1)) > 0.7).astype("float32") * rng.random((5, 28, 28, 1))
    model = _small_vit()
    shares, ink = vit_ink.ink_shares(model, images, 7)
    assert shares.shape == (2, 5) and ink.shape == (5,)
    assert np.all((shares >= 0) & (shares <= 1)) and np.all((ink >= 0) & (ink <= 1))
    share, ink_fraction = vit.class_token_ink_share(model, images, 7)
    np.testing.assert_allclose(shares.mean(axis=1), share, rtol=1e-5)
    assert ink.mean() == pytest.approx(ink_fraction)
    with pytest.raises(ValueError, match="patch_size"):
        vit_ink.ink_shares(model, images, 4)


@pytest.mark.parametrize(
    "shares, verdict, en, zh",
    [
        ([0.6, 0.7, 0.65, 0.62], stats.HOLDS, "more than", "多于"),
        ([0.2, 0.25, 0.22, 0.21], stats.DOES_NOT_HOLD, "less than", "少于"),
        ([0.1, 0.9, 0.3, 0.7], stats.NOT_SETTLED, "about", "约等于"),
    ],
)
def test_ink_words_follow_the_paired_interval(shares, verdict, en, zh):
    judged = vit_ink.judge_ink_share(shares, [0.4, 0.45, 0.42, 0.41])
    assert judged["verdict"] == verdict
    assert (judged["compare_en"], judged["compare_zh"]) == (en, zh)
    vit_ink.check_ink_judgement(judged)
    judged["compare_zh"] = "多于" if zh != "多于" else "少于"  # an injected fault
    with pytest.raises(AssertionError, match="compare_zh"):
        vit_ink.check_ink_judgement(judged)


def test_ink_judgement_refuses_unpaired_values():
    with pytest.raises(ValueError, match="ink"):
        vit_ink.judge_ink_share([0.5, 0.6, 0.7], [0.5, 0.6])

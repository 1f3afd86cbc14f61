"""Chapter 5.3: the distillation loss in NumPy and Keras, against keras.distillation; Distiller."""

import keras
import numpy as np
import pytest

from bigmodel_utils import distillation, profile

ATOL = 1e-5


def _batch(seed=0, batch=16, classes=10, scale=3.0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, classes, size=batch)
    s = (scale * rng.standard_normal((batch, classes))).astype(np.float32)
    t = (scale * rng.standard_normal((batch, classes))).astype(np.float32)
    return y, s, t


def _tiny(name, hidden, seed):
    """A small logits model on 6x6x1 inputs (fast to build and fit)."""
    profile.set_seed(seed)
    return keras.Sequential(
        [
            keras.Input((6, 6, 1)),
            keras.layers.Flatten(),
            keras.layers.Dense(hidden, activation="relu"),
            keras.layers.Dense(10),
        ],
        name=name,
    )


def _images(seed=0, n=32):
    rng = np.random.default_rng(seed)
    return rng.random((n, 6, 6, 1)).astype(np.float32), rng.integers(0, 10, size=n)


# ---- soften ----------------------------------------------------------------------------------


def test_soften_rows_sum_to_one_and_flatten_with_T():
    _, _, t = _batch()
    soft = [distillation.soften(t, T) for T in (1.0, 2.0, 4.0, 8.0)]
    for p in soft:
        np.testing.assert_allclose(p.sum(axis=-1), 1.0, atol=1e-12)
    top = [p.max(axis=-1).mean() for p in soft]
    assert all(a > b for a, b in zip(top, top[1:]))  # higher T, softer (lower peak)
    np.testing.assert_allclose(distillation.soften(t, 1.0), keras.ops.softmax(t), atol=ATOL)


def test_soften_is_stable_for_huge_logits():
    p = distillation.soften(np.array([[1000.0, 0.0, -1000.0]]), 1.0)
    assert np.isfinite(p).all() and p[0, 0] == pytest.approx(1.0)


# ---- the loss: NumPy, Keras, keras.distillation ----------------------------------------------


@pytest.mark.parametrize("alpha, T", [(0.0, 1.0), (0.1, 4.0), (0.5, 2.0), (0.9, 20.0), (1.0, 3.0)])
def test_numpy_and_keras_losses_agree(alpha, T):
    y, s, t = _batch(seed=1)
    expected = distillation.distillation_loss_numpy(y, s, t, alpha, T)
    got = float(distillation.distillation_loss(y, s, t, alpha, T))
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=ATOL)


@pytest.mark.parametrize("alpha, T", [(0.1, 4.0), (0.5, 3.0), (0.7, 1.5)])
def test_loss_equals_keras_distiller(alpha, T):
    """Keras' Distiller: student_loss_weight = alpha, LogitsDistillation(temperature=T).

    The KL must be passed as a ``KLDivergence`` *instance*: in Keras 3.15 the default string
    ``"kl_divergence"`` becomes a plain function, which skips the softmax and the T^2 factor.
    """
    teacher, student = _tiny("teacher", 32, seed=0), _tiny("student", 8, seed=1)
    x, y = _images()
    reference = keras.distillation.Distiller(
        teacher=teacher,
        student=student,
        distillation_losses=keras.distillation.LogitsDistillation(
            temperature=T, loss=keras.losses.KLDivergence()
        ),
        student_loss_weight=alpha,
    )
    reference.compile(
        optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    )
    s = student(x, training=False)
    expected = float(reference.compute_loss(x=x, y=y, y_pred=s, training=False))
    ours = distillation.Distiller(student, teacher=teacher, alpha=alpha, T=T)
    ours.compile(optimizer="adam")
    np.testing.assert_allclose(
        float(ours.compute_loss(x=x, y=y, y_pred=s, training=False)), expected, rtol=1e-5, atol=ATOL
    )
    offline = distillation.offline_targets(
        y, teacher(x, training=False)
    )  # same loss from stored logits
    np.testing.assert_allclose(
        float(ours.compute_loss(x=x, y=offline, y_pred=s)), expected, rtol=1e-5, atol=ATOL
    )


def test_alpha_one_is_plain_cross_entropy():
    y, s, t = _batch(seed=2)
    plain = keras.losses.SparseCategoricalCrossentropy(from_logits=True)(y, s)
    np.testing.assert_allclose(
        float(distillation.distillation_loss(y, s, t, 1.0, 5.0)), float(plain), atol=ATOL
    )
    np.testing.assert_allclose(
        distillation.distillation_loss_numpy(y, s, t, 1.0, 5.0), float(plain), atol=ATOL
    )


@pytest.mark.parametrize("T", [2.0, 4.0, 10.0])
def test_T_squared_factor(T):
    """Logits scaled by T give the same softened distributions at T as the originals at 1, so the
    KL part must be exactly T^2 times larger: the factor that keeps gradients comparable."""
    y, s, t = _batch(seed=3, scale=1.0)
    at_one = distillation.distillation_loss_numpy(y, s, t, 0.0, 1.0)
    at_T = distillation.distillation_loss_numpy(y, T * s, T * t, 0.0, T)
    np.testing.assert_allclose(at_T, T**2 * at_one, rtol=1e-6)  # float32 logits
    np.testing.assert_allclose(
        float(distillation.distillation_loss(y, T * s, T * t, 0.0, T)), T**2 * at_one, rtol=1e-4
    )


def test_loss_matches_hand_formula():
    y, s, t = np.array([0]), np.array([[2.0, 0.0, -1.0]]), np.array([[1.0, 1.0, 0.0]])
    T, alpha = 2.0, 0.25
    ps, pt, pst = (
        np.exp(s) / np.exp(s).sum(),
        np.exp(t / T) / np.exp(t / T).sum(),
        np.exp(s / T) / np.exp(s / T).sum(),
    )
    hand = alpha * -np.log(ps[0, 0]) + (1 - alpha) * T**2 * np.sum(pt * np.log(pt / pst))
    assert distillation.distillation_loss_numpy(y, s, t, alpha, T) == pytest.approx(hand, rel=1e-12)


@pytest.mark.parametrize(
    "alpha, T, name", [(-0.1, 2.0, "alpha"), (1.5, 2.0, "alpha"), (0.5, 0.0, "T"), (0.5, -3.0, "T")]
)
def test_bad_alpha_or_T_raise(alpha, T, name):
    y, s, t = _batch()
    for call in (
        lambda: distillation.distillation_loss_numpy(y, s, t, alpha, T),
        lambda: distillation.distillation_loss(y, s, t, alpha, T),
        lambda: distillation.Distiller(_tiny("student", 4, 0), alpha=alpha, T=T),
    ):
        with pytest.raises(ValueError, match=name):
            call()
    with pytest.raises(ValueError, match="T"):
        distillation.soften(t, 0.0)
    with pytest.raises(TypeError, match="alpha"):
        distillation.distillation_loss_numpy(y, s, t, "0.5", 2.0)


# ---- the Distiller -------------------------------------------------------------------------------


def test_teacher_frozen_student_trained_and_losses_reported():
    teacher, student = _tiny("teacher", 32, seed=0), _tiny("student", 8, seed=1)
    teacher_before = [w.copy() for w in teacher.get_weights()]
    student_before = [w.copy() for w in student.get_weights()]
    x, y = _images(n=64)
    distiller = distillation.Distiller(student, teacher=teacher, alpha=0.3, T=4.0)
    distiller.compile(optimizer=keras.optimizers.Adam(1e-2))
    history = distiller.fit(x, y, epochs=2, batch_size=16, verbose=0).history
    assert not teacher.trainable and len(distiller.trainable_weights) == len(
        student.trainable_weights
    )
    for before, after in zip(teacher_before, teacher.get_weights()):
        np.testing.assert_array_equal(before, after)
    assert any(not np.allclose(b, a) for b, a in zip(student_before, student.get_weights()))
    assert {"loss", "student_loss", "distillation_loss", "accuracy"} <= set(history)
    total = 0.3 * np.array(history["student_loss"]) + 0.7 * np.array(history["distillation_loss"])
    np.testing.assert_allclose(history["loss"], total, rtol=1e-4)  # epoch means of a linear mix


def test_offline_equals_online_training():
    """Teacher logits computed once give the same student as the teacher run in every step."""
    x, y = _images(n=48)
    results = []
    for offline in (False, True):
        teacher, student = _tiny("teacher", 32, seed=0), _tiny("student", 8, seed=1)
        distiller = distillation.Distiller(
            student, teacher=None if offline else teacher, alpha=0.2, T=3.0
        )
        distiller.compile(optimizer=keras.optimizers.SGD(0.1))
        targets = distillation.offline_targets(y, distillation.logits(teacher, x)) if offline else y
        distiller.fit(x, targets, epochs=1, batch_size=16, shuffle=False, verbose=0)
        results.append(student.get_weights())
    for online_w, offline_w in zip(*results):
        np.testing.assert_allclose(online_w, offline_w, atol=1e-6)


def test_distiller_without_teacher_needs_alpha_one():
    x, y = _images(n=16)
    distiller = distillation.Distiller(_tiny("student", 4, 0), alpha=0.5, T=2.0)
    distiller.compile(optimizer="adam")
    with pytest.raises(ValueError, match="alpha"):
        distiller.fit(x, y, epochs=1, verbose=0)


def test_builders_sizes():
    teacher, student = distillation.build_teacher(), distillation.build_student()
    assert teacher.count_params() >= 1_000_000
    assert teacher.count_params() >= 20 * student.count_params()
    assert teacher.output_shape == student.output_shape == (None, 10)


def test_the_teacher_and_student_read_through_distillation_are_those_of_distillation_models():
    from bigmodel_utils import distillation_models

    for name in ("build_teacher", "build_student", "logits", "train_teacher"):
        assert getattr(distillation, name) is getattr(distillation_models, name), name

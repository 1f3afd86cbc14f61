"""The accuracy floors of the chapters' hidden quality gates, one per profile.

Quick floors are what a CPU reaches on 4,000 training digits. Full floors are the text's own
figures for all of MNIST (60,000 / 10,000 digits): the article's CNN >= 99 %, an LSTM reading rows
>= 98 %, a tiny ViT >= 97 %. A full run without all of MNIST (no network, so the 5,000-digit
offline subset) cannot be held to them: the floor is then skipped, and the gate says why.
"""

from bigmodel_utils import checks, profile

MNIST_TRAIN, MNIST_TEST = 60_000, 10_000


def is_all_of_mnist(mnist):
    """True if ``mnist`` (a :class:`bigmodel_utils.data.MNIST`) holds all 70,000 digits."""
    for half in ("y_train", "y_test"):
        if not hasattr(mnist, half):
            raise TypeError(
                f"mnist must be a data.MNIST (with y_train and y_test), got {type(mnist).__name__}"
            )
    return len(mnist.y_train) == MNIST_TRAIN and len(mnist.y_test) == MNIST_TEST


def accuracy_floor(what, quick, full, mnist):
    """The test accuracy ``what`` must reach in the active profile, or None (with the reason).

    Args:
        what: the model the floor is for, named in the printed reason.
        quick: the floor in the quick profile; full: the floor on all of MNIST (full profile).
        mnist: the data the model was trained and tested on.

    Raises:
        ValueError: a floor outside (0, 1].
    """
    checks.string(what, "what")
    is_all_of_mnist(mnist)
    for name, value in (("quick", quick), ("full", full)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
            raise ValueError(f"{name} must be an accuracy in (0, 1], got {value!r}")
    if profile.active_profile() == "quick":
        return quick
    if is_all_of_mnist(mnist):
        return full
    print(
        f"quality gate skipped: {what} must reach {full:.0%} on all of MNIST "
        f"({MNIST_TRAIN:,} / {MNIST_TEST:,} digits); this run had {len(mnist.y_train):,} / "
        f"{len(mnist.y_test):,} ({mnist.source})"
    )
    return None


def check_accuracy(what, accuracy, quick, full, mnist):
    """Raise AssertionError if ``accuracy`` is below :func:`accuracy_floor` (quality gate)."""
    checks.string(what, "what")
    checks.probability(accuracy, "accuracy")
    floor = accuracy_floor(what, quick, full, mnist)
    if floor is not None and accuracy < floor:
        raise AssertionError(
            f"quality gate: {what} reached {accuracy:.4f} < {floor} test accuracy "
            f"({profile.active_profile()} profile)"
        )

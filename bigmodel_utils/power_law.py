"""Chapter 2: the scaling law L(N) = a·N^(−α) + c and its fit to measured losses.

Kaplan et al. (2020) found that the test loss of language models falls as a power of the number
of parameters N. With a fixed, small training set the loss cannot fall forever, so chapter 2
fits a power law with a floor c: :func:`power_law` is the equation, :func:`fit_power_law` fits
it by least squares on relative errors and says how stable α is when one point is left out.
"""

import numpy as np

from bigmodel_utils import checks


def power_law(N, a, alpha, c):
    """L(N) = a·N^(−α) + c: the scaling law of Kaplan et al. (2020), chapter 2.

    Elementwise: ``N`` may be a number or an array of any shape, and L has its shape.
    """
    N = checks.array(N, "N")
    if np.any(N <= 0):
        raise ValueError("N must be positive")
    a, alpha, c = (
        checks.finite_float(v, name) for v, name in ((a, "a"), (alpha, "alpha"), (c, "c"))
    )
    return a * np.power(N, -alpha) + c


def fit_power_law(N, loss):
    """Fit L(N) = a·N^(−α) + c with a ≥ 0, 0 ≤ α ≤ 3, 0 ≤ c ≤ min(loss), relative residuals.

    Returns:
        dict with ``a``, ``alpha``, ``c``, ``rmse`` (root mean square residual) and, from
        4 points on, ``alpha_low`` / ``alpha_high``: the range of α when one point is left out.

    Raises:
        ValueError: fewer than 3 points, mismatched lengths, or non-positive N.
    """
    checks.array(N, "N", 1)
    checks.array(loss, "loss", 1)
    from scipy.optimize import curve_fit

    N, loss = np.asarray(N, dtype=float), np.asarray(loss, dtype=float)
    if N.shape != loss.shape or N.ndim != 1 or N.size < 3:
        raise ValueError("N and loss must be 1-D with the same length, at least 3 points")
    if np.any(N <= 0) or not np.all(np.isfinite(loss)) or np.any(loss <= 0):
        raise ValueError("N and loss must be positive and finite")

    def fit(N, loss):
        scale = N.min()  # fit on N / N_min so that a starts near the loss range
        p0 = (max(loss.max() - loss.min(), 1e-3), 0.5, 0.5 * loss.min())
        (a, alpha, c), _ = curve_fit(
            power_law,
            N / scale,
            loss,
            p0=p0,
            sigma=loss,
            maxfev=20000,
            bounds=([0.0, 0.0, 0.0], [np.inf, 3.0, loss.min()]),
        )
        return a * scale**alpha, alpha, c

    a, alpha, c = fit(N, loss)
    result = {
        "a": float(a),
        "alpha": float(alpha),
        "c": float(c),
        "rmse": float(np.sqrt(np.mean((power_law(N, a, alpha, c) - loss) ** 2))),
    }
    if N.size >= 4:
        alphas = [fit(np.delete(N, i), np.delete(loss, i))[1] for i in range(N.size)]
        result.update(alpha_low=float(min(alphas)), alpha_high=float(max(alphas)))
    return result

"""Pareto/NBD: the model BG/NBD simplifies (Schmittlein, Morrison & Colombo 1987; Fader & Hardie 2005 note).

While active, a customer buys at a Poisson rate λ ~ Gamma(r, α) and drops out at an exponential time with rate
μ ~ Gamma(s, β), at any moment rather than only after a purchase. The likelihood needs the Gauss hypergeometric
function 2F1(r+s+x, ·; r+s+x+1; z), z → 1 for long histories, where it overflows and the difference of two such
terms cancels. Here every 2F1 goes through Pfaff's transformation to an argument w ≤ 0, where
2F1(1, b; c; w) lies in (0, 1], and the difference is taken in log space (log1mexp), so neither happens.
The gradient is by central differences in log-parameter space: 2F1 has no closed-form derivative in its
parameters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.special import gammaln, hyp2f1, logsumexp

from omotenashi.anticipation.fitting import FitFailed, compress, start_scale
from omotenashi.anticipation.transactions import FloatArray

VERSION = "paretonbd-1"
# Where a quick fit on a short history keeps each log-parameter: e^-6 ≈ 0.0025 to e^8 ≈ 2,981.
LOG_BOUNDS = (-6.0, 8.0)


def _log_bounded_2f1(b: FloatArray | float, c: FloatArray, w: FloatArray) -> FloatArray:
    """log 2F1(1, b; c; w) for w ≤ 0 and c > b + 1 > 1, where the function lies in (0, 1].

    Two equal forms: the series in w for −1 ≤ w ≤ 0, and, below −1, Pfaff's (1−w)^−1 2F1(1, c−b; c; w/(w−1)),
    whose argument lies in (½, 1) and whose terms are all positive. SciPy's hyp2f1 can return garbage for large
    parameters (a value of 398 where the function is below 1, or NaN), so a value outside (0, 1] is computed
    again through the other form.
    """
    b_all = np.broadcast_to(np.asarray(b, dtype=np.float64), np.shape(w))
    c_all = np.broadcast_to(np.asarray(c, dtype=np.float64), np.shape(w))
    far = w < -1.0
    value = np.empty(np.shape(w))
    value[far] = _pfaff(b_all[far], c_all[far], w[far])
    value[~far] = hyp2f1(1.0, b_all[~far], c_all[~far], w[~far])
    bad = ~((value > 0) & (value <= 1.0 + 1e-9))
    if np.any(bad):
        other = np.where(far[bad], hyp2f1(1.0, b_all[bad], c_all[bad], w[bad]), _pfaff(b_all[bad], c_all[bad], w[bad]))
        value[bad] = other
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.log(value))


def _pfaff(b: FloatArray, c: FloatArray, w: FloatArray) -> FloatArray:
    """2F1(1, b; c; w) as (1−w)^−1 2F1(1, c−b; c; w/(w−1))."""
    return np.asarray(hyp2f1(1.0, c - b, c, w / (w - 1.0)) / (1.0 - w))


def log_a0(params: FloatArray, x: FloatArray, tx: FloatArray, T: FloatArray) -> FloatArray:
    """log of ∫_{t_x}^{T} (α+τ)^-(r+x) (β+τ)^-(s+1) dτ · (r+s+x): the 'dropped out between t_x and T' part.

    In closed form this is F(t_x) − F(T) with F(τ) = 2F1(r+s+x, ·; r+s+x+1; z(τ)) / (max(α,β)+τ)^(r+s+x)
    (Fader & Hardie 2005, eq. 19). Pfaff's transformation rewrites each F(τ) in logs without large numbers:
    α ≥ β: log F = −(s+1) log(β+τ) − (r+x−1) log(α+τ) + log 2F1(1, s+1; r+s+x+1; −(α−β)/(β+τ))
    α < β: log F = −(r+x) log(α+τ) − s log(β+τ) + log 2F1(1, r+x; r+s+x+1; −(β−α)/(α+τ))
    """
    r, alpha, s, beta = (float(v) for v in params)
    c = r + s + x + 1.0

    def log_f(tau: FloatArray) -> FloatArray:
        if alpha >= beta:
            w = -(alpha - beta) / (beta + tau)
            return np.asarray(
                -(s + 1.0) * np.log(beta + tau) - (r + x - 1.0) * np.log(alpha + tau) + _log_bounded_2f1(s + 1.0, c, w)
            )
        w = -(beta - alpha) / (alpha + tau)
        return np.asarray(-(r + x) * np.log(alpha + tau) - s * np.log(beta + tau) + _log_bounded_2f1(r + x, c, w))

    upper, lower = log_f(tx), log_f(T)
    gap = np.minimum(lower - upper, 0.0)  # ≤ 0: F decreases in τ; rounding may leave a tiny positive gap
    with np.errstate(divide="ignore", invalid="ignore"):
        # log(1 − e^gap), accurate both for gap near 0 (expm1) and for very negative gap (log1p).
        log1mexp = np.where(gap > -0.693, np.log(-np.expm1(gap)), np.log1p(-np.exp(gap)))
    result = np.asarray(upper + log1mexp)
    lost = np.isnan(result)
    if np.any(lost):
        result[lost] = _log_a0_by_quadrature(params, x[lost], tx[lost], T[lost])
    return result


_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(160)


def _log_a0_by_quadrature(params: FloatArray, x: FloatArray, tx: FloatArray, T: FloatArray) -> FloatArray:
    """The same quantity by Gauss–Legendre quadrature, for the rare histories where 2F1 fails in both forms.

    With m = max(α, β) and A = r+s+x, the substitution u = ((m+t_x)/(m+τ))^A turns the integrand into a bounded,
    smooth function of u on [u(T), 1] (it is Euler's integral of the 2F1 above), which 160 nodes integrate to
    about nine digits even for a thousand purchases in a week.
    """
    r, alpha, s, beta = (float(v) for v in params)
    big_a = (r + s + x)[:, None]
    top = max(alpha, beta)
    log_start = np.log(top + tx)[:, None]
    u_low = np.exp(-big_a * (np.log(top + T)[:, None] - log_start))
    u = u_low + (1.0 - u_low) * (_NODES[None, :] + 1.0) / 2.0
    log_top_tau = log_start - np.log(u) / big_a
    tau = np.exp(log_top_tau) - top
    log_integrand = (
        -(r + x[:, None]) * np.log(alpha + tau)
        - (s + 1.0) * np.log(beta + tau)
        + log_top_tau
        - np.log(big_a)
        - np.log(u)
    )
    with np.errstate(divide="ignore"):
        log_integral = np.log((1.0 - u_low[:, 0]) / 2.0) + logsumexp(log_integrand + np.log(_WEIGHTS), axis=1)
    return np.asarray(np.log(r + s + x) + log_integral)


def log_likelihood_terms(params: FloatArray, x: FloatArray, tx: FloatArray, T: FloatArray) -> FloatArray:
    """Each customer's log-likelihood (Fader & Hardie 2005, eq. 22)."""
    r, alpha, s, beta = (float(v) for v in params)
    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    alive = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    gone = np.log(s) - np.log(r + s + x) + log_a0(params, x, tx, T)
    return np.asarray(common + np.logaddexp(alive, gone))


@dataclass(frozen=True)
class ParetoNBD:
    """A fitted Pareto/NBD model: its four parameters and the log-likelihood it reached."""

    r: float
    alpha: float
    s: float
    beta: float
    log_likelihood: float
    iterations: int = 0
    version: str = VERSION

    @classmethod
    def fit(cls, frequency: FloatArray, recency: FloatArray, T: FloatArray) -> ParetoNBD:
        """Maximum-likelihood parameters for customers' (frequency, recency, T) in weeks."""
        x, tx, big_t, weight = compress(frequency, recency, T)
        total = float(weight.sum())
        objective = _objective(x, tx, big_t, weight, total)
        scale = start_scale(frequency, T)
        start = np.log([1.0, scale, 1.0, scale])
        result = minimize(objective, start, jac=True, method="BFGS", options={"gtol": 1e-7, "maxiter": 500})
        if not np.isfinite(result.fun) or result.fun >= 1e299:
            raise FitFailed("Pareto/NBD", str(result.message))
        r, alpha, s, beta = np.exp(result.x)
        return cls(float(r), float(alpha), float(s), float(beta), -float(result.fun) * total, int(result.nit))

    @classmethod
    def fit_near(
        cls, frequency: FloatArray, recency: FloatArray, T: FloatArray, start: ParetoNBD, *, max_iterations: int = 60
    ) -> ParetoNBD:
        """A quick, bounded fit for a short history, starting from a model fitted on a longer one.

        A few months of history identify the dropout process weakly: left free, s and β run off together towards
        the thousands (same mean dropout rate, ever less spread) while the likelihood barely moves, and the fit
        takes minutes. Here every log-parameter stays within [−6, 8] and the optimiser stops after
        `max_iterations`, so the cost is bounded and the answer stays near the longer history's where the short
        one says little.
        """
        x, tx, big_t, weight = compress(frequency, recency, T)
        total = float(weight.sum())
        objective = _objective(x, tx, big_t, weight, total)
        bounds = [LOG_BOUNDS] * 4
        begin = np.clip(np.log(start.params), *LOG_BOUNDS)
        result = minimize(
            objective, begin, jac=True, method="L-BFGS-B", bounds=bounds, options={"maxiter": max_iterations}
        )
        if not np.isfinite(result.fun) or result.fun >= 1e299:
            raise FitFailed("Pareto/NBD", str(result.message))
        r, alpha, s, beta = np.exp(result.x)
        return cls(float(r), float(alpha), float(s), float(beta), -float(result.fun) * total, int(result.nit))

    @property
    def params(self) -> FloatArray:
        return np.array([self.r, self.alpha, self.s, self.beta])

    def log_likelihood_of(self, frequency: FloatArray, recency: FloatArray, T: FloatArray) -> float:
        """The summed log-likelihood of these customers under this model."""
        return float(log_likelihood_terms(self.params, frequency, recency, T).sum())

    def expected_purchases(self, t: FloatArray | float) -> FloatArray:
        """E[X(t)]: repeat purchases a customer makes in the first t weeks after their first purchase."""
        r, alpha, s, beta = self.r, self.alpha, self.s, self.beta
        t = np.asarray(t, dtype=np.float64)
        return np.asarray(r * beta / alpha * _survival_integral(s, beta, t))

    def conditional_expected_purchases(
        self, t: FloatArray | float, frequency: FloatArray, recency: FloatArray, T: FloatArray
    ) -> FloatArray:
        """E[Y(t) | x, t_x, T]: purchases each customer makes in the next t weeks, given their history."""
        r, alpha, s, beta = self.r, self.alpha, self.s, self.beta
        t = np.asarray(t, dtype=np.float64)
        rate = (r + frequency) / (alpha + T) * (beta + T)
        return np.asarray(rate * _survival_integral(s, beta + T, t) * self.probability_alive(frequency, recency, T))

    def probability_of_purchase(
        self, t: FloatArray | float, frequency: FloatArray, recency: FloatArray, T: FloatArray
    ) -> FloatArray:
        """P(Y(t) > 0 | x, t_x, T): the probability that each customer buys again within the next t weeks.

        An active customer's next purchase comes first at rate λ, dropout at rate μ, so P(buy within t | λ, μ) is
        ∫_0^t λ e^-(λ+μ)u du; its expectation over the posterior Gamma(r+x, α+T) × Gamma(s, β+T) is
        ∫_0^t (r+x)/(α+T+u) ((α+T)/(α+T+u))^(r+x) ((β+T)/(β+T+u))^s du, a smooth one-dimensional integral.
        """
        r, alpha, s, beta = self.r, self.alpha, self.s, self.beta
        horizon = np.broadcast_to(np.asarray(t, dtype=np.float64), np.shape(T))
        u = horizon[:, None] * (_NODES[None, :] + 1.0) / 2.0
        a_t, b_t = (alpha + T)[:, None], (beta + T)[:, None]
        shape = (r + frequency)[:, None]
        density = shape / (a_t + u) * np.exp(shape * np.log(a_t / (a_t + u)) + s * np.log(b_t / (b_t + u)))
        given_alive = horizon / 2.0 * (density @ _WEIGHTS)
        return np.asarray(self.probability_alive(frequency, recency, T) * given_alive)

    def probability_alive(self, frequency: FloatArray, recency: FloatArray, T: FloatArray) -> FloatArray:
        """P(still active at the cutoff | x, t_x, T)."""
        r, alpha, s, beta = self.r, self.alpha, self.s, self.beta
        x = frequency
        log_ratio = (
            np.log(s)
            - np.log(r + s + x)
            + (r + x) * np.log(alpha + T)
            + s * np.log(beta + T)
            + log_a0(self.params, x, recency, T)
        )
        return np.asarray(1.0 / (1.0 + np.exp(np.minimum(log_ratio, 700.0))))

    def as_dict(self) -> dict[str, float | int | str]:
        return {
            "r": self.r,
            "alpha": self.alpha,
            "s": self.s,
            "beta": self.beta,
            "log_likelihood": self.log_likelihood,
            "version": self.version,
        }


def _objective(
    x: FloatArray, tx: FloatArray, big_t: FloatArray, weight: FloatArray, total: float
) -> Callable[[FloatArray], tuple[float, FloatArray]]:
    """The negative log-likelihood per customer in log-parameters, with its central-difference gradient."""
    step = 1e-5

    def negative(log_params: FloatArray) -> float:
        value = -float(weight @ log_likelihood_terms(np.exp(log_params), x, tx, big_t))
        return value if np.isfinite(value) else 1e300

    def objective(log_params: FloatArray) -> tuple[float, FloatArray]:
        value = negative(log_params)
        grad = np.empty(4)
        for i in range(4):
            shift = np.zeros(4)
            shift[i] = step
            grad[i] = (negative(log_params + shift) - negative(log_params - shift)) / (2 * step)
        # Scaled per customer, so the stopping rule means the same for 2,000 or 2,000,000 customers.
        return value / total, grad / total

    return objective


def _survival_integral(s: float, base: FloatArray | float, t: FloatArray) -> FloatArray:
    """[1 − (base/(base+t))^(s−1)] / (s−1), and its limit log((base+t)/base) at s = 1."""
    log_ratio = np.log(base + t) - np.log(base)
    if abs(s - 1.0) < 1e-9:
        return np.asarray(log_ratio)
    return np.asarray(-np.expm1(-(s - 1.0) * log_ratio) / (s - 1.0))

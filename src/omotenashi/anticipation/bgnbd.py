"""BG/NBD: will a customer without a contract come back, and how often (Fader, Hardie & Lee 2005).

While active, a customer buys at a Poisson rate λ ~ Gamma(r, α); after each purchase they become inactive with
probability p ~ Beta(a, b). Fitted by maximum likelihood on (frequency, recency, T) with the closed-form
log-likelihood of the paper (its equation 6) and its analytic gradient.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.special import betaln, digamma, gammaln, hyp2f1

from omotenashi.anticipation.fitting import FitFailed, compress, start_scale
from omotenashi.anticipation.transactions import FloatArray

VERSION = "bgnbd-1"


def log_likelihood_terms(
    params: FloatArray, x: FloatArray, tx: FloatArray, T: FloatArray, *, gradient: bool = False
) -> tuple[FloatArray, FloatArray | None]:
    """Each customer's log-likelihood and, when asked, its gradient in (log r, log α, log a, log b)."""
    r, alpha, a, b = (float(v) for v in params)
    repeat = x > 0
    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    log_at, log_atx = np.log(alpha + T), np.log(alpha + tx)
    beta_ab = betaln(a, b)
    term_alive = betaln(a, b + x) - beta_ab - (r + x) * log_at
    # Dropped out right after the last purchase: only for customers with a repeat purchase.
    with np.errstate(invalid="ignore", divide="ignore"):
        term_gone = np.where(repeat, betaln(a + 1, b + x - 1) - beta_ab - (r + x) * log_atx, -np.inf)
    total = np.logaddexp(term_alive, term_gone)
    ll = common + total
    if not gradient:
        return ll, None
    w_gone = np.exp(term_gone - total)
    w_alive = 1.0 - w_gone
    psi_ab, psi_abx = digamma(a + b), digamma(a + b + x)
    d_r = digamma(r + x) - digamma(r) + np.log(alpha) - w_alive * log_at - w_gone * log_atx
    d_alpha = r / alpha - (r + x) * (w_alive / (alpha + T) + w_gone / (alpha + tx))
    d_a = w_alive * (psi_ab - psi_abx) + w_gone * (1.0 / a + psi_ab - psi_abx)
    with np.errstate(invalid="ignore"):
        d_b_gone = np.where(repeat, digamma(np.maximum(b + x - 1, 1e-300)), 0.0) - psi_abx - digamma(b) + psi_ab
    d_b = w_alive * (digamma(b + x) - psi_abx - digamma(b) + psi_ab) + w_gone * d_b_gone
    grad = np.stack([d_r * r, d_alpha * alpha, d_a * a, d_b * b], axis=1)
    return ll, grad


@dataclass(frozen=True)
class BGNBD:
    """A fitted BG/NBD model: its four parameters and the log-likelihood it reached."""

    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float
    iterations: int = 0
    version: str = VERSION

    @classmethod
    def fit(cls, frequency: FloatArray, recency: FloatArray, T: FloatArray) -> BGNBD:
        """Maximum-likelihood parameters for customers' (frequency, recency, T) in weeks."""
        x, tx, big_t, weight = compress(frequency, recency, T)

        def objective(log_params: FloatArray) -> tuple[float, FloatArray]:
            ll, grad = log_likelihood_terms(np.exp(log_params), x, tx, big_t, gradient=True)
            assert grad is not None
            return -float(weight @ ll), -(weight @ grad)

        start = np.log([1.0, start_scale(frequency, T), 1.0, 1.0])
        result = minimize(objective, start, jac=True, method="L-BFGS-B", options={"maxiter": 500, "ftol": 1e-13})
        if not np.isfinite(result.fun):
            raise FitFailed("BG/NBD", str(result.message))
        r, alpha, a, b = np.exp(result.x)
        return cls(float(r), float(alpha), float(a), float(b), -float(result.fun), int(result.nit))

    @property
    def params(self) -> FloatArray:
        return np.array([self.r, self.alpha, self.a, self.b])

    def log_likelihood_of(self, frequency: FloatArray, recency: FloatArray, T: FloatArray) -> float:
        """The summed log-likelihood of these customers under this model."""
        return float(log_likelihood_terms(self.params, frequency, recency, T)[0].sum())

    def expected_purchases(self, t: FloatArray | float) -> FloatArray:
        """E[X(t)]: repeat purchases a customer makes in the first t weeks after their first purchase."""
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        t = np.asarray(t, dtype=np.float64)
        z = t / (alpha + t)
        # (α/(α+t))^r 2F1(r, b; a+b-1; z), through Euler's transformation, which stays finite as z → 1.
        tail = (1.0 - z) ** (a - 1.0) * hyp2f1(a + b - 1.0 - r, a - 1.0, a + b - 1.0, z)
        return np.asarray((a + b - 1.0) / (a - 1.0) * (1.0 - tail))

    def conditional_expected_purchases(
        self, t: FloatArray | float, frequency: FloatArray, recency: FloatArray, T: FloatArray
    ) -> FloatArray:
        """E[Y(t) | x, t_x, T]: purchases each customer makes in the next t weeks, given their history."""
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        x = frequency
        t = np.asarray(t, dtype=np.float64)
        z = t / (alpha + T + t)
        # ((α+T)/(α+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; z) after Euler's transformation: no overflow for large x.
        tail = (1.0 - z) ** (a - 1.0) * hyp2f1(a + b - 1.0 - r, a - 1.0, a + b + x - 1.0, z)
        numerator = (a + b + x - 1.0) / (a - 1.0) * (1.0 - tail)
        return np.asarray(numerator * self.probability_alive(frequency, recency, T))

    def probability_of_purchase(
        self, t: FloatArray | float, frequency: FloatArray, recency: FloatArray, T: FloatArray
    ) -> FloatArray:
        """P(Y(t) > 0 | x, t_x, T): the probability that each customer buys again within the next t weeks.

        Only an active customer buys, and an active customer drops out only right after a purchase, so they buy in
        the window exactly when their next purchase time, exponential with λ ~ Gamma(r+x, α+T), falls inside it.
        """
        keep = (self.alpha + T) / (self.alpha + T + np.asarray(t, dtype=np.float64))
        return np.asarray(
            self.probability_alive(frequency, recency, T) * -np.expm1((self.r + frequency) * np.log(keep))
        )

    def probability_alive(self, frequency: FloatArray, recency: FloatArray, T: FloatArray) -> FloatArray:
        """P(still active at the cutoff | x, t_x, T)."""
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        x = frequency
        with np.errstate(divide="ignore", invalid="ignore"):
            log_odds = (
                np.log(a)
                - np.log(np.maximum(b + x - 1.0, 1e-300))
                + (r + x) * (np.log(alpha + T) - np.log(alpha + recency))
            )
        return np.asarray(np.where(x > 0, 1.0 / (1.0 + np.exp(np.minimum(log_odds, 700.0))), 1.0))

    def as_dict(self) -> dict[str, float | int | str]:
        return {
            "r": self.r,
            "alpha": self.alpha,
            "a": self.a,
            "b": self.b,
            "log_likelihood": self.log_likelihood,
            "version": self.version,
        }

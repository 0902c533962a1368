"""What a customer will most likely do or need next, with reasons, and how that compares with a Markov baseline.

**Vocabulary of steps and needs** (derived from event names and properties of any Segment-style source; the
simulator's events are the worked case, see docs/events.md):

- journey steps, kept by name: `Signed Up`, `Account Created`, `Profile Completed`, `First Project Created`,
  `Teammate Invited` (the onboarding steps, in this order), `Trial Started`, `Subscription Started`;
- needs: `billing` (Settings pages billing/invoices, `Invoice Downloaded`, `Payment Failed`, `Subscription Renewed`),
  `upgrade` (page Pricing, `Trial Ended`), `cancel` (`Subscription Cancelled`), `help` (page in category Help,
  `Help Article Viewed`, `Help Searched`, `Search Result Clicked`), `support contact` (`Ticket Created`,
  `Chat Started`, `Human Requested`), `use: tasks` (`Task *`, `Comment Added`, board and task pages),
  `use: reports` (`Report Exported`, reports page), `use: files`, `use: integrations`, `use: import`,
  `use: projects`, `use: team` (members page), `recommend` (`Survey Submitted`, `Referral Link Shared`).

Everything else (clicks, form fields, sign-in, errors, dashboard views) is noise and ignored, and a step repeated
back to back counts once. The model is pure: it reads `Activity` records and never the database.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from omotenashi.anticipation.activity import Activity, by_customer
from omotenashi.anticipation.reasons import Reason

if TYPE_CHECKING:
    from omotenashi.simulator import WorldConfig

ONBOARDING = ("Signed Up", "Account Created", "Profile Completed", "First Project Created", "Teammate Invited")
ONCE = frozenset(ONBOARDING) | {"Trial Started"}
DAY_MS = 86_400_000

_TRACK: dict[str, str] = {
    **{name: name for name in ONBOARDING},
    "Trial Started": "Trial Started",
    "Subscription Started": "Subscription Started",
    "Trial Ended": "upgrade",
    "Subscription Renewed": "billing",
    "Payment Failed": "billing",
    "Invoice Downloaded": "billing",
    "Subscription Cancelled": "cancel",
    "Help Article Viewed": "help",
    "Help Searched": "help",
    "Search Result Clicked": "help",
    "Ticket Created": "support contact",
    "Chat Started": "support contact",
    "Human Requested": "support contact",
    "Task Created": "use: tasks",
    "Task Completed": "use: tasks",
    "Task Updated": "use: tasks",
    "Comment Added": "use: tasks",
    "Report Exported": "use: reports",
    "File Uploaded": "use: files",
    "Integration Connected": "use: integrations",
    "Import Started": "use: import",
    "Project Created": "use: projects",
    "Survey Submitted": "recommend",
    "Referral Link Shared": "recommend",
}
_PATHS: dict[str, str] = {
    "/settings/billing": "billing",
    "/settings/invoices": "billing",
    "/pricing": "upgrade",
    "/app/reports": "use: reports",
    "/settings/members": "use: team",
    "/app/import": "use: import",
    "/settings/integrations": "use: integrations",
}
TITLES: dict[str, tuple[str, str]] = {
    "Signed Up": ("Sign up", "サインアップ"),
    "Account Created": ("Create the account", "アカウント作成"),
    "Profile Completed": ("Complete the profile", "プロフィールの入力"),
    "First Project Created": ("Create a first project", "最初のプロジェクト作成"),
    "Teammate Invited": ("Invite a teammate", "チームメンバーの招待"),
    "Trial Started": ("Start a trial", "トライアル開始"),
    "Subscription Started": ("Start a subscription", "有料プランの開始"),
    "billing": ("Billing and payment", "請求・お支払い"),
    "upgrade": ("Plans and upgrade", "プランとアップグレード"),
    "cancel": ("Cancel the subscription", "解約"),
    "help": ("Look for help", "ヘルプを探す"),
    "support contact": ("Contact support", "サポートへの問い合わせ"),
    "use: tasks": ("Work on tasks", "タスクの作業"),
    "use: reports": ("Use reports", "レポートの利用"),
    "use: files": ("Upload files", "ファイルのアップロード"),
    "use: integrations": ("Connect an integration", "連携の設定"),
    "use: import": ("Import data", "データのインポート"),
    "use: projects": ("Create more projects", "プロジェクトの追加"),
    "use: team": ("Manage team members", "メンバー管理"),
    "recommend": ("Recommend or rate the product", "製品の推薦・評価"),
}


def step_of(activity: Activity) -> str | None:
    """The step or need an activity stands for, or None for noise."""
    if activity.type == "track":
        return _TRACK.get(activity.name)
    if activity.name == "Help" or activity.stage == "support":
        # The page's category, or (read from a store, which keeps no category) the stage the house file maps it to.
        return "help"
    path = str(activity.properties.get("path", ""))
    if path in _PATHS:
        return _PATHS[path]
    if path.startswith(("/app/board", "/app/task")) or activity.name in ("Board", "Task"):
        return "use: tasks"
    return None


def step_title(step: str, lang: str = "en") -> str:
    """A step's label as staff read it, in English or Japanese."""
    en, ja = TITLES.get(step, (step, step))
    return ja if lang == "ja" else en


def sequences(activities: Iterable[Activity], as_of_ms: int) -> dict[str, list[tuple[str, int]]]:
    """Each customer's steps (collapsed when repeated back to back) with their times, strictly before `as_of_ms`."""
    out: dict[str, list[tuple[str, int]]] = {}
    for customer, items in by_customer(a for a in activities if a.ts < as_of_ms).items():
        seq: list[tuple[str, int]] = []
        for a in items:
            step = step_of(a)
            if step is not None and (not seq or seq[-1][0] != step):
                seq.append((step, a.ts))
        if seq:
            out[customer] = seq
    return out


@dataclass(frozen=True)
class NextStep:
    """The most likely next steps of one customer, best first, with probabilities and reasons."""

    customer_id: str
    steps: list[tuple[str, float]]
    reasons: list[Reason]
    last_step: str | None


@dataclass
class MarkovBaseline:
    """First-order transitions: P(next | last step), ties broken by how common the next step is overall."""

    transitions: dict[str, Counter[str]] = field(default_factory=dict)
    first: Counter[str] = field(default_factory=Counter)
    overall: Counter[str] = field(default_factory=Counter)

    def fit_sequences(self, seqs: Iterable[Sequence[str]]) -> MarkovBaseline:
        """Count transitions, first steps and step frequencies."""
        for seq in seqs:
            if seq:
                self.first[seq[0]] += 1
            self.overall.update(seq)
            for a, b in zip(seq, seq[1:], strict=False):
                self.transitions.setdefault(a, Counter())[b] += 1
        return self

    def rank(self, last: str | None, k: int = 3) -> list[tuple[str, float]]:
        """The k likeliest next steps after `last` (the likeliest first steps without history)."""
        counts = self.first if last is None else self.transitions.get(last, Counter())
        total = sum(counts.values()) or 1
        order = sorted(self.overall, key=lambda s: (-counts.get(s, 0), -self.overall[s], s))
        return [(s, counts.get(s, 0) / total) for s in order[:k]]


@dataclass
class NextStepModel:
    """Backoff over the last two steps, the last step and the customer's own history, with one-time steps removed."""

    baseline: MarkovBaseline = field(default_factory=MarkovBaseline)
    second: dict[tuple[str, str], Counter[str]] = field(default_factory=dict)
    as_of_ms: int = 0

    def fit(self, activities: Iterable[Activity], as_of_ms: int) -> NextStepModel:
        """Learn transitions from every customer's steps before `as_of_ms`."""
        seqs = [[s for s, _ in seq] for seq in sequences(activities, as_of_ms).values()]
        self.baseline = MarkovBaseline().fit_sequences(seqs)
        self.second = {}
        for seq in seqs:
            for a, b, c in zip(seq, seq[1:], seq[2:], strict=False):
                self.second.setdefault((a, b), Counter())[c] += 1
        self.as_of_ms = as_of_ms
        return self

    def distribution(self, history: Sequence[str]) -> dict[str, float]:
        """P(next step) for a customer with these steps so far (best guess blend of the evidence)."""
        base = self.baseline
        overall_total = sum(base.overall.values()) or 1
        if not history:
            total = sum(base.first.values()) or 1
            return {s: c / total for s, c in base.first.items()}
        parts: list[tuple[float, Counter[str]]] = []
        if len(history) >= 2:
            parts.append((3.0, self.second.get((history[-2], history[-1]), Counter())))
        parts.append((2.0, base.transitions.get(history[-1], Counter())))
        parts.append((1.0, Counter(history[-20:])))
        scores: dict[str, float] = {s: 0.01 * c / overall_total for s, c in base.overall.items()}
        for weight, counts in parts:
            total = sum(counts.values())
            if total:
                for s, c in counts.items():
                    scores[s] = scores.get(s, 0.0) + weight * c / total
        done = set(history)
        for s in list(scores):
            if s in ONCE and s in done:
                del scores[s]
        mass = sum(scores.values()) or 1.0
        return {s: v / mass for s, v in scores.items()}

    def predict(self, activities: Iterable[Activity], as_of_ms: int, k: int = 3) -> list[NextStep]:
        """The k likeliest next steps of every customer in `activities`, as of `as_of_ms` (later ones are ignored)."""
        items = [a for a in activities if a.ts < as_of_ms]
        customers = {a.customer_id for a in items}
        seqs = sequences(items, as_of_ms)
        out = []
        for customer in sorted(customers):
            seq = seqs.get(customer, [])
            out.append(self.predict_one(customer, seq, as_of_ms, k))
        return out

    def predict_one(self, customer_id: str, seq: Sequence[tuple[str, int]], as_of_ms: int, k: int = 3) -> NextStep:
        """One customer's next steps from their own (step, time) sequence."""
        history = [s for s, _ in seq]
        dist = self.distribution(history)
        ranked = sorted(dist.items(), key=lambda kv: (-kv[1], -self.baseline.overall.get(kv[0], 0), kv[0]))[:k]
        last = history[-1] if history else None
        return NextStep(customer_id, ranked, self.reasons(seq, ranked, as_of_ms), last)

    def reasons(self, seq: Sequence[tuple[str, int]], ranked: list[tuple[str, float]], as_of_ms: int) -> list[Reason]:
        """Why these are the likeliest next steps of a customer with this (step, time) sequence, in en and ja."""
        if not ranked:
            return []
        best, p = ranked[0]
        en_best, ja_best = step_title(best, "en"), step_title(best, "ja")
        if not seq:
            share = self.baseline.first.get(best, 0) / (sum(self.baseline.first.values()) or 1)
            return [
                Reason(
                    "no_history",
                    "raises",
                    p,
                    f"No history yet; the most common first step is “{en_best}” ({share:.0%} of customers)",
                    f"履歴なし。最も多い最初のステップは「{ja_best}」（顧客の{share:.0%}）",
                )
            ]
        last, ts = seq[-1]
        days = max(0, (as_of_ms - ts) // DAY_MS)
        after = self.baseline.transitions.get(last, Counter())
        share = after.get(best, 0) / (sum(after.values()) or 1)
        en_last, ja_last = step_title(last, "en"), step_title(last, "ja")
        ago_en = "today" if days == 0 else f"{days} day{'s' if days != 1 else ''} ago"
        ago_ja = "本日" if days == 0 else f"{days}日前"
        out = []
        if last in ONBOARDING[1:]:
            n = ONBOARDING.index(last)  # Account Created is step 1 (docs/events.md)
            out.append(
                Reason(
                    "journey_position",
                    "raises",
                    p,
                    f"Finished step {n} of onboarding ({en_last}) {ago_en}; {share:.0%} of customers who did "
                    f"went on to “{en_best}”",
                    f"{ago_ja}にオンボーディングのステップ{n}（{ja_last}）を完了。同じ段階の顧客の{share:.0%}が"
                    f"次に「{ja_best}」へ進みました",
                )
            )
        else:
            out.append(
                Reason(
                    "last_step",
                    "raises",
                    p,
                    f"Last step was “{en_last}” {ago_en}; {share:.0%} of customers went on from there to “{en_best}”",
                    f"最後のステップは{ago_ja}の「{ja_last}」。そこから{share:.0%}の顧客が「{ja_best}」へ進みました",
                )
            )
        own = sum(1 for s, _ in seq if s == best)
        if own:
            out.append(
                Reason(
                    "own_history",
                    "raises",
                    own / len(seq),
                    f"Has done “{en_best}” {own} time{'s' if own != 1 else ''} among their last {len(seq)} steps",
                    f"直近{len(seq)}ステップのうち「{ja_best}」が{own}回",
                )
            )
        return out


def hits(ranked: Sequence[str], actual: str) -> tuple[bool, bool]:
    """Whether the actual step is the first guess, and whether it is among the first three."""
    return bool(ranked) and ranked[0] == actual, actual in ranked[:3]


@dataclass(frozen=True)
class NextStepReport:
    """Hit@1 and hit@3 of the model and the first-order baseline on a later window (synthetic data)."""

    customers: int
    model_hit1: float
    model_hit3: float
    baseline_hit1: float
    baseline_hit3: float
    as_of_ms: int
    synthetic: bool = True

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def evaluate(activities: Sequence[Activity], as_of_ms: int) -> NextStepReport:
    """Learn before `as_of_ms`, predict as of it, and score against each customer's first step after it."""
    model = NextStepModel().fit(activities, as_of_ms)
    before = sequences(activities, as_of_ms)
    actual: dict[str, str] = {}
    for a in sorted((a for a in activities if a.ts >= as_of_ms), key=lambda a: a.ts):
        step = step_of(a)
        if step is not None and a.customer_id in before and a.customer_id not in actual:
            actual[a.customer_id] = step
    m1 = m3 = b1 = b3 = 0
    for customer, truth in actual.items():
        seq = before[customer]
        got = [s for s, _ in model.predict_one(customer, seq, as_of_ms).steps]
        base = [s for s, _ in model.baseline.rank(seq[-1][0])]
        h1, h3 = hits(got, truth)
        g1, g3 = hits(base, truth)
        m1, m3, b1, b3 = m1 + h1, m3 + h3, b1 + g1, b3 + g3
    n = len(actual) or 1
    return NextStepReport(len(actual), m1 / n, m3 / n, b1 / n, b3 / n, as_of_ms)


def evaluate_on_world(config: WorldConfig, *, train_share: float = 0.75) -> NextStepReport:
    """Generate a synthetic simulator world and evaluate on it, split in time at `train_share` of its window."""
    from omotenashi.anticipation.activity import from_messages
    from omotenashi.simulator import generate

    world = generate(config)
    activities = list(from_messages(world.messages))
    as_of = int(config.start_ms + train_share * (config.end_ms - config.start_ms))
    return evaluate(activities, as_of)

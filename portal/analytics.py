"""Team analytics for leads, trainers and admins: trends, at-risk agents, speed to proficiency.

Everything is aggregated in SQL from graded attempts (one row per exam
taken, never answer rows), or limited in SQL to the last few results per
agent before pandas sees it, so a page stays fast at thousands of agents.

Scope: a lead sees the teams they lead; trainers and admins see any team or
cohort. Only learners (agents and new hires) of the scope are counted.

A team's figures (results, means, bands, coaching effects) count each record for
the team its person was in on the day it happened (`portal.teams.membership`):
moving someone leaves both teams' past as it was. Who is listed (members, the
at-risk list and its per-person recent results, speed to proficiency) is the
team now: the people a lead manages today.
"""
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import and_, case, exists, func, select as sa_select
from sqlmodel import Session, select

from portal import coaching
from portal.clock import center_day_start, local_date, today
from portal.coaching.settings import CoachingSettings, settings_or_load
from portal.errors import NotFound, PermissionDenied
from portal.i18n import Translator
from portal.models import ActionItem, Attempt, Cohort, CoachingSession, Exam, StageSignoff, Team, User, UserRole
from portal import permissions
from portal.permissions import permission
from portal.roles import Actor, Role
from portal.teams.membership import was_in_team

DASHBOARD = "analytics:team_dashboard"
GRADED_KINDS = ("written", "practical")
BANDS = ((90, "90–100"), (80, "80–89"), (70, "70–79"), (60, "60–69"), (0, "<60"))


# --- seams to the onboarding area (wired in at merge) ---------------------------

def onboarding_flags(session: Session, user_ids: list[int]) -> dict[int, list[str]]:
    """Onboarding reasons to worry about each new hire, by user id.

    Reason keys: `behind_schedule` (a stage past its due date without
    sign-off) and `asked_to_repeat` (a stage reopened). Only people still in
    onboarding (the new-hire role) have a journey to be behind on.
    """
    from portal.onboarding.journey import build_journeys

    if not user_ids:
        return {}
    new_hires = session.exec(select(User).join(UserRole, UserRole.user_id == User.id)
                             .where(User.id.in_(user_ids), UserRole.role == Role.NEWHIRE.value)).all()
    flags = {}
    for journey in build_journeys(session, new_hires):
        reasons = [key for key, on in (("behind_schedule", journey.behind_schedule),
                                       ("asked_to_repeat", journey.asked_to_repeat)) if on]
        if reasons:
            flags[journey.user_id] = reasons
    return flags


def qa_risk_flags(session: Session, user_ids: list[int]) -> dict:
    """QA reasons to worry about each agent (low or falling QA score, repeated critical misses), by user id."""
    from portal.qa.dashboards import qa_risk_flags as flags

    return flags(session, user_ids)


def stage_signoff_dates(session: Session, user_ids: list[int]) -> pd.DataFrame:
    """One row per stage signed off as passed: columns user_id, stage, signed_off_on (date)."""
    rows = session.exec(select(StageSignoff.user_id, StageSignoff.stage_key, func.min(StageSignoff.signed_at))
                        .where(StageSignoff.user_id.in_(user_ids), StageSignoff.outcome == "passed")
                        .group_by(StageSignoff.user_id, StageSignoff.stage_key)).all() if user_ids else []
    return pd.DataFrame({"user_id": pd.Series([r[0] for r in rows], dtype="int64"),
                         "stage": pd.Series([r[1] for r in rows], dtype="object"),
                         "signed_off_on": pd.Series([local_date(r[2]) for r in rows], dtype="object")})


# --- scope ----------------------------------------------------------------------

@dataclass(frozen=True)
class Scope:
    kind: str  # team | cohort
    id: int
    name: str = ""


@permission(DASHBOARD)
def available_scopes(session: Session, actor: Actor) -> list[Scope]:
    """Teams (and, for those who see the whole center, cohorts) this person may analyse."""
    teams_led = permissions.teams_within(session, actor, DASHBOARD)
    if teams_led is None:
        teams = session.exec(select(Team).order_by(Team.name)).all()
        cohorts = session.exec(select(Cohort).order_by(Cohort.start_date.desc())).all()
        return [Scope("team", t.id, t.name) for t in teams] + [Scope("cohort", c.id, c.name) for c in cohorts]
    teams = session.exec(select(Team).where(Team.id.in_(teams_led or [-1])).order_by(Team.name)).all()
    return [Scope("team", t.id, t.name) for t in teams]


@permission(DASHBOARD)
def require_scope(session: Session, actor: Actor, scope: Scope) -> None:
    """A cohort spans teams: only those who see the whole center analyse one."""
    if scope.kind not in ("team", "cohort"):
        raise NotFound("analytics.error.no_such_scope", scope=scope.kind)
    if permissions.over_everyone(actor, DASHBOARD):
        return
    if scope.kind != "team" or not permissions.may_over_team(session, actor, DASHBOARD, scope.id):
        raise PermissionDenied("analytics.error.not_your_team")


def _in_scope(scope: Scope):
    """The scope's people now: current team members (who a lead manages) or the cohort."""
    member = User.team_id == scope.id if scope.kind == "team" else User.cohort_id == scope.id
    return and_(member, _learner(), User.active)


def _learner():
    return exists().where(UserRole.user_id == User.id, UserRole.role.in_(coaching.LEARNER_ROLES))


def _happened_in_scope(session: Session, scope: Scope, *, at=None, on=None):
    """A record of the scope: for a team, one of a learner who was in the team on the center's day it happened
    (`at` a stored time, `on` a date; portal/teams/membership.py) — a move leaves both teams' past as it
    was; for a cohort, one of its learners."""
    if scope.kind != "team":
        return _in_scope(scope)
    return and_(_learner(), User.active, was_in_team(session, scope.id, User.id, at=at, on=on))


def _results_in_scope(session: Session, scope: Scope):
    return _happened_in_scope(session, scope, at=Attempt.submitted_at)


@dataclass(frozen=True)
class ResultFilter:
    """The filters a page shows; exports use the same object so files match the screen."""

    kind: str | None = None  # written | practical | None for both
    since: date | None = None


def _graded(filt: ResultFilter):
    conditions = [Attempt.status == "graded", Attempt.percent.is_not(None), Attempt.submitted_at.is_not(None),
                  Exam.kind.in_([filt.kind] if filt.kind else GRADED_KINDS)]
    if filt.since:
        conditions.append(Attempt.submitted_at >= center_day_start(filt.since))
    return and_(*conditions)


def _center_days(moments: pd.Series) -> pd.Series:
    """The center's calendar day of each stored instant (not UTC's: 07:00 in Beijing is yesterday in UTC)."""
    return pd.Series([None if pd.isna(moment) else local_date(moment) for moment in moments], index=moments.index,
                     dtype="object")


@permission(DASHBOARD)
def members(session: Session, actor: Actor, scope: Scope) -> pd.DataFrame:
    require_scope(session, actor, scope)
    rows = session.exec(select(User.id, User.display_name).where(_in_scope(scope))
                        .order_by(User.display_name)).all()
    return pd.DataFrame(rows, columns=["user_id", "agent"])


# --- results and trends ----------------------------------------------------------

@permission(DASHBOARD)
def exam_results(session: Session, actor: Actor, scope: Scope, filt: ResultFilter = ResultFilter(),
                 user_id: int | None = None) -> pd.DataFrame:
    """One row per graded written/practical attempt of the scope's learners."""
    require_scope(session, actor, scope)
    query = (select(Attempt.id, User.id, User.display_name, Exam.code, Exam.title_en, Exam.title_zh, Exam.kind,
                    Attempt.submitted_at, Attempt.percent, Attempt.passed, Exam.pass_mark)
             .join(User, User.id == Attempt.user_id).join(Exam, Exam.id == Attempt.exam_id)
             .where(_results_in_scope(session, scope), _graded(filt))
             .order_by(Attempt.submitted_at, User.display_name))
    if user_id is not None:
        query = query.where(User.id == user_id)
    frame = pd.DataFrame(session.exec(query).all(),
                         columns=["attempt_id", "user_id", "agent", "exam_code", "exam_en", "exam_zh", "kind",
                                  "submitted_at", "percent", "passed", "pass_mark"])
    frame["submitted_on"] = _center_days(frame["submitted_at"])
    return frame.drop(columns=["submitted_at"])


@permission(DASHBOARD)
def result_stats(session: Session, actor: Actor, scope: Scope,
                 filt: ResultFilter = ResultFilter()) -> tuple[int, float | None]:
    """How many graded results the scope has and their mean (what `exam_results` holds, counted in SQL)."""
    require_scope(session, actor, scope)
    count, mean = session.exec(select(func.count(Attempt.id), func.avg(Attempt.percent))
                               .join(User, User.id == Attempt.user_id).join(Exam, Exam.id == Attempt.exam_id)
                               .where(_results_in_scope(session, scope), _graded(filt))).one()
    return int(count), None if mean is None else float(mean)


@permission(DASHBOARD)
def team_means(session: Session, actor: Actor, scope: Scope, filt: ResultFilter = ResultFilter()) -> pd.DataFrame:
    """Mean score per exam across the scope, with the day it was (first) taken."""
    require_scope(session, actor, scope)
    rows = session.exec(select(Exam.code, Exam.title_en, Exam.title_zh, Exam.pass_mark,
                               func.min(Attempt.submitted_at), func.avg(Attempt.percent), func.count(Attempt.id))
                        .join(Attempt, Attempt.exam_id == Exam.id).join(User, User.id == Attempt.user_id)
                        .where(_results_in_scope(session, scope), _graded(filt))
                        .group_by(Exam.id, Exam.code, Exam.title_en, Exam.title_zh, Exam.pass_mark)
                        .order_by(func.min(Attempt.submitted_at))).all()
    frame = pd.DataFrame(rows, columns=["exam_code", "exam_en", "exam_zh", "pass_mark", "first_taken", "mean",
                                        "results"])
    frame["taken_on"] = _center_days(frame["first_taken"])
    frame["mean"] = frame["mean"].astype(float).round(1)
    return frame.drop(columns=["first_taken"])


@permission(DASHBOARD)
def score_distribution(session: Session, actor: Actor, scope: Scope,
                       filt: ResultFilter = ResultFilter()) -> pd.DataFrame:
    """How many results fall in each 10-point band, per exam (counted in SQL)."""
    require_scope(session, actor, scope)
    band = case(*[(Attempt.percent >= low, low) for low, _ in BANDS[:-1]], else_=0)
    rows = session.exec(select(Exam.code, Exam.title_en, Exam.title_zh, band, func.count(Attempt.id))
                        .join(Attempt, Attempt.exam_id == Exam.id).join(User, User.id == Attempt.user_id)
                        .where(_results_in_scope(session, scope), _graded(filt))
                        .group_by(Exam.code, Exam.title_en, Exam.title_zh, band)
                        .order_by(Exam.code, band)).all()
    frame = pd.DataFrame(rows, columns=["exam_code", "exam_en", "exam_zh", "band_from", "results"])
    frame["band"] = frame["band_from"].map(dict(BANDS))
    return frame


def _recent_results(session: Session, scope: Scope, filt: ResultFilter, last: int) -> dict[int, list[float]]:
    """Each learner's last `last` results, newest first (limited in SQL by a window function), by user id."""
    ranked = (sa_select(Attempt.user_id, Attempt.percent, Attempt.submitted_at,
                        func.row_number().over(partition_by=Attempt.user_id,
                                               order_by=(Attempt.submitted_at.desc(), Attempt.id.desc()))
                        .label("recency"))
              .join(Exam, Exam.id == Attempt.exam_id).join(User, User.id == Attempt.user_id)
              .where(_in_scope(scope), _graded(filt)).subquery())
    rows = session.exec(sa_select(ranked.c.user_id, ranked.c.percent)
                        .where(ranked.c.recency <= last).order_by(ranked.c.user_id, ranked.c.recency)).all()
    found: dict[int, list[float]] = {}
    for user_id, percent in rows:
        found.setdefault(user_id, []).append(float(percent))
    return found


def _slope(percents_newest_first: list[float]) -> float | None:
    """Least-squares change in score per result, oldest to newest."""
    values = list(reversed(percents_newest_first))
    if len(values) < 2:
        return None
    return float(np.polyfit(np.arange(len(values)), values, 1)[0])


def _slopes(series: list[list[float]]) -> list[float]:
    """`_slope` of many equally long series at once (one least-squares fit with a column per series)."""
    if not series:
        return []
    values = np.array([list(reversed(s)) for s in series], dtype=float).T
    return [float(v) for v in np.atleast_1d(np.polyfit(np.arange(values.shape[0]), values, 1)[0])]


def band_of(score: float | None, settings: coaching.CoachingSettings) -> str:
    if score is None or pd.isna(score):
        return "none"
    if score < settings.low_score:
        return "red"
    return "amber" if score < settings.amber_score else "green"


@permission(DASHBOARD)
def agent_summary(session: Session, actor: Actor, scope: Scope, filt: ResultFilter = ResultFilter(), *,
                  settings: CoachingSettings | None = None) -> pd.DataFrame:
    """Per learner: results in the last N, their average, the latest, lows, and the trend slope.

    One pass over the (already limited) recent results, grouped by learner; the
    trend slopes are fitted together. Cost grows with the scope, never per query.
    `settings`: the coaching settings the page loaded for this run (None: load them).
    """
    require_scope(session, actor, scope)
    settings = settings_or_load(session, settings)
    people = members(session, actor, scope)
    recent = _recent_results(session, scope, filt, max(settings.last_n, settings.trend_k))
    trending = [user_id for user_id, mine in recent.items() if len(mine) >= settings.trend_k]
    slopes = dict(zip(trending, _slopes([recent[u][:settings.trend_k] for u in trending])))
    rows = []
    for user_id, agent in zip(people["user_id"].tolist(), people["agent"].tolist()):
        mine = recent.get(user_id, [])
        last_n = mine[:settings.last_n]
        slope = slopes.get(user_id)
        average = round(sum(last_n) / len(last_n), 1) if last_n else None
        rows.append({"user_id": user_id, "agent": agent, "results": len(last_n), "average": average,
                     "latest": mine[0] if mine else None,
                     "below_low": sum(1 for p in last_n if p < settings.low_score),
                     "slope": None if slope is None else round(slope, 2), "band": band_of(average, settings)})
    frame = pd.DataFrame(rows, columns=["user_id", "agent", "results", "average", "latest", "below_low", "slope",
                                        "band"])
    return frame.astype({"average": float, "latest": float, "slope": float})


def bottom(summary: pd.DataFrame, n: int) -> pd.DataFrame:
    """The n learners with the lowest recent average (learners without results last)."""
    return summary.sort_values("average", na_position="last").head(n).reset_index(drop=True)


# --- at risk ----------------------------------------------------------------------

@dataclass(frozen=True)
class Reason:
    key: str
    params: tuple[tuple[str, object], ...] = ()

    def text(self, t: Translator) -> str:
        """A key with a dot is a full i18n key (reasons other areas add, e.g. QA's); else analytics.reason.<key>."""
        key = self.key if "." in self.key else f"analytics.reason.{self.key}"
        return t(key, **dict(self.params))


def _overdue_counts(session: Session, user_ids: list[int]) -> tuple[dict[int, int], dict[int, int]]:
    if not user_ids:
        return {}, {}
    now = today()
    items = dict(session.exec(select(CoachingSession.agent_id, func.count(ActionItem.id))
                              .join(ActionItem, ActionItem.session_id == CoachingSession.id)
                              .where(CoachingSession.agent_id.in_(user_ids), ActionItem.done_at.is_(None),
                                     ActionItem.due_on < now)
                              .group_by(CoachingSession.agent_id)).all())
    acks = dict(session.exec(select(CoachingSession.agent_id, func.count(CoachingSession.id))
                             .where(CoachingSession.agent_id.in_(user_ids), CoachingSession.acknowledged_at.is_(None),
                                    CoachingSession.ack_due_on < now)
                             .group_by(CoachingSession.agent_id)).all())
    return items, acks


@permission(DASHBOARD)
def at_risk(session: Session, actor: Actor, scope: Scope, filt: ResultFilter = ResultFilter(), *,
            settings: CoachingSettings | None = None) -> pd.DataFrame:
    """Every learner of the scope with `at_risk` and the reasons (a list of `Reason`)."""
    settings = settings_or_load(session, settings)
    summary = agent_summary(session, actor, scope, filt, settings=settings)
    ids = summary["user_id"].tolist()
    items, acks = _overdue_counts(session, ids)
    onboarding = onboarding_flags(session, ids)
    quality = qa_risk_flags(session, ids)
    reasons_col = []
    for row in summary.itertuples(index=False):
        reasons = []
        if row.below_low >= settings.low_count:
            reasons.append(Reason("low_scores", (("count", int(row.below_low)), ("n", int(row.results)),
                                                 ("low", _num(settings.low_score)))))
        if row.slope is not None and not pd.isna(row.slope) and row.slope <= -settings.trend_min_drop:
            reasons.append(Reason("falling_trend", (("slope", f"{row.slope:.1f}"), ("k", settings.trend_k))))
        if items.get(row.user_id):
            reasons.append(Reason("overdue_actions", (("count", items[row.user_id]),)))
        if acks.get(row.user_id):
            reasons.append(Reason("overdue_ack", (("count", acks[row.user_id]),)))
        reasons.extend(Reason(key) for key in onboarding.get(row.user_id, []))
        reasons.extend(Reason(flag.key, flag.params) for flag in quality.get(row.user_id, []))
        reasons_col.append(reasons)
    frame = summary.copy()
    frame["overdue_actions"] = [items.get(i, 0) for i in ids]
    frame["overdue_acks"] = [acks.get(i, 0) for i in ids]
    frame["reasons"] = reasons_col
    frame["at_risk"] = [bool(r) for r in reasons_col]
    return frame.sort_values(["at_risk", "average"], ascending=[False, True], na_position="last")\
        .reset_index(drop=True)


def _num(value: float) -> str:
    return f"{value:g}"


def reasons_text(t: Translator, reasons: list[Reason]) -> str:
    return "; ".join(r.text(t) for r in reasons)


# --- coaching effect ----------------------------------------------------------------

@permission(DASHBOARD)
def coaching_effects(session: Session, actor: Actor, scope: Scope, *,
                     settings: CoachingSettings | None = None) -> pd.DataFrame:
    """Per session about a learner of the scope: exam average before and after (windows from settings)."""
    require_scope(session, actor, scope)
    window = settings_or_load(session, settings).effect_window_days
    author = User.__table__.alias("author")
    # One grouped query over the scope's sessions only: aggregating every
    # session of the center first and joining the scope afterwards took seconds.
    columns = (CoachingSession.id, CoachingSession.held_on, User.display_name, author.c.display_name,
               CoachingSession.focus_area)
    query = (sa_select(*columns, *coaching.effect_aggregates(session, window)).select_from(CoachingSession)
             .join(User, User.id == CoachingSession.agent_id)
             .join(author, author.c.id == CoachingSession.author_id)
             .where(_happened_in_scope(session, scope, on=CoachingSession.held_on)))
    rows = session.exec(coaching.with_effect_attempts(session, query, window).group_by(*columns)
                        .order_by(CoachingSession.held_on.desc())).all()
    frame = pd.DataFrame(rows, columns=["session_id", "held_on", "agent", "coach", "focus_area", "before_avg",
                                        "before_n", "after_avg", "after_n"])
    for column in ("before_avg", "after_avg"):
        frame[column] = pd.to_numeric(frame[column]).round(1)
    frame["change"] = (frame["after_avg"] - frame["before_avg"]).round(1)
    return _with_qa_effect(session, frame, scope, window)


def _with_qa_effect(session: Session, frame: pd.DataFrame, scope: Scope, window: int) -> pd.DataFrame:
    """The agent's live QA average before and after each session, beside the exam figures (one grouped query
    over the scope's sessions, like the exams')."""
    query = coaching.qa_effect_query(session, window).join(User, User.id == CoachingSession.agent_id) \
        .where(_happened_in_scope(session, scope, on=CoachingSession.held_on))
    qa = pd.DataFrame(session.exec(query).all(), columns=["session_id", "qa_before_avg", "qa_before_n",
                                                          "qa_after_avg", "qa_after_n"])
    out = frame.merge(qa, on="session_id", how="left")
    for column in ("qa_before_avg", "qa_after_avg"):
        out[column] = pd.to_numeric(out[column]).round(1)
    for column in ("qa_before_n", "qa_after_n"):
        out[column] = out[column].fillna(0).astype(int)
    out["qa_change"] = (out["qa_after_avg"] - out["qa_before_avg"]).round(1)
    return out


def effect_by(effects: pd.DataFrame, column: str) -> pd.DataFrame:
    """Sessions and mean change per coach or per focus area (on the small per-session frame)."""
    measured = effects.dropna(subset=["change"])
    sessions = effects.groupby(column).size().rename("sessions")
    grouped = measured.groupby(column).agg(measured=("change", "size"), mean_before=("before_avg", "mean"),
                                           mean_after=("after_avg", "mean"), mean_change=("change", "mean"))
    frame = pd.concat([sessions, grouped], axis=1).reset_index()
    frame["measured"] = frame["measured"].fillna(0).astype(int)
    return frame.round(1)


# --- speed to proficiency -----------------------------------------------------------

@permission(DASHBOARD)
def proficiency(session: Session, actor: Actor, scope: Scope) -> pd.DataFrame:
    """Per new hire: days from start to the first exam at/above pass, and to each stage sign-off."""
    require_scope(session, actor, scope)
    mentor = User.__table__.alias("mentor")
    first_pass = (sa_select(Attempt.user_id, func.min(Attempt.submitted_at).label("first_pass"))
                  .join(Exam, Exam.id == Attempt.exam_id)
                  .where(Attempt.status == "graded", Attempt.percent >= Exam.pass_mark, Exam.kind.in_(GRADED_KINDS),
                         Attempt.user_id.in_(sa_select(User.id).where(_in_scope(scope))))
                  .group_by(Attempt.user_id).subquery())
    rows = session.exec(sa_select(User.id, User.display_name, Cohort.name, mentor.c.display_name, Cohort.start_date,
                                  first_pass.c.first_pass)
                        .join(Cohort, Cohort.id == User.cohort_id)
                        .join(mentor, mentor.c.id == User.mentor_id, isouter=True)
                        .join(first_pass, first_pass.c.user_id == User.id, isouter=True)
                        .where(_in_scope(scope)).order_by(Cohort.start_date, User.display_name)).all()
    frame = pd.DataFrame(rows, columns=["user_id", "agent", "cohort", "mentor", "start_date", "first_pass"])
    frame["first_pass_on"] = _center_days(frame["first_pass"])
    frame["days_to_pass"] = [(p - s).days if p is not None and not pd.isna(p) else None
                             for p, s in zip(frame["first_pass_on"], frame["start_date"])]
    frame = frame.drop(columns=["first_pass"])
    return _with_stages(frame, stage_signoff_dates(session, frame["user_id"].tolist()))


def _with_stages(frame: pd.DataFrame, stages: pd.DataFrame) -> pd.DataFrame:
    """Add `days_to_<stage>` columns from the onboarding seam (none while it is empty)."""
    if stages.empty:
        return frame
    starts = dict(zip(frame["user_id"], frame["start_date"]))
    stages = stages[stages["user_id"].isin(starts)].copy()
    stages["days"] = [(pd.Timestamp(d) - pd.Timestamp(starts[u])).days
                      for u, d in zip(stages["user_id"], stages["signed_off_on"])]
    wide = stages.pivot_table(index="user_id", columns="stage", values="days", aggfunc="min")
    wide.columns = [f"days_to_{c}" for c in wide.columns]
    return frame.merge(wide.reset_index(), on="user_id", how="left")


def proficiency_curve(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """Share of each group (cohort or mentor) proficient by day d since start."""
    rows = []
    for group, part in frame.groupby(frame[by].fillna("—")):
        days = sorted(d for d in part["days_to_pass"] if d is not None and not pd.isna(d))
        for reached, day in enumerate(days, start=1):
            rows.append({"group": group, "day": int(day), "share": round(reached / len(part), 3)})
    return pd.DataFrame(rows, columns=["group", "day", "share"])


def mentor_outcomes(frame: pd.DataFrame) -> pd.DataFrame:
    """Per mentor: mentees, how many graduated, the rate, and mentees' median days to pass.

    Graduated = passed an exam and, where stage data exists, signed off every stage.
    """
    stage_columns = [c for c in frame.columns if c.startswith("days_to_") and c != "days_to_pass"]
    passed = frame["days_to_pass"].notna()
    graduated = passed & frame[stage_columns].notna().all(axis=1) if stage_columns else passed
    data = frame.assign(graduated=graduated, mentor=frame["mentor"].fillna("—"))
    out = data.groupby("mentor").agg(mentees=("user_id", "size"), graduated=("graduated", "sum"),
                                     median_days_to_pass=("days_to_pass", lambda s: pd.to_numeric(s).median()))
    out["graduation_rate"] = (out["graduated"] / out["mentees"]).round(2)
    return out.reset_index()[["mentor", "mentees", "graduated", "graduation_rate", "median_days_to_pass"]]

"""Audit entries told as sentences that name people and things ("Wang Fang changed Chen Jie's grade...").

Names are looked up once per page (`lookups`): the people a page's entries concern, the teams
and cohorts their details mention, the exams and the learners of attempts. An action without a
sentence of its own, or an old entry missing a detail its sentence needs, reads generically.
"""
import json
from dataclasses import dataclass, field
from string import Formatter

from sqlmodel import Session, select

from portal.i18n import Translator
from portal.models import Attempt, Cohort, Exam, Team, User

PEOPLE_KEYS = ("mentor_id", "lead", "leads", "before_leads")


@dataclass
class Names:
    people: dict[str, str] = field(default_factory=dict)  # username -> display name
    people_by_id: dict[int, str] = field(default_factory=dict)
    teams: dict[int, str] = field(default_factory=dict)
    cohorts: dict[int, str] = field(default_factory=dict)
    exams: dict[str, tuple[str, str]] = field(default_factory=dict)  # code -> (en, zh)
    learners: dict[int, str] = field(default_factory=dict)  # attempt id -> display name

    def person(self, username: str) -> str:
        return self.people.get(username, username)

    def exam(self, code: str, language: str) -> str:
        titles = self.exams.get(code)
        return (titles[1] if language == "zh-CN" else titles[0]) if titles else code


def lookups(session: Session, rows) -> Names:
    """Every name a page of entries needs, in a handful of queries."""
    targets = {row[4] for row in rows if row[4]}
    details = [json.loads(row[5] or "{}") for row in rows]
    attempt_ids = {d["attempt"] for d in details if isinstance(d.get("attempt"), int)}
    person_ids = {v for d in details for side in (d.get("before"), d.get("after")) if isinstance(side, dict)
                  for k, v in side.items() if k == "mentor_id" and v} | \
                 {i for d in details for k in ("leads", "before_leads") for i in d.get(k, []) or []}
    names = Names()
    if targets:
        names.people = dict(session.exec(select(User.username, User.display_name)
                                         .where(User.username.in_(targets))).all())
        names.exams = {code: (en, zh) for code, en, zh in session.exec(
            select(Exam.code, Exam.title_en, Exam.title_zh).where(Exam.code.in_(targets))).all()}
    if person_ids:
        names.people_by_id = dict(session.exec(select(User.id, User.display_name).where(User.id.in_(person_ids))).all())
    names.teams = dict(session.exec(select(Team.id, Team.name)).all())
    names.cohorts = dict(session.exec(select(Cohort.id, Cohort.name)).all())
    if attempt_ids:
        names.learners = dict(session.exec(select(Attempt.id, User.display_name).join(User, User.id == Attempt.user_id)
                                           .where(Attempt.id.in_(attempt_ids))).all())
    return names


def _placement(t: Translator, before: dict, after: dict, names: Names) -> str:
    """'team Mobile Team A → Broadband Team B; mentor — → Liu Yang' for what changed."""
    kinds = {"team_id": ("team", names.teams), "cohort_id": ("cohort", names.cohorts),
             "mentor_id": ("mentor", names.people_by_id)}
    parts = []
    for key, (label, known) in kinds.items():
        old, new = before.get(key), after.get(key)
        if old != new:
            parts.append(t("audit.change", what=t(f"audit.field.{label}"), before=known.get(old, "—") if old else "—",
                           after=known.get(new, "—") if new else "—"))
    return "; ".join(parts) or t("audit.no_change")


def _stage_title(key: str, language: str) -> str:
    from portal.onboarding.programme import current_programme

    stage = current_programme().stage(key)
    return stage.title.get(language) if stage is not None else key


def _move(t: Translator, details: dict, names: Names) -> dict:
    """'from Mobile Team A to Broadband Team B from Nov 3, 2026' (portal.teams.membership.move_to_team)."""
    from datetime import date

    from portal.formatting import format_date

    def team(team_id):
        return names.teams.get(team_id, "—") if team_id else t("teams.no_team")

    moved = {"from_team": team(details.get("before_team_id")), "to_team": team(details.get("after_team_id"))}
    if details.get("effective"):
        moved["effective"] = format_date(date.fromisoformat(details["effective"]), t.language)
    return moved


def _people(ids, names: Names) -> str:
    return ", ".join(names.people_by_id.get(i, str(i)) for i in ids or []) or "—"


def _params(t: Translator, action: str, actor_name: str, target: str, details: dict, names: Names) -> dict:
    params = {"actor": actor_name, "person": names.person(target), "target": target, **{
        k: f"{v:g}" if isinstance(v, float) else v for k, v in details.items() if isinstance(v, (str, int, float))}}
    if action.startswith("exam."):
        params["exam"] = names.exam(target, t.language)
        if isinstance(details.get("attempt"), int):
            params["learner"] = names.learners.get(details["attempt"], "—")
    if action == "user.assigned":
        params["changes"] = _placement(t, details.get("before") or {}, details.get("after") or {}, names)
    if action == "user.moved_team":
        params.update(_move(t, details, names))
    if action == "team.leads_set":
        params["after"] = _people(details.get("leads"), names)
        params["before"] = _people(details.get("before_leads"), names) if "before_leads" in details else "?"
    if action == "user.roles_changed":
        params["before"] = ", ".join(t(f"role.{r}") for r in details.get("before", [])) or "—"
        params["after"] = ", ".join(t(f"role.{r}") for r in details.get("after", [])) or "—"
    if action == "stage.signed_off" and "outcome" in details:
        params["outcome"] = t(f"onboarding.outcome.{details['outcome']}")
        params["stage"] = _stage_title(details.get("stage", ""), t.language)
    if action == "ticket.reviewed" and "outcome" in details:
        params["outcome"] = t(f"onboarding.review_outcome.{details['outcome']}")
    if action == "user.created":
        params["roles"] = ", ".join(t(f"role.{r}") for r in details.get("roles", [])) or "—"
    return params


def describe(t: Translator, action: str, actor_name: str, target: str, details: dict, names: Names) -> str:
    """The entry as one sentence in the reader's language."""
    params = _params(t, action, actor_name, target, details, names)
    key = f"audit.says.{action}"
    template = t(key)
    needed = {name for _, name, _, _ in Formatter().parse(template) if name}
    if template == key or not needed <= set(params):
        return t("audit.says.generic", actor=actor_name, action=action, target=names.person(target) or "—")
    return t(key, **params)

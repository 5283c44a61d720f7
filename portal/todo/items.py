"""One thing a person has to do, as Home and the command line list it."""
from dataclasses import dataclass
from datetime import date

#: Order among items due on the same day (and among items with no due date).
KIND_ORDER = ("repeat", "rework", "module", "quiz", "shadowing", "exam", "reviews", "recert", "recert_optional",
              "certificate_expiry",
              "acknowledge", "qa_acknowledge", "action", "ticket", "signoff", "marking", "qa_dispute", "qa_queue",
              "at_risk", "team_actions", "item_analysis", "failed_import", "held_sign_ins",
              "never_signed_in")


@dataclass(frozen=True)
class TodoItem:
    """What to do (`kind`, text `todo.<kind>` filled with `params`), by when, and where it is done.

    `page` and `query` open the exact place: Home links there with `st.page_link`,
    and the same path and query work as a URL from an e-mail.
    """

    kind: str
    params: tuple[tuple[str, object], ...]
    due: date | None
    page: str
    query: tuple[tuple[str, str], ...] = ()

    @property
    def text_key(self) -> str:
        return f"todo.{self.kind}"

    def overdue(self, today: date) -> bool:
        return self.due is not None and self.due < today

    def sort_key(self, today: date) -> tuple:
        """Overdue first, then by due date (no date last), then by kind."""
        return (not self.overdue(today), self.due is None, self.due or date.max, KIND_ORDER.index(self.kind))


def item(kind: str, page: str, *, due: date | None = None, query: dict[str, object] | None = None,
         **params: object) -> TodoItem:
    return TodoItem(kind=kind, params=tuple(params.items()), due=due, page=page,
                    query=tuple((k, str(v)) for k, v in (query or {}).items()))

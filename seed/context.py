"""What every area's demo loader is handed."""
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from sqlmodel import Session, select

from portal.models import Cohort, Team, User

DEMO_DIR = Path(__file__).parent / "demo"


@dataclass
class SeedContext:
    session: Session
    today: date
    data_dir: Path = DEMO_DIR
    created: dict[str, int] = field(default_factory=dict)

    def day(self, offset_days: int) -> date:
        return self.today + timedelta(days=offset_days)

    def user(self, username: str) -> User:
        return self.session.exec(select(User).where(User.username == username)).one()

    def team(self, name: str) -> Team:
        return self.session.exec(select(Team).where(Team.name == name)).one()

    def cohort(self, name: str) -> Cohort:
        return self.session.exec(select(Cohort).where(Cohort.name == name)).one()

    def count(self, what: str, n: int = 1) -> None:
        self.created[what] = self.created.get(what, 0) + n

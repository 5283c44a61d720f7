"""Runtime settings, read from the environment (or a `.env` file).

Every knob an operator may turn lives here, typed, with a safe default.
"""
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = REPO_ROOT / "db" / "academy.sqlite3"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = Field(default=f"sqlite:///{DEFAULT_SQLITE_PATH}")
    bcrypt_rounds: int = Field(default=12, ge=4, le=16)
    session_idle_minutes: int = Field(default=8 * 60, ge=1)
    lockout_threshold: int = Field(default=5, ge=1)
    lockout_minutes: int = Field(default=15, ge=1)
    sso_match_claim: Literal["email", "preferred_username"] = "email"
    """Single sign-on (portal/sso.py): the identity provider's claim that names the portal user
    (the e-mail address people gave for notifications, or the username)."""
    sqlite_busy_timeout_ms: int = Field(default=5000, ge=0)
    session_cookie_name: str = "academy_session"
    default_language: str = "en"
    # Wellbeing check-ins (see portal/wellbeing.py). Thresholds cannot go below the published minimums.
    wellbeing_secret: str | None = None  # keys the participation hash; else db/wellbeing-secret
    wellbeing_min_responses: int = Field(default=5, ge=5)
    wellbeing_min_comments: int = Field(default=10, ge=10)
    wellbeing_retention_months: int = Field(default=12, ge=6, le=120)
    center_timezone: str = "Asia/Shanghai"
    """The call center's time zone: "today" for dates people enter and for schedules."""
    courses_dir: Path = REPO_ROOT / "courses"
    onboarding_stalled_days: int = Field(default=3, ge=1)
    """A new hire with no activity for this many working days is flagged as stalled."""


@lru_cache
def get_settings() -> Settings:
    return Settings()

"""What the README promises a first-time visitor is true of the demo center and the run command."""
import re
from pathlib import Path

from portal import auth, coaching

ROOT = Path(__file__).resolve().parents[1]


def test_the_demo_person_named_for_acknowledging_has_a_session_waiting(demo_session):
    assert "sign in as `tang.mei`" in (ROOT / "README.md").read_text()
    actor = auth.actor_for(demo_session, auth.find_user(demo_session, "tang.mei"))
    waiting = [s for s in coaching.my_sessions(demo_session, actor) if s.acknowledged_at is None]
    assert waiting, "tang.mei has nothing to acknowledge"


def test_make_run_listens_on_loopback_by_default():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^ADDRESS \?= 127\.0\.0\.1$", makefile, re.M)
    assert "--server.address $(ADDRESS)" in makefile

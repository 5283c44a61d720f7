"""The QA services' declared actions: each names one action whose roles include everyone the body serves."""
import pytest

from portal.errors import PermissionDenied
from portal.permissions import roles_allowed
from portal.qa import calibration, disputes, evaluations, focus, scorecards
from portal.roles import Actor, Role


def test_each_declared_action_reaches_every_role_the_body_serves():
    """The decorator refuses at once when the declared action reaches no one, so its roles must hold
    every role the body's own (narrower) checks let through."""
    assert all(roles_allowed(scorecards.READ) >= roles_allowed(action) for action in scorecards.READERS)
    assert roles_allowed(evaluations.SCORE) >= roles_allowed(evaluations.EVALUATE) | roles_allowed(
        evaluations.CALIBRATE)
    assert roles_allowed(focus.READ) >= roles_allowed(focus.PUBLISH)


def _only(role: Role) -> Actor:
    return Actor(id=999, username=f"{role}-only", display_name="X", roles=frozenset({role}))


@pytest.mark.parametrize("service,action,role,args", [
    (scorecards.list_scorecards, "qa:evaluations_read", Role.MENTOR, ()),
    (evaluations.submit_evaluation, "qa:calibrate", Role.AGENT, (1, {})),
    (disputes.open_disputes, "qa:disputes_resolve", Role.TRAINER, ()),
    (disputes.my_evaluations, "qa:acknowledge", Role.LEAD, ()),
    (calibration.my_calibrations, "qa:calibrate", Role.AGENT, ()),
    (focus.focus_items, "qa:dashboard", Role.MENTOR, ("2026-11",)),
])
def test_a_role_the_action_never_reaches_is_refused_at_the_door(service, action, role, args):
    """Refused before the body reads anything (no session is even needed), naming the roles that would do."""
    assert service.permission_action == action
    with pytest.raises(PermissionDenied) as refused:
        service(None, _only(role), *args)
    assert refused.value.key == "error.permission_denied_roles"

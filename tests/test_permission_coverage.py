"""Every public service that takes an `actor` names its action in the permission table.

A service declares it with `@permission("area:verb")` (or, for a predicate that answers
"may I?" instead of refusing, `@answers("area:verb")`); both leave `permission_action` on
the function. A new service written without one fails here, by name.
"""
import importlib
import inspect
import pkgutil
import sys
import textwrap

import pytest

import portal
from portal import permissions
from portal.errors import PermissionDenied
from portal.permissions import PERMISSIONS, answers, permission
from portal.roles import SYSTEM, Actor, Role

#: Whole packages that are no services. Keep this short; each entry says why.
NOT_SERVICES = {
    # the table's own API: each of its functions takes the action as an argument
    "portal.permissions": "the permission checks themselves",
    # the Streamlit layer lays out what services return and decides nothing: the services it calls check
    "portal.ui": "layout only",
}

#: Pure helpers that take an actor only to format (say, in the actor's language) and read or
#: change nothing of anyone's. None today: add one only with the reason beside it.
FORMAT_ONLY: dict[str, str] = {}


def _outside_services(module_name: str) -> bool:
    return any(module_name == name or module_name.startswith(name + ".") for name in NOT_SERVICES)


def services_taking_an_actor(package) -> list[tuple[str, object]]:
    """(dotted name, function) of every public function defined in `package`'s modules with an `actor` parameter."""
    found = []
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        if _outside_services(info.name):
            continue
        module = importlib.import_module(info.name)
        for name, fn in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(fn) or fn.__module__ != module.__name__:
                continue
            if "actor" in inspect.signature(fn).parameters:
                found.append((f"{info.name}.{name}", fn))
    return found


def undeclared(package) -> list[str]:
    """The services of `package` that name no action of the table (and are not format-only helpers)."""
    return sorted(name for name, fn in services_taking_an_actor(package)
                  if name not in FORMAT_ONLY and getattr(fn, "permission_action", None) not in PERMISSIONS)


def test_every_service_that_takes_an_actor_names_an_action_of_the_table():
    services = services_taking_an_actor(portal)
    assert len(services) > 100, "the walk found the services"
    assert undeclared(portal) == [], "add @permission('area:verb') (portal/permissions.py) to these"


def test_the_allow_lists_stay_short():
    assert len(NOT_SERVICES) <= 2 and len(FORMAT_ONLY) <= 3


@pytest.fixture
def made_up_package(tmp_path, monkeypatch):
    """A package with one declared service, one predicate, one forgotten service and one private helper."""
    root = tmp_path / "made_up_services"
    root.mkdir()
    (root / "__init__.py").write_text("")
    (root / "area.py").write_text(textwrap.dedent('''
        from portal.permissions import answers, permission

        @permission("users:manage")
        def declared(session, actor, user_id):
            return user_id

        @answers("exams:sit")
        def may_i(actor):
            return True

        def forgotten(session, actor, user_id):
            return user_id

        def _private(session, actor):
            return None

        def no_actor(session):
            return None
    '''))
    monkeypatch.syspath_prepend(str(tmp_path))
    yield importlib.import_module("made_up_services")
    for name in [n for n in sys.modules if n.startswith("made_up_services")]:
        del sys.modules[name]


def test_a_new_service_without_a_declared_action_is_named(made_up_package):
    assert undeclared(made_up_package) == ["made_up_services.area.forgotten"]


def test_a_misspelt_action_is_refused_when_the_module_is_imported():
    with pytest.raises(KeyError, match="no permission named"):
        permission("users:manag")
    with pytest.raises(KeyError, match="no permission named"):
        answers("users:manag")


def _actor(role: Role, user_id: int = 7) -> Actor:
    return Actor(id=user_id, username=f"{role}-x", display_name="X", roles=frozenset({role}))


def test_the_decorator_refuses_before_the_body_runs():
    ran = []

    @permission("users:manage")
    def service(session, actor, user_id):
        ran.append(user_id)

    with pytest.raises(PermissionDenied) as refused:
        service(None, _actor(Role.AGENT), 3)
    assert ran == [] and refused.value.key == "error.permission_denied_roles"
    assert refused.value.params["roles"] == "admin"
    service(None, _actor(Role.ADMIN), 3)
    service(None, actor=SYSTEM, user_id=4)  # by keyword too
    assert ran == [3, 4] and service.permission_action == "users:manage"


def test_the_decorator_checks_the_person_named_by_subject(session):
    from tests.utils.factories import make_user

    mentor = make_user(session, "mentor.c", Role.MENTOR)
    mentee = make_user(session, "mentee.c", Role.NEWHIRE, mentor_id=mentor.id)
    stranger = make_user(session, "stranger.c", Role.NEWHIRE)

    @permission("onboarding:view", subject="user_id")
    def service(session, actor, user_id):
        return user_id

    assert service(session, mentor, mentee.id) == mentee.id
    with pytest.raises(PermissionDenied):
        service(session, mentor, stranger.id)


def test_never_own_refuses_ones_own_record_first_whatever_the_roles():
    @permission("users:manage", subject="user_id", never_own="onboarding.error.own_signoff")
    def service(session, actor, user_id):
        return user_id

    with pytest.raises(PermissionDenied) as refused:
        service(None, _actor(Role.AGENT, user_id=5), 5)
    assert refused.value.key == "onboarding.error.own_signoff"


def test_none_is_refused_by_every_decorated_service_not_waved_through():
    """`actor=None` used to skip every check; a decorated service now fails on it at the door."""
    @permission("users:manage")
    def service(session, actor):
        return "ran"

    with pytest.raises(AttributeError):
        service(None, None)
    assert permissions.allowed_at_all(SYSTEM, "users:manage")

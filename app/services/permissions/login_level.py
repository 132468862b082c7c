"""How sure a login must be for an action: a project's level, raised by the operator per action.

The level of the request's login (a password: basic; a provider's `acr`: substantial or high)
is set once per request by the authentication dependency, in the request's context.
"""

from __future__ import annotations

from contextvars import ContextVar

from app.config import get_settings
from app.i18n import N_
from app.models import Project
from app.models.identity import LoginLevel
from app.services.errors import LoginLevelTooLow

LOGIN_LEVEL: ContextVar[LoginLevel] = ContextVar("login_level", default=LoginLevel.basic)


def required_level(project: Project, action: str) -> LoginLevel:
    """The level `action` needs in the project: the higher of the project's and the action's."""
    levels = [LoginLevel(project.login_level)]
    if (for_action := get_settings().oidc_action_levels.get(action)) is not None:
        levels.append(for_action)
    return max(levels, key=lambda level: level.rank)


def level_that_matters(project: Project) -> str:
    """This request's login level where the project or an action asks for more than any
    login, else "basic" (what a page shows depends on the level only there)."""
    if project.login_level == LoginLevel.basic and not get_settings().oidc_action_levels:
        return LoginLevel.basic.value
    return LOGIN_LEVEL.get().value


def ensure_login_level(project: Project, action: str) -> None:
    """Refuse (403, with the way to step up) when this login is less sure than the action needs."""
    needed = required_level(project, action)
    if LOGIN_LEVEL.get().rank < needed.rank:
        raise LoginLevelTooLow(
            N_("This needs a login at the level “%(level)s”. Log in again to continue."),
            level=needed.value,
        )

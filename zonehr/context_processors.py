from zonehr.navigation import entries_for
from zonehr.roles import user_roles


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_entries": entries_for(user), "user_roles": sorted(user_roles(user))}

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _

# The `section` names the sector duties' pages give themselves: one nav entry (重点领域) stands for all of them.
SECTOR_SECTIONS = frozenset({"sectors", "procurement", "investment", "ppp", "tendering", "debt", "streets"})
# The `section` names the supervision pages give themselves: one nav entry (监督) stands for all of them.
SUPERVISION_SECTIONS = frozenset({"supervision"})


def navigation(request: HttpRequest) -> dict[str, Any]:
    """What the staff navigation shows: decided by role, the pages themselves still check scope."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": None}
    from accounts.scope import may_operate_platform_delivery, may_read_people

    return {
        "nav": {
            "people": may_read_people(user),
            "delivery": may_operate_platform_delivery(user),
            "admin": user.is_staff,
            "sector_sections": SECTOR_SECTIONS,
            "supervision_sections": SUPERVISION_SECTIONS,
        }
    }


def site_name() -> str:
    """The public site's name: "信用" + the city's name, e.g. 信用临江; a deployment sets DISCLOSURE_SITE_NAME."""
    return settings.DISCLOSURE_SITE_NAME or _("Credit disclosure")

"""Messages of the packages we use whose own Chinese catalogue lacks them.

Django reads the project's catalogue (LOCALE_PATHS) last and lets it win, so a message listed here and translated in
locale/zh_Hans/LC_MESSAGES/django.po shows in Chinese wherever the package uses it. Listing them in code keeps
`make messages` (which drops messages it cannot find in our sources) from removing their translations.
tests/test_chinese_everywhere.py finds the ones that are still missing.
"""

from django.utils.translation import gettext_noop

THIRD_PARTY_MESSAGES = (
    # Django 5.2 admin: headers of the index's model tables (read by screen readers).
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    gettext_noop("After you’ve created a user, you’ll be able to edit more user options."),
    # django-axes (sign-in throttling) models and admin.
    gettext_noop("User Agent"),
    gettext_noop("IP Address"),
    gettext_noop("HTTP Accept"),
    gettext_noop("Path"),
    gettext_noop("Attempt Time"),
    gettext_noop("Access lock out"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("GET Data"),
    gettext_noop("POST Data"),
    gettext_noop("Failed Logins"),
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("Access Attempt"),
    gettext_noop("Expires At"),
    gettext_noop("The time when access attempt expires and is no longer valid."),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("Logout Time"),
    gettext_noop("Session key hash (sha256)"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("Locked Out"),
    gettext_noop("Form Data"),
    gettext_noop("Meta Data"),
    gettext_noop("Clean up expired attempts"),
    gettext_noop("Not set"),
    gettext_noop("Attempt Remaining"),
    # django-simple-history's object history page.
    gettext_noop("Changes"),
    gettext_noop("None"),
)

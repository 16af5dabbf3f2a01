"""Words that add-ons show in the admin, for the project's catalogs to give them Japanese.

django-reversion (history, recover), django-reversion-compare (compare) and django-axes (login
throttling) ship no Japanese. Marking their messages here puts them in locale/ja, whose
translations Django prefers to the add-ons' own (LOCALE_PATHS comes first). Nothing imports
this module; `make messages` reads it.
"""

from django.utils.translation import gettext_noop

MESSAGES = (
    # django-reversion
    gettext_noop("Recover deleted %(name)s"),
    gettext_noop("Recover deleted %(verbose_name)s"),
    gettext_noop("Recover %(name)s"),
    gettext_noop("Revert %(name)s"),
    gettext_noop("Revert %(verbose_name)s"),
    gettext_noop("Reverted to previous version, saved on %(datetime)s"),
    gettext_noop("Initial version."),
    gettext_noop("Add %(name)s"),
    gettext_noop(
        "Choose a date from the list below to revert to a previous version of this object."
    ),
    gettext_noop("Choose a date from the list below to recover a deleted version of an object."),
    gettext_noop("There are no deleted objects to recover."),
    gettext_noop(
        "This object doesn't have a change history. It probably wasn't added via this admin site."
    ),
    gettext_noop("Press the save button below to recover this version of the object."),
    gettext_noop("Press the save button below to revert to this version of the object."),
    gettext_noop("History"),
    gettext_noop("Date/time"),
    gettext_noop("User"),
    gettext_noop("Comment"),
    # django-reversion-compare
    gettext_noop("compare"),
    gettext_noop("Compare %(name)s"),
    gettext_noop("Go back to history list"),
    gettext_noop("Revert to this version"),
    gettext_noop("There are no differences."),
    gettext_noop("previous"),
    gettext_noop("next"),
    # django-axes
    gettext_noop("Account locked: too many login attempts. Please try again later."),
    gettext_noop(
        "Account locked: too many login attempts. Contact an admin to unlock your account."
    ),
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("IP Address"),
    gettext_noop("Username"),
    gettext_noop("User Agent"),
    gettext_noop("Attempt Time"),
    gettext_noop("Logout Time"),
    gettext_noop("Failed Logins"),
)

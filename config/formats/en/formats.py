# Only what differs from Django's English formats: the issue date in full,
# Tuesday, May 19, 2026.
DATE_FORMAT = "l, F j, Y"

# Only what differs from Django's Japanese formats: the issue date with its weekday,
# 2026年5月19日 (火).
DATE_FORMAT = "Y年n月j日 (D)"

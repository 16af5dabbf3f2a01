"""Issues in and out: the plain-text format, import, export, and the archive backup and restore."""

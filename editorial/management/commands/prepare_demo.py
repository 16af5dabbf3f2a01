import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, no_translations

PASSWORD_FILE = settings.BASE_DIR / ".admin-password"


class Command(BaseCommand):
    help = "Local demo only: load the demo issue into an empty database and make an admin login."

    @no_translations
    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("prepare_demo is for local development (DJANGO_DEBUG on) only.")
        call_command("load_demo_issue", stdout=self.stdout)

        User = get_user_model()
        if not User.objects.filter(username="admin").exists():
            # A fresh random password per database, kept in an ignored local file.
            password = secrets.token_urlsafe(12)
            User.objects.create_superuser("admin", "", password)
            PASSWORD_FILE.write_text(password + "\n")
            PASSWORD_FILE.chmod(0o600)
        if PASSWORD_FILE.exists():
            self.stdout.write(
                "Admin: http://127.0.0.1:8000/ja/admin/ — user “admin”, password "
                f"“{PASSWORD_FILE.read_text().strip()}” (kept in {PASSWORD_FILE.name})."
            )
        else:
            self.stdout.write(
                "Admin: http://127.0.0.1:8000/ja/admin/ — user “admin” already exists; "
                "set a password with: .venv/bin/python manage.py changepassword admin"
            )

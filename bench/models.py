from django.db import models

from briefing.models import Briefing


class GeneratedIssue(models.Model):
    """An issue written by `generate_archive`: the only ones its --clear may delete."""

    briefing = models.OneToOneField(
        Briefing, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )

    def __str__(self):
        return str(self.briefing_id)

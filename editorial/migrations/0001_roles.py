from django.contrib.auth.management import create_permissions
from django.db import migrations

# A frozen copy of editorial.roles at the time of this migration.
CONTENT_MODELS = ["briefing", "deepdive", "takeaway", "readmore", "keyword"]
ROLE_PERMISSIONS = {
    "Editors": [
        f"briefing.{action}_{model}"
        for model in CONTENT_MODELS
        for action in ("add", "change", "delete", "view")
    ]
    + ["briefing.publish_briefing"],
    "Translators": [
        f"briefing.{action}_{model}" for model in CONTENT_MODELS for action in ("change", "view")
    ],
}


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=name)
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("briefing", "0002_publish_permission"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]

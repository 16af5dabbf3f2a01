from django.db import migrations

# Every search rechecks each trigram candidate's `body` (both languages' text, ~20 KB per issue)
# against the LIKE pattern. Stored compressed (PostgreSQL's default for text), every recheck
# decompresses the whole document first; stored uncompressed (EXTERNAL: still out of line, so
# the table itself stays small) it is read as is, which makes a search several times faster.
# The UPDATE rewrites the documents already stored, which the ALTER alone would not touch.


def store_uncompressed(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "ALTER TABLE briefing_searchdocument ALTER COLUMN body SET STORAGE EXTERNAL"
    )
    schema_editor.execute("UPDATE briefing_searchdocument SET body = body || ''")


def store_compressed(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "ALTER TABLE briefing_searchdocument ALTER COLUMN body SET STORAGE EXTENDED"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("briefing", "0004_keyword_name_in_either_language"),
    ]

    operations = [
        migrations.RunPython(store_uncompressed, store_compressed, elidable=False),
    ]

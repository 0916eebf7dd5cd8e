from django.db import migrations


def refresh_editor_group(apps, schema_editor):
    from faq.permissions import ensure_editor_group

    ensure_editor_group(apps)  # editors keep 相似问法 and the colloquial thesaurus


class Migration(migrations.Migration):
    dependencies = [
        ("faq", "0007_similar_questions_and_thesaurus"),
    ]

    operations = [migrations.RunPython(refresh_editor_group, migrations.RunPython.noop)]

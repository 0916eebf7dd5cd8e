"""Backups of everything staff and the importer wrote, and a restore that replaces the data in one transaction.

A backup is Django's JSON serialisation (``dumpdata``) of the knowledge base (every ``faq`` model except
derived search bookkeeping), the staff accounts and groups, and the admin's change history.  Natural keys make
it independent of database ids that differ between databases: permissions and content types are written as
names, users and groups by name.  The search index is derived data and is rebuilt after a restore.
"""

import datetime
import json
import os
import tempfile
from pathlib import Path

from django.apps import apps
from django.core import serializers
from django.core.management import call_command, get_commands
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections, transaction

# Derived data: rebuilt from the rest, so neither backed up nor restored.
DERIVED_MODELS = {"faq.indextask"}
ACCOUNT_MODELS = ["auth.group", "auth.user", "admin.logentry"]
# Revisions (who changed what, and the proposals waiting for review) are staff work too.
HISTORY_MODELS = ["reversion.revision", "reversion.version"]


def knowledge_base_labels():
    """Every faq model except derived ones, as app_label.model_name."""
    labels = [m._meta.label_lower for m in apps.get_app_config("faq").get_models()]
    return [label for label in labels if label not in DERIVED_MODELS]


def backup_labels():
    return knowledge_base_labels() + ACCOUNT_MODELS + HISTORY_MODELS


def write_json_atomically(path, dump):
    """Run ``dump(stream)`` into a temporary file next to ``path`` and rename it into place when complete,
    so an interrupted backup never leaves a truncated file under the final name."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            dump(stream)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


class FullPrecisionEncoder(DjangoJSONEncoder):
    """Django's encoder cuts datetimes to milliseconds (ECMA-262); a backup keeps every microsecond."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


def models_in_dependency_order(labels):
    by_app = {}
    for label in labels:
        model = apps.get_model(label)
        by_app.setdefault(model._meta.app_config, []).append(model)
    return serializers.sort_dependencies(list(by_app.items()), allow_cycles=True)


def dump(path, labels, database=DEFAULT_DB_ALIAS, natural_primary=True):
    """What ``dumpdata --natural-foreign [--natural-primary] --indent 1`` writes, with exact timestamps."""

    def objects():
        for model in models_in_dependency_order(labels):
            yield from model._base_manager.using(database).order_by(model._meta.pk.name).iterator()

    def run(stream):
        serializers.serialize(
            "json",
            objects(),
            stream=stream,
            indent=1,
            use_natural_foreign_keys=True,
            use_natural_primary_keys=natural_primary,
            cls=FullPrecisionEncoder,
        )

    return write_json_atomically(path, run)


def backup(path, database=DEFAULT_DB_ALIAS):
    return dump(path, backup_labels(), database=database)


class BackupFileError(ValueError):
    """The file given to restore is missing or is not a backup; the message names it."""


def read_backup(path):
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BackupFileError(f"cannot read backup {path}: {exc.strerror or exc}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BackupFileError(f"{path} is not a JSON backup ({exc})") from exc
    if not isinstance(data, list) or not all(
        isinstance(o, dict) and isinstance(o.get("model"), str) and isinstance(o.get("fields", {}), dict) for o in data
    ):
        raise BackupFileError(f"{path} is not a dumpdata backup (expected a list of objects with 'model')")
    unknown = sorted({o["model"] for o in data} - set(backup_labels()))
    if unknown:
        raise BackupFileError(f"{path} holds models this restore does not handle: {', '.join(unknown)}")
    return data


def tables_of(labels):
    """Database tables of the models, with their many-to-many tables."""
    tables = []
    for label in labels:
        model = apps.get_model(label)
        tables.append(model._meta.db_table)
        tables.extend(
            f.remote_field.through._meta.db_table
            for f in model._meta.local_many_to_many
            if f.remote_field.through._meta.auto_created
        )
    return tables


def wipe(labels, database=DEFAULT_DB_ALIAS):
    """Empty the tables of these models (and whatever references them) without signals, like ``flush``."""
    connection = connections[database]
    existing = set(connection.introspection.table_names())
    tables = [t for t in tables_of(labels) if t in existing]
    if connection.vendor == "postgresql":
        # PostgreSQL refuses TRUNCATE while deferred foreign-key checks of earlier writes in this transaction
        # are pending; running them now (SET CONSTRAINTS ALL IMMEDIATE, then DEFERRED again) clears them.
        connection.check_constraints()
    sql = connection.ops.sql_flush(no_style(), tables, reset_sequences=True, allow_cascade=True)
    connection.ops.execute_sql_flush(sql)


def restore(path, database=DEFAULT_DB_ALIAS, rebuild_index=True, stdout=None):
    """Replace the backed-up data with the file's, all or nothing: if loading fails, nothing changed."""
    path = Path(path)
    objects = read_backup(path)
    with transaction.atomic(using=database):
        wipe(backup_labels(), database=database)
        # Sessions may name users whose ids change on load (users are stored by username); log everybody out.
        if apps.is_installed("django.contrib.sessions"):
            wipe(["sessions.session"], database=database)
        call_command("loaddata", str(path), database=database, verbosity=0)
    if rebuild_index and "build_search_index" in get_commands():
        call_command("build_search_index", quiet_progress=True, verbosity=0, stdout=stdout)
    return len(objects)

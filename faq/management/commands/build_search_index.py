"""Build the search index into a fresh directory and swap it in atomically.

    python manage.py build_search_index [--keep N] [--no-input]

Searches keep using the previous complete index until the ``current`` symlink is repointed (one atomic
rename), then switch to the new complete one; a search never sees a half-built index.  Edits saved while
the build ran are replayed into the new index right after the swap.  ``rebuild_index`` runs this too.
Do not use haystack's ``clear_index``/``update_index --remove`` on a live site: they edit the index in place.
"""

import os
import shutil
import time
from datetime import timedelta
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db.models import Max, Q
from django.utils import timezone
from haystack import connections
from tqdm import tqdm
from whoosh.filedb.filestore import FileStorage

from faq import indexing
from faq.models import IndexTask
from faq.search_backend import CURRENT, WRITER_OPTIONS

# Edits whose task was written up to this long before the build started are replayed too (a transaction
# may have written its task before the build began and committed after the build read its row).
REPLAY_MARGIN = timedelta(minutes=2)
CHUNK = 200
PARALLEL_FROM = 2000  # documents; below that, starting processes costs more than it saves
MAX_PROCS = 4
BATCH = 250  # documents per job handed to a sub-process


def _writer(ix, n_docs):
    """One writer for a small index; above PARALLEL_FROM documents, Whoosh's multiprocessing writer, whose
    sub-processes (forked, with jieba already loaded) segment the text while this one reads the database."""
    procs = min(os.cpu_count() or 1, MAX_PROCS)
    if n_docs < PARALLEL_FROM or procs < 2:
        return ix.writer(limitmb=256, **WRITER_OPTIONS)
    return ix.writer(procs=procs, limitmb=128, batchsize=BATCH, multisegment=True, **WRITER_OPTIONS)


def build(root, stdout=None, progress=True):
    """Write a complete index into root/gen-…, swap ``current`` to it; returns (path, counts)."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    started = timezone.now()
    last_task = IndexTask.objects.aggregate(m=Max("pk"))["m"] or 0

    backend = connections["default"].get_backend()
    backend.ensure_current()
    unified = connections["default"].get_unified_index()
    target = root / f"gen-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{time.time_ns() % 10**6:06d}"
    target.mkdir()
    ix = FileStorage(str(target)).create_index(backend.schema)
    indexes = list(unified.get_indexes().values())
    writer = _writer(ix, sum(index.index_queryset().count() for index in indexes))
    counts = {}
    try:
        for index in indexes:
            label = index.get_model()._meta.model_name
            qs = index.index_queryset().order_by("pk")
            total = qs.count()
            counts[label] = 0
            bar = tqdm(total=total, desc=label, unit="doc", disable=not progress, file=stdout)
            last_pk = None
            while True:
                # Keyset pages, not offsets: rows deleted while we read would shift an offset past live rows.
                chunk = list((qs if last_pk is None else qs.filter(pk__gt=last_pk))[:CHUNK])
                if not chunk:
                    break
                for obj in chunk:
                    doc = index.full_prepare(obj)
                    doc.pop("boost", None)
                    writer.add_document(**{k: backend._from_python(v) for k, v in doc.items()})
                    counts[label] += 1
                    bar.update(1)
                last_pk = chunk[-1].pk
            bar.close()
    except BaseException:
        writer.cancel()
        shutil.rmtree(target, ignore_errors=True)
        raise
    writer.commit(optimize=True)

    swap(root, target)
    # Everything committed before we read the rows is in the new index; replay the rest, done or not: a flush
    # that began before the swap wrote into the old index and may mark its tasks done only now.  Any edit
    # committed after this query flushes (after its commit, so after the swap) into the new index itself.
    # (A task done before the build started was committed before it too, so the build read its rows.)
    recent = IndexTask.objects.filter(Q(pk__gt=last_task) | Q(created_at__gte=started - REPLAY_MARGIN)).filter(
        Q(done_at__isnull=True) | Q(done_at__gte=started)
    )
    tasks = list(recent.order_by("pk").values_list("pk", "kind", "object_id"))
    if tasks:
        indexing.apply_with_retry(ix, tasks)
    replayed = len({(kind, pk) for _id, kind, pk in tasks}) + indexing.flush()
    cleanup(root, keep={target.name})
    return target, counts, replayed


def swap(root, target):
    link = root / CURRENT
    tmp = root / f".{CURRENT}-{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(target.name)  # relative, so the whole var dir can move
    os.replace(tmp, link)


def cleanup(root, keep, keep_previous=1):
    """Remove old generations (the newest previous one stays for readers still on it) and a flat legacy index."""
    gens = sorted((p for p in root.glob("gen-*") if p.is_dir() and p.name not in keep), key=lambda p: p.stat().st_mtime)
    for old in gens[: max(0, len(gens) - keep_previous)]:
        shutil.rmtree(old, ignore_errors=True)
    for f in root.iterdir():
        if f.is_file() and not f.is_symlink() and (f.suffix in {".toc", ".seg", ".pst", ".trm"} or "LOCK" in f.name):
            f.unlink(missing_ok=True)


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--no-input", "--noinput", action="store_true", help="accepted for compatibility")
        parser.add_argument("--quiet-progress", action="store_true", help="no progress bars")

    def handle(self, *args, quiet_progress=False, verbosity=1, **options):
        backend = connections["default"].get_backend()
        t0 = time.monotonic()
        target, counts, replayed = build(
            backend.root, stdout=self.stderr, progress=verbosity >= 1 and not quiet_progress
        )
        if verbosity >= 1:
            summary = ", ".join(f"{n} {label}" for label, n in counts.items())
            self.stdout.write(
                self.style.SUCCESS(f"indexed {summary} in {time.monotonic() - t0:.1f}s → {target}")
                + (f" (replayed {replayed} edit(s) made during the build)" if replayed else "")
            )

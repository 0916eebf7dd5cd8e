"""Whoosh index generations: a rebuild writes a complete index into a fresh ``gen-*`` directory and swaps the
``current`` symlink to it in one atomic rename, so a search never sees a half-built index."""

import os
import shutil
import time
from pathlib import Path

from whoosh.filedb.filestore import FileStorage

from .backend import CURRENT, WRITER_OPTIONS

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


def new_generation(root):
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    target = root / f"gen-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{time.time_ns() % 10**6:06d}"
    target.mkdir()
    return target


def write_generation(target, schema, documents, n_docs):
    """Write ``documents`` (dicts of Whoosh field values) into a new index at ``target``; on failure the
    directory is removed.  Returns the Whoosh index."""
    ix = FileStorage(str(target)).create_index(schema)
    writer = _writer(ix, n_docs)
    try:
        for doc in documents:
            writer.add_document(**doc)
    except BaseException:
        writer.cancel()
        shutil.rmtree(target, ignore_errors=True)
        raise
    writer.commit(optimize=True)
    return ix


def swap(root, target):
    link = Path(root) / CURRENT
    tmp = Path(root) / f".{CURRENT}-{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(Path(target).name)  # relative, so the whole var dir can move
    os.replace(tmp, link)


def cleanup(root, keep, keep_previous=1):
    """Remove old generations (the newest previous one stays for readers still on it) and a flat legacy index."""
    root = Path(root)
    gens = sorted((p for p in root.glob("gen-*") if p.is_dir() and p.name not in keep), key=lambda p: p.stat().st_mtime)
    for old in gens[: max(0, len(gens) - keep_previous)]:
        shutil.rmtree(old, ignore_errors=True)
    for f in root.iterdir():
        if f.is_file() and not f.is_symlink() and (f.suffix in {".toc", ".seg", ".pst", ".trm"} or "LOCK" in f.name):
            f.unlink(missing_ok=True)

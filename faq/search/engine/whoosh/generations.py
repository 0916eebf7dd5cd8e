"""Whoosh index generations: a rebuild writes a complete index into a fresh ``gen-*`` directory and swaps the
``current`` symlink to it in one atomic rename, so a search never sees a half-built index.

Completeness is a marker file (``COMPLETE``) written last, after the commit and before the swap, holding
the size of every file the build wrote.  A directory without it is a build that failed or was killed; it
is never searched, never kept as the previous build, and removed once its builder process is gone.
``verify`` checks a generation with a few ``stat`` calls: every segment Whoosh lists has its files, and
the files the build wrote still have their recorded size (a truncated ``.pst`` or a deleted ``.trm`` is
found before a search reads it).  The newest complete generation other than the live one is the
fallback a search uses while the live one is unusable.
"""

import json
import os
import shutil
import time
from pathlib import Path

from whoosh.filedb.filestore import FileStorage

from .backend import CURRENT, WRITER_OPTIONS

PARALLEL_FROM = 2000  # documents; below that, starting processes costs more than it saves
MAX_PROCS = 4
BATCH = 250  # documents per job handed to a sub-process
MARKER = "COMPLETE"
SEGMENT_FILES = (".trm", ".pst")  # what every plain segment needs (a compound one is one .seg file)


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
    # The builder's pid is part of the name: cleanup leaves a live builder's unfinished directory alone.
    target = root / f"gen-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{time.time_ns() % 10**6:06d}"
    target.mkdir()
    return target


def write_generation(target, schema, documents, n_docs):
    """Write ``documents`` (dicts of Whoosh field values) into a new index at ``target``; on failure (a bad
    document, a full disk at commit) the directory is removed.  Returns the Whoosh index.  The generation is
    not complete until ``mark_complete``."""
    ix = FileStorage(str(target)).create_index(schema)
    writer = _writer(ix, n_docs)
    try:
        for doc in documents:
            writer.add_document(**doc)
    except BaseException:
        writer.cancel()
        shutil.rmtree(target, ignore_errors=True)
        raise
    try:
        writer.commit(optimize=True)
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    return ix


def mark_complete(target):
    """Write the marker (file sizes, completion time), durably, after everything else in ``target``."""
    target = Path(target)
    files = {f.name: f.stat().st_size for f in target.iterdir() if f.is_file() and "LOCK" not in f.name}
    tmp = target / f".{MARKER}.tmp"
    with tmp.open("w") as out:
        json.dump({"completed_ns": time.time_ns(), "files": files}, out)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, target / MARKER)
    fd = os.open(target, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def marker(path):
    """The completion marker of a generation, or None when it is incomplete (or unreadable)."""
    try:
        return json.loads((Path(path) / MARKER).read_text())
    except (OSError, ValueError):
        return None


def complete_generations(root):
    """Complete ``gen-*`` directories, newest completion first."""
    found = []
    for path in Path(root).glob("gen-*"):
        info = marker(path) if path.is_dir() else None
        if info is not None:
            found.append((info.get("completed_ns", 0), path))
    return [path for _ns, path in sorted(found, key=lambda pair: -pair[0])]


def has_generations(root):
    return any(p.is_dir() for p in Path(root).glob("gen-*"))


def verify(path, schema):
    """None when the index at ``path`` looks whole, else why not.  Cheap: a TOC read and a stat per file."""
    path = Path(path)
    if not path.is_dir():
        return f"{path.name} is missing"
    storage = FileStorage(str(path))
    try:
        segments = storage.open_index(schema=schema)._segments()
    except Exception as exc:  # no or unreadable TOC: Whoosh raises several kinds
        return f"{path.name}: no readable index ({exc.__class__.__name__})"
    recorded = (marker(path) or {}).get("files", {})
    names = set(os.listdir(path))
    for segment in segments:
        segid = segment.segment_id()
        if f"{segid}.seg" not in names:
            for ext in SEGMENT_FILES:
                if f"{segid}{ext}" not in names:
                    return f"{path.name}: segment file {segid}{ext} is missing"
        for name, size in recorded.items():
            if name.startswith(segid) and (name not in names or (path / name).stat().st_size != size):
                return f"{path.name}: segment file {name} is damaged"
    return None


def swap(root, target):
    link = Path(root) / CURRENT
    tmp = Path(root) / f".{CURRENT}-{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(Path(target).name)  # relative, so the whole var dir can move
    os.replace(tmp, link)


def _builder_alive(path):
    """Whether the process that named this generation (gen-<date>-<time>-<pid>-…) still runs (not us)."""
    try:
        pid = int(path.name.split("-")[3])
    except (IndexError, ValueError):
        return False
    if pid == os.getpid():
        return False  # our own builds finish or remove themselves before cleanup runs
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def cleanup(root, keep, keep_previous=1):
    """Remove incomplete generations whose builder is gone, complete ones but the newest ``keep_previous``
    (readers may still be on it, and it is the fallback), and a flat legacy index."""
    root = Path(root)
    complete = [p for p in complete_generations(root) if p.name not in keep]
    for old in complete[keep_previous:]:
        shutil.rmtree(old, ignore_errors=True)
    for path in root.glob("gen-*"):
        if path.is_dir() and path.name not in keep and marker(path) is None and not _builder_alive(path):
            shutil.rmtree(path, ignore_errors=True)
    for f in root.iterdir():
        if f.is_file() and not f.is_symlink() and (f.suffix in {".toc", ".seg", ".pst", ".trm"} or "LOCK" in f.name):
            f.unlink(missing_ok=True)

"""Generated files: YAML as launchwatch writes it, and writing a file or a whole tree at once.

``write_tree`` builds the tree in a temporary folder beside the destination and moves each file
into place only when every file was made, so a failure never leaves half-written output. It lists
what it wrote in ``.launchwatch-generated``, so the next run removes a file no plan generates any
more (a renamed plan's rules, which ``rule_files: rules/*.yml`` would go on loading) and nothing else.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import yaml

__all__ = ["MANIFEST", "diff_tree", "dump_yaml", "stale_files", "write_file", "write_new", "write_tree"]

MANIFEST = ".launchwatch-generated"


class _Dumper(yaml.SafeDumper):
    """Block style, multi-line PromQL as literal blocks, no anchors."""

    def ignore_aliases(self, data: object) -> bool:
        return True


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump_yaml(data: object, header: str = "") -> str:
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, width=120, allow_unicode=True, default_flow_style=False)
    return (header + text) if header else text


def _umask() -> int:
    """The process' umask, read without changing it where Linux tells it (os.umask would, for a moment)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_file(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` whole: staged beside it and renamed into place, so a reader (or a
    failure half-way) never sees half a file; the stage is removed when writing fails. The file gets the
    mode a plain write would give it (the old file's, else 0666 less the umask), not the stage's 0600: a
    report a web server publishes, or a plan another user checks, stays readable."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = path.stat().st_mode & 0o7777
    except OSError:
        mode = 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_new(text: str, target: str, force: bool) -> tuple[Path | None, str | None]:
    """A command's one output file: ``-`` is stdout, an existing file is kept unless ``force``.
    (the path written, or None for stdout; the one-line reason when nothing was written)."""
    if target == "-":
        sys.stdout.write(text)
        return None, None
    path = Path(target)
    if path.exists() and not force:
        return None, f"{path} exists: not overwritten (use --force)"
    try:
        write_file(path, text)
    except OSError as exc:
        return None, f"{path}: cannot write: {exc}"
    return path, None


def _listed(out: Path) -> list[str]:
    """The files the last run wrote under ``out`` (its manifest), each a plain relative path."""
    try:
        lines = (out / MANIFEST).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []
    rels = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    return [r for r in rels if not Path(r).is_absolute() and ".." not in Path(r).parts]


def stale_files(files: dict[str, str], out: Path) -> list[str]:
    """Files an earlier run generated under ``out`` that ``files`` no longer holds (still on disk)."""
    return [rel for rel in _listed(out) if rel not in files and (out / rel).is_file()]


def write_tree(files: dict[str, str], out: Path, removed: list[Path] | None = None) -> list[Path]:
    """Write ``files`` (relative path → text) under ``out``, all or nothing; returns the paths.

    Files are staged in a temporary folder on the same file system, then renamed into place one by
    one (each rename is atomic), so a reader sees either the old or the new version of a file. Then the
    files the last run generated and this one does not are removed (appended to ``removed``).
    """
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".launchwatch-", dir=out))
    try:
        for rel, text in files.items():
            path = staging / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        written = []
        for rel in files:
            target = out / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / rel, target)
            written.append(target)
        for rel in stale_files(files, out):
            (out / rel).unlink()
            _prune(out, (out / rel).parent)
            if removed is not None:
                removed.append(out / rel)
        write_file(out / MANIFEST, "# written by launchwatch generate: the files it made (the next run removes "
                                   "those it no longer makes)\n" + "".join(f"{rel}\n" for rel in sorted(files)))
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _prune(out: Path, folder: Path) -> None:
    """Remove ``folder`` and its parents up to ``out`` while they are empty."""
    while folder != out and out in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def diff_tree(files: dict[str, str], out: Path) -> list[str]:
    """The relative paths under ``out`` whose content differs from ``files`` (or that are missing), then
    those an earlier run generated that no plan generates now."""
    changed = []
    for rel, text in files.items():
        path = out / rel
        try:
            same = path.read_text(encoding="utf-8") == text
        except (OSError, UnicodeDecodeError):
            same = False
        if not same:
            changed.append(rel)
    return changed + stale_files(files, out)

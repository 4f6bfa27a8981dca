"""The build context: packed once, used for both builds.

Both Dockerfiles go into the same tar under fixed names (not the random names docker-py
and the CLI use for a Dockerfile outside the context), and both names are added to the
context's ``.dockerignore``, so ``COPY . .`` sees exactly the same files in both builds and
the second build can reuse the first one's cache up to the first changed instruction.
``.dockerignore`` patterns of the context are honoured as ``docker build`` does.
"""

from __future__ import annotations

import os
import tempfile
from typing import IO

BEFORE = ".slimguard-verify.before.Dockerfile"
AFTER = ".slimguard-verify.after.Dockerfile"


class ContextError(Exception):
    pass


def _dockerignore(directory: str) -> list[str]:
    path = os.path.join(directory, ".dockerignore")
    try:
        with open(path, encoding="utf-8") as fh:
            lines = fh.read().splitlines()
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise ContextError(f"{path}: cannot read: {exc}") from None
    return [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]


def pack(directory: str | None, dockerfiles: dict[str, str]) -> IO[bytes]:
    """A temporary tar file (rewound) with the context of *directory* plus *dockerfiles*.

    *directory* None packs an empty context (a Dockerfile from stdin).
    """
    from docker.utils.build import create_archive, exclude_paths

    extra = [(name, text) for name, text in dockerfiles.items()]
    names = [name for name, _ in extra]
    fileobj = tempfile.TemporaryFile(prefix="slimguard-verify-context-")
    try:
        if directory is None:
            with tempfile.TemporaryDirectory(prefix="slimguard-verify-empty-") as empty:
                create_archive(root=empty, files=[], fileobj=fileobj, extra_files=extra)
        else:
            if not os.path.isdir(directory):
                raise ContextError(f"{directory}: the build context must be a directory")
            exclude = _dockerignore(directory)
            ignore_text = "\n".join((exclude or [".dockerignore"]) + names) + "\n"
            files = sorted(exclude_paths(os.path.abspath(directory), list(exclude), dockerfile=names[0]))
            files = [f for f in files if f not in names and f != ".dockerignore"]
            create_archive(root=os.path.abspath(directory), files=files, fileobj=fileobj,
                           extra_files=[(".dockerignore", ignore_text)] + extra)
    except BaseException:
        fileobj.close()
        raise
    fileobj.seek(0)
    return fileobj

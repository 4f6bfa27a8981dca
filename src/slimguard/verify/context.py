"""The build context: the directory is packed once, each build gets its own Dockerfile in it.

The context directory is read and packed into a temporary tar once (``.dockerignore`` patterns
honoured as ``docker build`` does). Each build (the original, the fixed file, each fix alone)
gets a copy of that tar with its Dockerfile appended under one fixed name, and that name is
listed in the context's ``.dockerignore``. The daemon drops an ignored Dockerfile from the
context after reading it, so ``COPY . .`` sees exactly the same files in every build, and a
build reuses the previous builds' cache up to the first changed instruction.
"""

from __future__ import annotations

import io
import os
import shutil
import tarfile
import tempfile
from typing import IO

DOCKERFILE = ".slimguard-verify.Dockerfile"


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


class Context:
    """The packed context of *directory* (None: an empty context, e.g. a Dockerfile from stdin)."""

    def __init__(self, directory: str | None) -> None:
        from docker.utils.build import create_archive, exclude_paths

        self._base: IO[bytes] = tempfile.TemporaryFile(prefix="slimguard-verify-context-")
        try:
            if directory is None:
                ignore = f".dockerignore\n{DOCKERFILE}\n"
                with tempfile.TemporaryDirectory(prefix="slimguard-verify-empty-") as empty:
                    create_archive(root=empty, files=[], fileobj=self._base,
                                   extra_files=[(".dockerignore", ignore)])
            else:
                if not os.path.isdir(directory):
                    raise ContextError(f"{directory}: the build context must be a directory")
                exclude = _dockerignore(directory)
                ignore = "\n".join((exclude or [".dockerignore"]) + [DOCKERFILE]) + "\n"
                root = os.path.abspath(directory)
                files = sorted(exclude_paths(root, list(exclude), dockerfile=DOCKERFILE))
                files = [f for f in files if f not in (DOCKERFILE, ".dockerignore")]
                create_archive(root=root, files=files, fileobj=self._base,
                               extra_files=[(".dockerignore", ignore)])
        except BaseException:
            self._base.close()
            raise

    def with_dockerfile(self, text: str) -> IO[bytes]:
        """A rewound temporary tar: the context plus *text* as :data:`DOCKERFILE` (close it after use)."""
        fileobj: IO[bytes] = tempfile.TemporaryFile(prefix="slimguard-verify-build-")
        try:
            self._base.seek(0)
            shutil.copyfileobj(self._base, fileobj)
            fileobj.seek(0)
            data = text.encode("utf-8", "surrogatepass")
            with tarfile.open(fileobj=fileobj, mode="a") as tar:  # type: ignore[call-overload]
                info = tarfile.TarInfo(DOCKERFILE)
                info.size = len(data)
                info.mode = 0o644
                tar.addfile(info, io.BytesIO(data))
            fileobj.seek(0)
        except BaseException:
            fileobj.close()
            raise
        return fileobj

    def close(self) -> None:
        self._base.close()

    def __enter__(self) -> "Context":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

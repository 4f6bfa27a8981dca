#!/usr/bin/env python3
"""Make the corpus cache complete from manifest.jsonl.

For every manifest entry whose file is missing from the cache (or whose cached copy has the wrong
hash) this downloads https://raw.githubusercontent.com/<repo>/<commit>/<path>, or with ``--from DIR``
copies ``DIR/<sha256>.Dockerfile``, and keeps it only if its sha256 matches the manifest. Files go to
the cache directory (see common.cache_dir), never into the repository.

Exit status: 0 when every entry is cached and verified, 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import MANIFEST, cache_dir, cached_path, read_jsonl, sha256_bytes  # noqa: E402

MAX_BYTES = 1_000_000
RAW = "https://raw.githubusercontent.com/{repo}/{commit}/{path}"


def download(url: str, timeout: float) -> bytes:
    req = urllib.request.Request(url, headers={"User-Agent": "slimguard-precision-bench"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 (fixed https host)
        data = resp.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ValueError(f"larger than {MAX_BYTES} bytes")
    return data


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--manifest", type=Path, default=MANIFEST)
    ap.add_argument("--cache", type=Path, default=None, help="cache directory (default: $SLIMGUARD_PRECISION_CACHE or ~/.cache/slimguard/precision)")
    ap.add_argument("--from", dest="source", type=Path, default=None,
                    help="copy <sha256>.Dockerfile files from this directory instead of downloading")
    ap.add_argument("--timeout", type=float, default=20.0)
    ap.add_argument("--verify", action="store_true", help="re-hash files already in the cache too")
    args = ap.parse_args(argv)

    cache = (args.cache or cache_dir()).expanduser()
    cache.mkdir(parents=True, exist_ok=True)
    entries = read_jsonl(args.manifest)
    have = fetched = 0
    missing: list[str] = []
    mismatched: list[str] = []
    for e in entries:
        target = cached_path(e["sha256"], cache)
        label = f"{e['repo']}/{e['path']}@{e['commit'][:10]}"
        if target.exists():
            if not args.verify or sha256_bytes(target.read_bytes()) == e["sha256"]:
                have += 1
                continue
            mismatched.append(f"{label}: cached copy has another hash")
            target.unlink()
        try:
            if args.source:
                src = args.source / f"{e['sha256']}.Dockerfile"
                if not src.exists():
                    raise FileNotFoundError(str(src))
                data = src.read_bytes()[: MAX_BYTES + 1]
                if len(data) > MAX_BYTES:
                    raise ValueError(f"larger than {MAX_BYTES} bytes")
            else:
                url = RAW.format(repo=e["repo"], commit=e["commit"], path=urllib.parse.quote(e["path"]))
                data = download(url, args.timeout)
        except (OSError, ValueError, urllib.error.URLError) as exc:
            missing.append(f"{label}: {exc}")
            continue
        got = sha256_bytes(data)
        if got != e["sha256"]:
            mismatched.append(f"{label}: sha256 {got[:12]}… != manifest {e['sha256'][:12]}…")
            continue
        tmp = target.with_suffix(".part")
        tmp.write_bytes(data)
        tmp.replace(target)
        fetched += 1

    print(f"manifest: {len(entries)} files; cached already: {have}; fetched now: {fetched}; "
          f"missing: {len(missing)}; mismatched: {len(mismatched)}  (cache: {cache})")
    for line in missing:
        print("  missing   ", line)
    for line in mismatched:
        print("  mismatched", line)
    return 0 if not missing and not mismatched else 1


if __name__ == "__main__":
    sys.exit(main())

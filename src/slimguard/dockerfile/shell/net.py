"""Network downloads: curl, wget, aria2c, git clone."""

from __future__ import annotations

from slimguard.dockerfile.shell.model import SimpleCommand
from slimguard.dockerfile.shell.options import parse_opts, spec
from slimguard.dockerfile.shell.wrappers import basename

__all__ = ["download_info", "DOWNLOAD_TOOLS"]

_CURL = spec("AbcCdDeEFHKmoPQrtTuUwxXyYz", (
    "--output", "--url", "--header", "--data", "--data-raw", "--data-binary", "--data-urlencode",
    "--data-ascii", "--request", "--user", "--user-agent", "--referer", "--cookie",
    "--cookie-jar", "--cacert", "--capath", "--cert", "--key", "--proxy", "--max-time",
    "--connect-timeout", "--retry", "--retry-delay", "--retry-max-time", "--write-out", "--form",
    "--form-string", "--upload-file", "--continue-at", "--range", "--config", "--limit-rate",
    "--max-redirs", "--resolve", "--interface", "--output-dir", "--proto", "--proto-redir",
    "--dns-servers", "--time-cond", "--max-filesize", "--ciphers", "--pinnedpubkey",
    "--oauth2-bearer", "--netrc-file", "--dump-header", "--stderr", "--trace", "--trace-ascii",
    "--unix-socket", "--preproxy", "--proxy-user", "--socks5", "--socks5-hostname",
    "--aws-sigv4", "--json", "--variable", "--etag-save", "--etag-compare", "--url-query",
    "--connect-to", "--speed-limit", "--speed-time", "--cert-type", "--key-type", "--hostpubmd5",
    "--quote", "--telnet-option", "--ftp-port", "--create-file-mode", "--expect100-timeout",
    "--keepalive-time", "--local-port", "--happy-eyeballs-timeout-ms", "--tls-max"))
_WGET = spec("oaeiBOPtTwQUlARDXI", (
    "--output-document", "--output-file", "--append-output", "--directory-prefix", "--tries",
    "--timeout", "--wait", "--user-agent", "--header", "--user", "--password", "--http-user",
    "--http-password", "--progress", "--execute", "--input-file", "--ca-certificate",
    "--ca-directory", "--certificate", "--private-key", "--post-data", "--post-file", "--method",
    "--body-data", "--body-file", "--quota", "--level", "--accept", "--reject", "--limit-rate",
    "--bind-address", "--dns-timeout", "--connect-timeout", "--read-timeout", "--referer",
    "--load-cookies", "--save-cookies", "--max-redirect", "--secure-protocol", "--base",
    "--domains", "--exclude-domains", "--include-directories", "--exclude-directories",
    "--waitretry", "--restrict-file-names", "--default-page", "--local-encoding",
    "--remote-encoding"))
_ARIA2 = spec("odsxjliU", ("--out", "--dir", "--split", "--max-connection-per-server",
                             "--max-concurrent-downloads", "--log", "--input-file",
                             "--checksum", "--user-agent", "--header"))
_GIT_GLOBAL = spec("Cc", ("--git-dir", "--work-tree", "--namespace", "--config-env"),
                   stop_at_positional=True)
_GIT_CLONE = spec("bocju", ("--branch", "--origin", "--config", "--jobs", "--upload-pack",
                            "--depth", "--reference", "--reference-if-able",
                            "--separate-git-dir", "--filter", "--shallow-since",
                            "--shallow-exclude", "--template", "--server-option", "--bundle-uri"))

DOWNLOAD_TOOLS = frozenset({"curl", "wget", "aria2c", "git"})


def _url_name(url: str) -> str | None:
    tail = url.split("?", 1)[0].split("#", 1)[0]
    if "://" in tail:
        tail = tail.split("://", 1)[1]
        if "/" not in tail:
            return None
    name = tail.rstrip("/").rsplit("/", 1)[-1]
    return name or None


def _join(directory: str | None, name: str | None) -> str | None:
    if name is None:
        return None
    if not directory or name.startswith("/"):
        return name
    return directory.rstrip("/") + "/" + name


def download_info(cmd: SimpleCommand) -> tuple[str, tuple[str, ...], str | None] | None:
    """(tool, urls, output file) for a download command, else None.
    ``output`` is None when the content goes to standard output."""
    name = cmd.name
    if name == "curl":
        p = parse_opts(cmd.args, _CURL)
        urls = tuple([w.text for w in p.positionals] + p.values("--url"))
        out = p.last("-o", "--output")
        if out == "-":
            out = None
        elif out is None and p.has("-O", "--remote-name", "--remote-name-all") and urls:
            out = _join(p.last("--output-dir"), _url_name(urls[0]))
        elif out is not None and p.last("--output-dir") and not out.startswith("/"):
            out = _join(p.last("--output-dir"), out)
        return "curl", urls, out
    if name == "wget":
        p = parse_opts(cmd.args, _WGET)
        urls = tuple(w.text for w in p.positionals)
        doc = p.last("-O", "--output-document")
        if doc is not None:
            out = None if doc == "-" else doc
        else:
            out = _join(p.last("-P", "--directory-prefix"), _url_name(urls[0]) if urls else None)
        return "wget", urls, out
    if name == "aria2c":
        p = parse_opts(cmd.args, _ARIA2)
        urls = tuple(w.text for w in p.positionals)
        out = p.last("-o", "--out") or (_url_name(urls[0]) if urls else None)
        return "aria2c", urls, _join(p.last("-d", "--dir"), out)
    if name == "git":
        g = parse_opts(cmd.args, _GIT_GLOBAL)
        if not g.positionals or g.positionals[0].text != "clone":
            return None
        p = parse_opts(cmd.args, _GIT_CLONE, g.end)
        pos = [w.text for w in p.positionals]
        if not pos:
            return None
        if len(pos) > 1:
            dest: str | None = pos[1]
        else:
            base = _url_name(pos[0]) or basename(pos[0].rstrip("/"))
            dest = base[:-4] if base.endswith(".git") else base
        return "git", (pos[0],), _join(g.last("-C"), dest)
    return None

"""Read the credentials the kernel gives a container's process, in any image.

The question "which uid does this image run as?" is answered by the kernel, not by the
image config: ``USER app`` only works if runc finds ``app`` in the image's /etc/passwd,
``USER 10001`` gets gid 0 unless a group is given, supplementary groups come from
/etc/group. So verify starts a container from the image, with the image's own USER,
and reads ``/proc/1/status`` of that container.

The probe must work in images without a shell or any tool (distroless, scratch), with a
read-only root file system, no network and no capabilities. The method:

1. a *probe volume* (labelled with the run id) holds ``probe``, a static executable of
   about 240 bytes written here in machine code (x86-64 and arm64; the source is below):
   ``open("/proc/1/status")``, copy it to stdout, exit. It needs no libc, no loader and
   no file of the image. It gets into the volume with ``put_archive`` through a container
   that is created but never started, so this works with a remote engine too;
2. the container under test is started with that volume mounted read-only at
   ``/.slimguard-verify`` and ``--entrypoint /.slimguard-verify/probe``; everything else
   (USER, WORKDIR, env, the hardening flags) is the image's own. The probe is PID 1, so
   ``/proc/1/status`` is its own status: ``Uid:``/``Gid:`` (real, effective, saved, fs),
   ``Groups:``, ``CapEff:`` and ``NoNewPrivs:`` as the kernel sees them, translated into
   the container's user namespace. If runc cannot set the user up (``USER app`` without
   an ``app`` in /etc/passwd), the container does not start, and that is reported;
3. its stdout (``docker logs``) is parsed; /etc/passwd, /etc/group and the package database
   are read from the same container with ``get_archive`` (the image's files, not /proc).

Why not the alternatives: ``docker exec cat /proc/1/status`` needs ``cat`` (and a PID 1 that
lives long enough); ``docker cp`` cannot read /proc (it copies from the image's file
system, /proc is a mount inside the container); ``docker top`` runs ``ps`` on the daemon's
host, so it shows host uids (remapped under userns-remap) and also needs a running PID 1;
reading ``/proc/<State.Pid>/status`` from here needs a local, non-rootless engine and shows
host ids too; copying a probe into the container itself is refused on a read-only root file
system.

On another architecture (no probe bytes) the fallback is ``cat /proc/1/status`` as the
entrypoint, which works in any image with coreutils or busybox; the report says which
method was used.

A PID 1 that an entrypoint script later switches to another user (gosu, su-exec) is not
followed: verify reports the user the image *starts* as, which is what USER controls.
"""

from __future__ import annotations

import io
import struct
import tarfile
from dataclasses import dataclass, field

PROBE_DIR = "/.slimguard-verify"
PROBE_PATH = PROBE_DIR + "/probe"

# x86-64 (as --64, intel syntax):
#   sub rsp, 4096 ; mov eax, 2 ; lea rdi, [rip+path] ; xor esi, esi ; xor edx, edx ; syscall   # open
#   test eax, eax ; js fail ; mov r12d, eax
# readloop: xor eax, eax ; mov edi, r12d ; mov rsi, rsp ; mov edx, 4096 ; syscall              # read
#   test rax, rax ; js fail ; jz done
#   mov rdx, rax ; mov eax, 1 ; mov edi, 1 ; mov rsi, rsp ; syscall                             # write
#   test rax, rax ; js fail ; jmp readloop
# done: mov eax, 60 ; xor edi, edi ; syscall                                                    # exit(0)
# fail: mov eax, 60 ; mov edi, 111 ; syscall                                                    # exit(111)
# path: .asciz "/proc/1/status"
_CODE_X86_64 = bytes.fromhex(
    "4881ec00100000b802000000488d3d5100000031f631d20f0585c0783b4189c431c04489e74889e6ba0010"
    "00000f054885c0782474194889c2b801000000bf010000004889e60f054885c0780bebd1b83c00000031ff"
    "0f05b83c000000bf6f0000000f052f70726f632f312f73746174757300"
)
# arm64 (aarch64-linux-gnu-as), the same with openat(AT_FDCWD, ...), read, write, exit:
#   sub sp, sp, #4096 ; mov x0, #-100 ; adr x1, path ; mov x2, #0 ; mov x3, #0 ; mov x8, #56 ; svc #0
#   tbnz x0, #63, fail ; mov x19, x0
# readloop: mov x0, x19 ; mov x1, sp ; mov x2, #4096 ; mov x8, #63 ; svc #0
#   tbnz x0, #63, fail ; cbz x0, done
#   mov x2, x0 ; mov x0, #1 ; mov x1, sp ; mov x8, #64 ; svc #0 ; tbnz x0, #63, fail ; b readloop
# done: mov x0, #0 ; mov x8, #93 ; svc #0
# fail: mov x0, #111 ; mov x8, #93 ; svc #0
# path: .asciz "/proc/1/status"
_CODE_ARM64 = bytes.fromhex(
    "ff0740d1600c809261030010020080d2030080d2080780d2010000d46002f8b7f30300aae00313aae10300"
    "91020082d2e80780d2010000d48001f8b7000100b4e20300aa200080d2e1030091080880d2010000d4a000"
    "f8b7f3ffff17000080d2a80b80d2010000d4e00d80d2a80b80d2010000d42f70726f632f312f7374617475"
    "7300"
)
# engine architecture (`docker info`: Architecture) -> (ELF e_machine, code)
_ARCHES = {
    "x86_64": (62, _CODE_X86_64),
    "amd64": (62, _CODE_X86_64),
    "aarch64": (183, _CODE_ARM64),
    "arm64": (183, _CODE_ARM64),
}

_BASE = 0x400000
_EHDR = 64
_PHDR = 56


def probe_binary(arch: str) -> bytes | None:
    """A static ELF executable for *arch* that prints /proc/1/status, or None."""
    entry = _ARCHES.get(arch.lower())
    if entry is None:
        return None
    machine, code = entry
    offset = _EHDR + _PHDR
    size = offset + len(code)
    ident = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)  # 64-bit, little endian, SysV
    ehdr = ident + struct.pack(
        "<HHIQQQIHHHHHH",
        2,  # ET_EXEC
        machine,
        1,  # EV_CURRENT
        _BASE + offset,  # entry
        _EHDR,  # program headers right after this header
        0,  # no section headers
        0,  # flags
        _EHDR, _PHDR, 1,  # ehsize, phentsize, phnum
        0, 0, 0,  # shentsize, shnum, shstrndx
    )
    phdr = struct.pack(
        "<IIQQQQQQ",
        1,  # PT_LOAD
        5,  # PF_R | PF_X
        0, _BASE, _BASE,  # offset, vaddr, paddr
        size, size,  # filesz, memsz
        0x10000,  # align (64 KiB pages are fine too)
    )
    return ehdr + phdr + code


def probe_archive(binary: bytes) -> bytes:
    """A tar holding ``probe`` (root-owned, 0755) for put_archive into the probe volume."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        info = tarfile.TarInfo("probe")
        info.size = len(binary)
        info.mode = 0o755
        info.uid = info.gid = 0
        tar.addfile(info, io.BytesIO(binary))
    return buf.getvalue()


@dataclass
class ProcStatus:
    """Credentials from /proc/<pid>/status."""

    uid: int | None = None  # effective
    gid: int | None = None
    uids: tuple[int, ...] = ()  # real, effective, saved, fs
    gids: tuple[int, ...] = ()
    groups: tuple[int, ...] = ()
    cap_eff: str | None = None
    no_new_privs: bool | None = None
    name: str | None = None
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.uid is not None and self.gid is not None


def parse_status(text: str) -> ProcStatus:
    st = ProcStatus()
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if not sep:
            continue
        value = value.strip()
        st.fields[key] = value
        nums = tuple(int(v) for v in value.split() if v.isdigit())
        if key == "Uid" and len(nums) >= 2:
            st.uids, st.uid = nums, nums[1]
        elif key == "Gid" and len(nums) >= 2:
            st.gids, st.gid = nums, nums[1]
        elif key == "Groups":
            st.groups = nums
        elif key == "CapEff":
            st.cap_eff = value
        elif key == "NoNewPrivs":
            st.no_new_privs = value == "1"
        elif key == "Name":
            st.name = value
    return st

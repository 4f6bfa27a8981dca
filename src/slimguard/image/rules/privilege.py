"""What SGA006 reports and SGA007 therefore leaves out: the privilege tools at their usual paths."""

from __future__ import annotations

# path in the image (no leading /) -> the tool
PRIV_TOOLS = {"usr/bin/sudo": "sudo", "bin/sudo": "sudo", "usr/bin/doas": "doas", "usr/sbin/sudo": "sudo",
              "usr/local/bin/sudo": "sudo", "usr/bin/pkexec": "pkexec"}

"""`slimguard verify`: build the original and the fixed Dockerfile, run both, prove the fix.

Modules: :mod:`.session` (run id, labels, clean-up), :mod:`.context` (one build context for
both builds), :mod:`.build` (classic builder through the API, never pulling), :mod:`.run`
(locked-down containers), :mod:`.probe` (the uid as the kernel reports it, in any image),
:mod:`.facts` (passwd and package databases), :mod:`.report` (verdict, text, JSON) and
:mod:`.engine` (the whole run).
"""

from slimguard.verify.engine import FixOutcome, VerifyOptions, compute_fix, smoke_argv, verify
from slimguard.verify.report import Report, Side
from slimguard.verify.run import Limits
from slimguard.verify.session import LABEL, Session

__all__ = ["LABEL", "FixOutcome", "Limits", "Report", "Session", "Side", "VerifyOptions", "compute_fix",
           "smoke_argv", "verify"]

"""`slimguard verify`: build the original and the fixed Dockerfile, run both, prove the fix.

Modules: :mod:`.session` (run id, labels, clean-up), :mod:`.context` (the build context, packed
once), :mod:`.build` (classic builder through the API, never pulling), :mod:`.run` (labelled,
bounded containers and their profiles), :mod:`.probe` (the uid as the kernel reports it, in any
image), :mod:`.server` (``--probe``: HTTP from inside the server's network namespace),
:mod:`.facts` (passwd and package databases), :mod:`.report` (verdict, text, JSON) and
:mod:`.engine` (the whole run: baseline, comparison, culprits, what to write).
"""

from slimguard.verify.engine import (FixOutcome, FixPlan, VerifyOptions, compute_fix, plan_fix, smoke_argv,
                                     verify)
from slimguard.verify.report import Report, Side
from slimguard.verify.run import DEFAULT, RESTRICTED, Limits, Profile
from slimguard.verify.session import LABEL, Session

__all__ = ["DEFAULT", "LABEL", "RESTRICTED", "FixOutcome", "FixPlan", "Limits", "Profile", "Report", "Session",
           "Side", "VerifyOptions", "compute_fix", "plan_fix", "smoke_argv", "verify"]

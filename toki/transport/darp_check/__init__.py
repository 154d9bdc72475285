"""An independent checker of DARP solutions (its own reader, its own 8-step schedule, its own cost).

It shares no code with toki.transport.darp (ADR 0009), so a bug in the solver's schedule is not repeated here.
"""

from .check import Verdict, check, eight_step
from .reader import CheckInputError, CheckInstance, read_instance

__all__ = ["CheckInputError", "CheckInstance", "Verdict", "check", "eight_step", "read_instance"]

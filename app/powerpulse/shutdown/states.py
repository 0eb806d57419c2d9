"""The states of a shutdown run and of its steps: defined here, used everywhere else."""

from __future__ import annotations

from typing import Literal, get_args

RunState = Literal["running", "waiting_restore", "restoring", "completed", "cancelled", "failed"]
ActiveRunState = Literal["running", "waiting_restore", "restoring"]
StepState = Literal["pending", "running", "succeeded", "failed", "timed_out", "skipped"]

RUN_STATES: tuple[str, ...] = get_args(RunState)
ACTIVE: tuple[str, ...] = get_args(ActiveRunState)  # a run not finished (holds its plan)
RESTORE: tuple[str, ...] = ("waiting_restore", "restoring")  # after the phases
STEP_STATES: tuple[str, ...] = get_args(StepState)

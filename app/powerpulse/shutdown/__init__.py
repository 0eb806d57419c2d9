"""Shutdown plans: when the battery will not last, shut the protected hosts down in order, in time,
and bring them back when the mains return.

- `plan`: a plan's definition (parse, validate, the secrets sealed, what the API shows);
- `actions`: one module per action type and the registry (`actions.ACTION_TYPES`);
- `readings`: what a plan needs to know of one UPS, from its live row;
- `triggers`: whether a plan's triggers hold (pure);
- `timeline`: what would run when (pure: the plan view and the dry run);
- `engine`: runs plans in the poller worker (stored runs and steps, resumed after a crash);
- `progress`: what to do next with a run (pure: the engine applies it);
- `run_store`: the engine's SQL (conditional writes of runs and steps, claims, the outbox).
"""

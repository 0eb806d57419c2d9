"""How a parallel run (`make test`: `pytest -n N --dist loadgroup`) spreads the suite over
pytest-xdist workers. A plain `pytest` run (one process) is left exactly as it is.

Units of work, each run start to end by one worker:
- each test module: its module-scoped fixtures (a upsd, a set-up stack, a browser) are set up
  once, as in a serial run;
- all of `tests/appliance`: the podman engine, the registry and the image builds are session
  fixtures, so one worker builds the image once;
- all of `tests/e2e`: one browser at a time.
The two long units are handed out first so that they overlap everything else.

xdist's own `loadgroup` (the `xdist_group` mark) does nothing with pytest 9 (the node-id
suffix it relies on is ignored), so this module supplies the scheduler for `--dist loadgroup`.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

import pytest

# Directories that run as one unit, longest first (each takes minutes).
WHOLE_DIRECTORIES = ("appliance", "e2e")


def unit_of(nodeid: str) -> str:
    """The unit of a test: `appliance` / `e2e` for those directories, else its module."""
    path = nodeid.split("::", 1)[0]
    parts = PurePosixPath(path).parts
    if len(parts) > 2 and parts[0] == "tests" and parts[1] in WHOLE_DIRECTORIES:
        return parts[1]
    return path


def order_of(nodeid: str) -> int:
    unit = unit_of(nodeid)
    return WHOLE_DIRECTORIES.index(unit) if unit in WHOLE_DIRECTORIES else len(WHOLE_DIRECTORIES)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # In xdist workers only: the scheduler hands units out in collection order.
    if hasattr(config, "workerinput") and getattr(config.option, "loadgroup", False):
        items.sort(key=lambda item: order_of(item.nodeid))  # stable: module order is kept


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class UnitScheduling(LoadScopeScheduling):  # type: ignore[misc]
        def __init__(self, config: pytest.Config, log: Any = None) -> None:
            super().__init__(config, log)
            # Keep the collection's order (long units first), not xdist's "most tests first".
            config.option.loadscopereorder = False

        def _split_scope(self, nodeid: str) -> str:
            return unit_of(nodeid)

    return UnitScheduling(config, log)

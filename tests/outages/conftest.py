"""The poller tests' fixtures: a real upsd with dummy-ups, fast poll settings."""

from tests.poller.conftest import settings  # noqa: F401

"""Battery lifecycle: install dates, expected life, the age alert, and the health estimate.

`life` and `health` are pure (dates, arithmetic); `store` reads and writes the database;
`watch` is the poller-worker task that syncs device dates and writes the age alerts.
"""

"""Scheduled digest reports: outages, self-tests, battery warnings and energy of the period
just ended, sent through shared notification channels (the outbox, like every notification).

`periods` is pure calendar logic, `report` gathers the numbers and words them, `sender` is the
poller-side loop that sends each schedule's period once.
"""

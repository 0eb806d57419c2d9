"""Battery self-tests: schedules, safety rules, the runner in the poller worker (issue 13)."""

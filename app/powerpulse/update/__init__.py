"""Self-update through the Docker Engine API (see `service` for the flow, `runner` for the swap)."""

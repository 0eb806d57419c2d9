"""Energy: the real power of each sample (`power`), the energy between samples
(`integrate`), the energy settings (`settings`) and kWh summaries from the hourly rollups
(`query`, served by `GET /api/energy` and used by the digests)."""

from __future__ import annotations

"""History of UPS readings: sampling policy, writes with hourly rollups, retention, buckets.

Used by the poller (sampling, writes, retention) and the api worker (bucket queries, manual
samples); the API's JSON is made in `powerpulse.api.history` from the dataclasses returned here.
"""

from __future__ import annotations

from powerpulse.history.buckets import (
    Bucket,
    BucketPlan,
    History,
    Stat,
    bucket_params,
    bucket_sql,
    first_sample,
    plan_buckets,
    read_buckets,
)
from powerpulse.history.metrics import METRICS, Metric
from powerpulse.history.retention import EVENT_RETENTION_DAYS, prune_once
from powerpulse.history.sampling import SampleSchedule, build_sample
from powerpulse.history.writes import record_manual_charge, write_samples

__all__ = [
    "EVENT_RETENTION_DAYS",
    "METRICS",
    "Bucket",
    "BucketPlan",
    "History",
    "Metric",
    "SampleSchedule",
    "Stat",
    "bucket_params",
    "bucket_sql",
    "build_sample",
    "first_sample",
    "plan_buckets",
    "prune_once",
    "read_buckets",
    "record_manual_charge",
    "write_samples",
]

"""Streamed exports (CSV and JSON) of outages, events and history samples.

`pages` reads rows by keyset so memory stays bounded whatever the range; `stream` encodes them
(pure cell and line encoders, then one writer that sends chunks through Sanic's streaming
response) and decides the format from `?format=` or the `Accept` header.
"""

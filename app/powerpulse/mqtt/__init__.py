"""The MQTT publisher (optional, `MQTT_URL`): every UPS's state and readings, and its power
events, retained under a topic prefix, with Home Assistant MQTT discovery.

`config` reads the variables, `messages` (pure) builds topics and payloads from the API's own
UPS objects, `publisher` runs in the poller process beside the poller: it reads what the poller
wrote (never waits on a poll), reconnects by itself and republishes everything on each connect.
"""

"""The audit log: who changed or did what, when, from where, with the subject before and after.

`masking` (pure) turns rows and request bodies into what the log may keep: JSON values with
every secret masked; `store` writes entries and prunes them. The api worker records every
changing request (`powerpulse.api.audit_trail`); the poller records what it does on its own.
"""

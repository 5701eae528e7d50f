"""Data-subject rights: requests with legal clocks, verification, access, erasure.

Modules, in the order a request meets them: `requests` (intake, clocks,
extensions, closing), `verification` (one-time codes through the outbox),
`fulfil` (the steps the API and the CLI share), `access` / `portability` +
`connectors` + `package` (the ZIP a subject receives), `erasure` with
`erasure_state`, `anonymise` (what is cleared, and the registry of extra
tables), `receipt` and `erasure_retry`, `restrictions` (flags other modules
read), `holds`, `activity` and `retention` (storage limitation from the
policy pack), `jobs` (reminders and retention for the worker). See
docs/privacy-ops.md.
"""

from complydesk.rights.restrictions import active_flags, has_flag

__all__ = ["active_flags", "has_flag"]

"""Cross-border transfers: register, assessment, de-identified export, live gate.

* `registry`   overseas recipients, mechanisms (CAC approval, filed standard
               contract, certificate, SCCs ...), agreements with a
               de-identification profile
* `rules`      the pure decision over counts, pack and register state
* `digests` / `counting`   distinct individuals per calendar year as keyed
               digests (through the vault's blind index)
* `stream` / `cells`   the streaming pass: de-identify, count, hash, on all
               cores, one plan and cache per column
* `query`      datasets given as a read-only SELECT (own database: counted by
               blind index, never decrypted)
* `uploads`    datasets sent to the API, within a size limit
* `gate`       the one check batch exports and live flows (webhooks, the
               assistant's model endpoint) pass; `live` counts their people
* `assessment` / `export`   `transfer assess` and `transfer export`
* `report` / `report_text`   Markdown / HTML reports, zh / en, rules cited

See docs/transfers.md.
"""

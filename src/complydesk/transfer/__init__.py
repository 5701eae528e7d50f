"""Cross-border transfers: register, assessment, de-identified export, live gate.

* `registry`   overseas recipients, mechanisms (CAC approval, filed standard
               contract, certificate, SCCs ...), agreements with a
               de-identification profile
* `rules`      the pure decision over counts, pack and register state
* `counting`   distinct individuals per calendar year as keyed digests
* `stream`     the streaming pass: de-identify, count, hash, on all cores
* `gate`       the one check batch exports and live flows (webhooks) pass
* `assessment` / `export`   `transfer assess` and `transfer export`
* `report`     Markdown / HTML reports, zh / en, with the rules cited

See docs/transfers.md.
"""

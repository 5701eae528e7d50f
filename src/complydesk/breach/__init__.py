"""The breach register: incidents, affected subjects per jurisdiction, notice
clocks from the packs, notification drafts and the record of notices sent.

`register` records and tracks incidents; `drafts` writes the notices to the
authority, the affected people and (California) the Attorney General in
Chinese or English, as Markdown or HTML, from counts and categories only.
See docs/privacy-ops.md.
"""

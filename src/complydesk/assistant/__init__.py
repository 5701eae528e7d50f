"""AI assistant governance: disclosure, hand-off, PII-safe backends, decisions.

Modules stay small and import nothing heavy at package import time:
`disclosure` (what the AI says first and how each AI message is labelled),
`handoff` (when a human must take over), `conversation` (the chat flow over
the desk's conversations and the vault), `backends` (FAQ and OpenAI-compatible
answerers), `decisions` (explained automated decisions and human review).
See docs/assistant.md.
"""

"""`python -m complydesk.cli` runs the `complydesk` command."""

from complydesk.cli import main

main()

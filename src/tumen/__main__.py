"""`python -m tumen` runs the `tumen` command."""

from tumen.cli import main

main()

"""The list of command-group modules attached to the root `cmq` app."""

from cmq.cli import filieres, glossaire, verifier

MODULES = [filieres, glossaire, verifier]

"""The list of command-group modules attached to the root `cmq` app."""

from cmq.cli import filieres, glossaire, verifier
from cmq.cli import campus, etablissement, historique

MODULES = [filieres, glossaire, verifier]
MODULES += [campus, etablissement, historique]
from cmq.cli import sauvegarde  # noqa: E402

MODULES += [sauvegarde]
from cmq.cli import importer, init  # noqa: E402

MODULES += [importer, init]

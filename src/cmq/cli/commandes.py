"""The list of command-group modules attached to the root `cmq` app."""

from cmq.cli import filieres, glossaire, verifier
from cmq.cli import campus, etablissement, historique

MODULES = [filieres, glossaire, verifier]
MODULES += [campus, etablissement, historique]
from cmq.cli import sauvegarde  # noqa: E402

MODULES += [sauvegarde]
from cmq.cli import importer, init  # noqa: E402

MODULES += [importer, init]
from cmq.cli import serve  # noqa: E402

MODULES += [serve]
from cmq.cli import exporter, indicateurs  # noqa: E402

MODULES += [indicateurs, exporter]
from cmq.cli import resolution  # noqa: E402

MODULES += [resolution]

"""Copy the CMQ glossary entry (shared/docs/cmq.md) into the package, byte for byte, and verify it.

Usage: python scripts/copier_glossaire.py [SOURCE] [--destination FICHIER] [--verifier]
The source must parse as an Orion entry and be reproduced exactly by `cmq.glossaire.rendre`;
otherwise nothing is written. With --verifier, only compare the packaged copy with the source.
"""

import argparse
import os
import sys
import tempfile
from pathlib import Path

from cmq import glossaire
from cmq.errors import CmqError

DEPOT = Path(__file__).resolve().parent.parent
SOURCE = DEPOT.parent / "shared" / "docs" / "cmq.md"  # ../shared/docs/cmq.md from the repository
DESTINATION = DEPOT / "src" / "cmq" / "data" / "glossaire" / "cmq.md"


def verifier_source(source: Path) -> bytes:
    """The source bytes, once checked to parse and to round-trip through `rendre`."""
    texte = glossaire.lire_texte(source)
    entree = glossaire.parse_fichier(source)
    if glossaire.rendre(entree) != texte:
        raise CmqError(
            f"{source} : le rendu de l'entrée analysée diffère du fichier (clés, guillemets ou fin de ligne)"
        )
    return texte.encode("utf-8")


def copier(source: Path, destination: Path) -> None:
    """Write the source into destination atomically, then re-read it to compare."""
    octets = verifier_source(source)
    destination.parent.mkdir(parents=True, exist_ok=True)
    fd, temporaire = tempfile.mkstemp(dir=destination.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(octets)
        os.chmod(temporaire, 0o644)  # mkstemp creates 0600 files
        os.replace(temporaire, destination)
    finally:
        if os.path.exists(temporaire):
            os.unlink(temporaire)
    if destination.read_bytes() != octets:
        raise CmqError(f"copie incorrecte : {destination} diffère de {source}")


def main(arguments: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit code."""
    lecteur = argparse.ArgumentParser(description="Copie l'entrée de glossaire CMQ dans le paquet et la vérifie.")
    lecteur.add_argument("source", nargs="?", type=Path, default=SOURCE, help="fichier source (défaut : %(default)s)")
    lecteur.add_argument("--destination", type=Path, default=DESTINATION, help="copie dans le paquet")
    lecteur.add_argument("--verifier", action="store_true", help="comparer seulement, sans rien écrire")
    options = lecteur.parse_args(arguments)
    try:
        if options.verifier:
            octets = verifier_source(options.source)
            actuel = glossaire.lire_texte(options.destination).encode("utf-8")
            if actuel != octets:
                raise CmqError(f"{options.destination} diffère de {options.source} : relancer la copie")
            print(f"{options.destination} est identique à {options.source}")
        else:
            copier(options.source, options.destination)
            print(f"{options.source} copié dans {options.destination} ({options.destination.stat().st_size} octets)")
    except CmqError as erreur:
        print(f"Erreur : {erreur}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Shared by the build scripts of src/cmq/data: deterministic gzip CSV output and count printing."""

import csv
import gzip
import io
import os
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path


def ecrire_csv_gz(colonnes: Sequence[str], lignes: Iterable[Sequence[str]], sortie: Path) -> None:
    """Gzip CSV ('\\n' line ends), mtime 0 and no file name in the header (same rows -> same bytes), written atomically."""
    tampon = io.StringIO()
    ecrivain = csv.writer(tampon, lineterminator="\n")
    ecrivain.writerow(colonnes)
    ecrivain.writerows(lignes)
    sortie.parent.mkdir(parents=True, exist_ok=True)
    descripteur, temporaire = tempfile.mkstemp(dir=sortie.parent, suffix=".tmp")
    with os.fdopen(descripteur, "wb") as brut, gzip.GzipFile(fileobj=brut, mode="wb", filename="", mtime=0) as gz:
        gz.write(tampon.getvalue().encode("utf-8"))
    os.chmod(temporaire, 0o644)
    os.replace(temporaire, sortie)


def afficher_comptes(comptes: Counter) -> None:
    """One indented 'key : number' line per count, sorted by key."""
    for cle, nombre in sorted(comptes.items()):
        print(f"  {cle} : {nombre}")

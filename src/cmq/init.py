"""`initialiser`: create or upgrade the schema and load the embedded data through the import pipeline.

Embedded data (`cmq/data/`, provenance in its README): `lycees.csv.gz` (lycées by UAI) and
`campus.csv` (real campuses). Lycées are seed data: only UAIs absent from the store are added,
so an annuaire imported later is never degraded by a later `cmq init`. Campuses are upserted by
id. Idempotent: a second run changes no row; its history entries record 0 inserted, 0 updated.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
from importlib import resources
from typing import Any

from cmq.errors import FichierIllisible
from cmq.importation.fichier import importer_fichier
from cmq.importation.pipeline import Progression, importer_lignes
from cmq.store import db, schema

LYCEES = "lycees.csv.gz"
CAMPUS = "campus.csv"


def _lire_gz(contenu: bytes, nom: str) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows of a gzip-compressed UTF-8 CSV (the embedded format)."""
    try:
        lecteur = csv.DictReader(io.StringIO(gzip.decompress(contenu).decode("utf-8")))
        return list(lecteur.fieldnames or []), list(lecteur)
    except (OSError, EOFError, UnicodeDecodeError, csv.Error) as erreur:
        raise FichierIllisible(f"donnée embarquée illisible « {nom} » : {erreur}") from None


def charger_lycees(url: str, progression: Progression | None = None):
    """Add the embedded lycées whose UAI is not stored yet."""
    contenu = resources.files("cmq").joinpath("data", LYCEES).read_bytes()
    colonnes, lignes = _lire_gz(contenu, LYCEES)
    return importer_lignes(
        lignes,
        colonnes=colonnes,
        numeros=range(2, len(lignes) + 2),
        source=f"cmq/data/{LYCEES}",
        somme_controle=hashlib.sha256(contenu).hexdigest(),
        type_import="etablissements",
        url=url,
        sans_mise_a_jour=True,
        progression=progression,
    )


def charger_campus(url: str, progression: Progression | None = None):
    """Upsert the embedded campuses."""
    with resources.as_file(resources.files("cmq").joinpath("data", CAMPUS)) as chemin:
        return importer_fichier(
            chemin, type_import="campus", url=url, source=f"cmq/data/{CAMPUS}", progression=progression
        )


def initialiser(url: str | None = None, progression: Progression | None = None) -> dict[str, Any]:
    """Upgrade the schema to head, then load lycées and campuses; returns what was done.

    {"base": URL (password hidden), "revision": schema revision, "etablissements": Rapport,
    "campus": Rapport}.
    """
    url = db.ouvrir(url)
    schema.mettre_a_jour(url)
    etablissements = charger_lycees(url, progression)
    campus = charger_campus(url, progression)
    return {
        "base": url.affichable,
        "revision": schema.revision_courante(url),
        "etablissements": etablissements,
        "campus": campus,
    }

"""Export responses (CSV, XLSX, GeoJSON) built with `cmq.extraction` and `cmq.exports`, sent as
attachments. CSV is UTF-8 with `,` (RFC 4180); XLSX has typed cells; GeoJSON holds the campus
seats and member establishments that have coordinates (`nature` "siege" or "membre")."""

from collections.abc import Collection, Sequence
from datetime import date
from typing import Literal

from fastapi import Response
from sqlalchemy.orm import Session

from cmq import exports, extraction
from cmq import indicateurs as calcul
from cmq.indicateurs import LigneIndicateurs
from cmq.models import Campus
from cmq.reponses.pieces import TYPES, piece_jointe

FormatCampus = Literal["json", "csv", "xlsx", "geojson"]
FormatIndicateurs = Literal["json", "csv", "xlsx"]


def _documentation(formats: Sequence[str]) -> dict:
    contenu = {"application/json": {}} | {TYPES[f].split(";")[0]: {} for f in formats}
    return {200: {"description": "Réponse JSON, ou fichier exporté (pièce jointe) selon `format`.", "content": contenu}}


REPONSES_CAMPUS = _documentation(("csv", "xlsx", "geojson"))
REPONSES_INDICATEURS = _documentation(("csv", "xlsx"))


def campus(s: Session, liste: Sequence[Campus], format: str, actif_le: date | None) -> Response:
    """The campuses of `liste` (already filtered) as CSV, XLSX or GeoJSON."""
    ids: Collection[str] = {c.id for c in liste}
    if format == "geojson":
        points = [p for p in extraction.points_campus(s, actif_le) if (p.get("campus_id") or p.get("id")) in ids]
        return piece_jointe(exports.geojson_octets(exports.collection_geojson(points)[0]), format, "campus")
    colonnes, lignes = extraction.table_campus(s, actif_le)
    rang_id = colonnes.index("id")
    gardees = [ligne for ligne in lignes if ligne[rang_id] in ids]
    return piece_jointe(exports.octets(colonnes, gardees, format, feuille="Campus"), format, "campus")


def indicateurs(lignes: Sequence[LigneIndicateurs], format: str, *, echelle: str, jour: date) -> Response:
    """Indicator rows as CSV or XLSX (one column per filière, `campus_ids` joined with "|")."""
    colonnes, rangs = calcul.vers_table(lignes)
    nom = f"indicateurs_{echelle}_{jour.isoformat()}"
    return piece_jointe(exports.octets(colonnes, rangs, format, feuille="Indicateurs"), format, nom)

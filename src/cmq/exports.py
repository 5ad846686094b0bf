"""Export formats: CSV, JSON, XLSX, GeoJSON and Markdown, written atomically (`cmq.fichiers`).

A table is `(colonnes, lignes)`: column names and rows of typed values (str, int, float, bool,
date, None, list). CSV and XLSX come from the one writer `cmq.ecrivain` (CSV: UTF-8 with `,` by
default, `separateur=";"` and `bom=True` for French Excel, text cells neutralised against formula
injection; XLSX: typed cells, one sheet per table). Lists become "a|b" in CSV, XLSX and Markdown,
and stay lists in JSON. GeoJSON (RFC 7946): a FeatureCollection of points
`[longitude, latitude]`; rows without coordinates are skipped and counted.
"""

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from cmq import filieres, glossaire, texte
from cmq.ecrivain import SEPARATEURS, csv_octets, nom_feuille, xlsx_octets  # noqa: F401 (the one CSV/XLSX writer)
from cmq.ecrivain import texte as _texte
from cmq.errors import EntreeInvalide
from cmq.fichiers import ecriture_atomique
from cmq.indicateurs import LigneIndicateurs

Table = tuple[Sequence[str], Sequence[Sequence[Any]]]
FORMATS = ("csv", "json", "xlsx", "geojson", "md")


def verifier_format(format: str, permis: Sequence[str] = FORMATS) -> str:
    """The format in lower case if it is one of `permis`; EntreeInvalide otherwise."""
    forme = (format or "").strip().lower()
    if forme not in permis:
        raise EntreeInvalide(f"format non pris en charge : « {format} » (formats possibles : {', '.join(permis)})")
    return forme


def format_du_fichier(chemin: Path | str | None, defaut: str) -> str:
    """The format named by the file's extension ("ind.xlsx" -> "xlsx"), else `defaut`."""
    suffixe = Path(chemin).suffix.lower().lstrip(".") if chemin is not None else ""
    suffixe = {"markdown": "md"}.get(suffixe, suffixe)
    return suffixe if suffixe in FORMATS else defaut


# --- Cells -----------------------------------------------------------------------------------------


def _json(valeur: Any) -> Any:
    if isinstance(valeur, date):
        return valeur.isoformat()
    if isinstance(valeur, (list, tuple, set)):
        return [_json(v) for v in valeur]
    return valeur


# --- Formats -------------------------------------------------------------------------------------


def json_octets(colonnes: Sequence[str], lignes: Iterable[Sequence[Any]]) -> bytes:
    """A JSON array of objects (one per row, keys in column order), UTF-8."""
    objets = [{c: _json(v) for c, v in zip(colonnes, ligne, strict=True)} for ligne in lignes]
    return (json.dumps(objets, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def collection_geojson(points: Iterable[Mapping[str, Any]]) -> tuple[dict[str, Any], Counter]:
    """FeatureCollection of the rows having `latitude` and `longitude`; the other keys are the
    properties. Returns it with the number of skipped rows by `nature` (or "ligne")."""
    entites, ignores = [], Counter()
    for point in points:
        lat, lon = point.get("latitude"), point.get("longitude")
        if lat is None or lon is None:
            ignores[point.get("nature") or "ligne"] += 1
            continue
        proprietes = {k: _json(v) for k, v in point.items() if k not in ("latitude", "longitude")}
        entites.append(
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": proprietes}
        )
    return {"type": "FeatureCollection", "features": entites}, ignores


def geojson_octets(collection: Mapping[str, Any]) -> bytes:
    """GeoJSON text, UTF-8."""
    return (json.dumps(collection, ensure_ascii=False) + "\n").encode("utf-8")


# --- Markdown --------------------------------------------------------------------------------------


def _md(valeur: Any) -> str:
    return _texte(valeur).replace("|", "\\|").replace("\n", " ")


def pourcentage(part: float | None) -> str:
    """A share as French percent text: 0.3333 -> "33,3 %", None -> "—"."""
    return "—" if part is None else f"{part * 100:.1f} %".replace(".", ",")


def markdown_table(colonnes: Sequence[str], lignes: Iterable[Sequence[Any]]) -> str:
    """A Markdown (GFM) table."""
    sortie = ["| " + " | ".join(_md(c) for c in colonnes) + " |", "|" + " --- |" * len(colonnes)]
    sortie += ["| " + " | ".join(_md(v) for v in ligne) + " |" for ligne in lignes]
    return "\n".join(sortie)


def _liste(elements: Sequence[tuple[str, Any] | tuple[str, Any, Sequence[tuple[str, Any]]]]) -> str:
    """A CommonMark list « - libellé : valeur », with sub-items indented under their item."""
    lignes = []
    for libelle, valeur, *sous in elements:
        lignes.append(f"- {libelle} : {valeur}" if valeur != "" else f"- {libelle} :")
        lignes.extend(f"  - {l} : {v}" for l, v in (sous[0] if sous else ()))
    return "\n".join(lignes)


def markdown_chiffres(lignes: Sequence[LigneIndicateurs]) -> str:
    """Live figures in CommonMark without tables (Orion renders Markdown without GFM: a pipe table would
    show as raw text): one list per territory, French dates, then the source line."""
    if not lignes:
        raise EntreeInvalide("aucun territoire : pas de chiffres à afficher")
    jour = texte.date_fr(lignes[0].date)
    blocs = []
    for lg in lignes:
        elements = [
            (
                "Campus labellisés",
                lg.nb_campus,
                [("dont campus d'excellence", f"{lg.nb_excellence} ({pourcentage(lg.part_excellence)})")],
            ),
            ("Campus par filière", "", [(f.libelle, lg.filieres[f.code]) for f in filieres.all()]),
            ("Campus dont les membres sont connus", f"{lg.nb_campus_membres_connus} sur {lg.nb_campus}"),
            ("Campus sans date de début de label", f"{lg.nb_campus_sans_date_debut} sur {lg.nb_campus}"),
            ("Établissements membres", lg.nb_etablissements_membres),
            ("Lycées de l'annuaire", lg.nb_lycees),
            ("Lycées membres d'au moins un campus", f"{lg.nb_lycees_membres} ({pourcentage(lg.couverture_lycees)})"),
        ]
        if len(lignes) == 1:
            blocs.append(f"## Chiffres au {jour} — {lg.nom}\n\n{_liste(elements)}")
        else:
            blocs.append(f"### {lg.nom} ({lg.code})\n\n{_liste(elements)}")
    if len(lignes) > 1:
        blocs.insert(0, f"## Chiffres au {jour}")
    source = (
        f"Source : calculé par cmq à partir du référentiel, au {jour} "
        "(un campus compte si son label est valide à cette date ; un territoire compte les campus "
        "dont le siège ou au moins un établissement membre s'y trouve). Les chiffres des membres ne "
        "reposent que sur les campus dont les membres sont connus : ce sont des minimums, et une "
        "couverture inconnue est notée « — », jamais 0 %."
    )
    return "\n\n".join([*blocs, source]) + "\n"


def markdown_glossaire(lignes: Sequence[LigneIndicateurs]) -> str:
    """The glossary entry « CMQ » followed by the live figures of `lignes`."""
    return glossaire.rendre(glossaire.entree("cmq"), avec_chiffres=markdown_chiffres(lignes))


# --- Output ----------------------------------------------------------------------------------------


def ecrire(chemin: Path | str, contenu: bytes) -> Path:
    """Write `contenu` to `chemin` atomically (temporary file then rename); ErreurEcriture otherwise."""
    chemin = Path(chemin)
    with ecriture_atomique(chemin, "wb") as flux:
        flux.write(contenu)
    return chemin


def octets(
    colonnes: Sequence[str],
    lignes: Sequence[Sequence[Any]],
    format: str,
    *,
    separateur: str = ",",
    bom: bool = False,
    feuille: str = "Données",
) -> bytes:
    """The table in `format` (csv, json, xlsx, geojson — rows with latitude/longitude —, md)."""
    forme = verifier_format(format)
    if forme == "csv":
        return csv_octets(colonnes, lignes, separateur=separateur, bom=bom)
    if forme == "json":
        return json_octets(colonnes, lignes)
    if forme == "xlsx":
        return xlsx_octets({feuille: (colonnes, lignes)})
    if forme == "geojson":
        return geojson_octets(collection_geojson(dict(zip(colonnes, ligne, strict=True)) for ligne in lignes)[0])
    return (markdown_table(colonnes, lignes) + "\n").encode("utf-8")


def exporter(
    colonnes: Sequence[str],
    lignes: Sequence[Sequence[Any]],
    format: str,
    chemin: Path | str | None = None,
    *,
    separateur: str = ",",
    bom: bool = False,
    feuille: str = "Données",
) -> bytes:
    """Serialise a table (see `octets`) and, when `chemin` is given, write it atomically; returns the bytes."""
    contenu = octets(colonnes, lignes, format, separateur=separateur, bom=bom, feuille=feuille)
    if chemin is not None:
        ecrire(chemin, contenu)
    return contenu

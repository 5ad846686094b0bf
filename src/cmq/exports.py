"""Export formats: CSV, JSON, XLSX, GeoJSON and Markdown, written atomically (`cmq.fichiers`).

A table is `(colonnes, lignes)`: column names and rows of typed values (str, int, float, bool,
date, None, list). CSV is UTF-8 with `,` by default; `separateur=";"` and `bom=True` suit French
Excel (with `;`, decimals are written with a comma). Lists become "a|b" in CSV, XLSX and Markdown,
and stay lists in JSON. XLSX: one sheet per table, typed cells (numbers, dates, booleans), bold
frozen header, column widths from the content. GeoJSON (RFC 7946): a FeatureCollection of points
`[longitude, latitude]`; rows without coordinates are skipped and counted.
"""

import csv
import io
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from cmq import filieres, glossaire, texte
from cmq.errors import EntreeInvalide
from cmq.fichiers import ecriture_atomique
from cmq.indicateurs import LigneIndicateurs

Table = tuple[Sequence[str], Sequence[Sequence[Any]]]
FORMATS = ("csv", "json", "xlsx", "geojson", "md")
SEPARATEURS = (",", ";", "\t")
LARGEUR_MAX = 60
_INTERDITS_FEUILLE = str.maketrans({c: "-" for c in "[]:*?/\\"})


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


def _texte(valeur: Any, virgule: bool = False) -> str:
    """A cell as text: '' for None, 'true'/'false', ISO dates, lists joined with '|'."""
    if valeur is None:
        return ""
    if isinstance(valeur, bool):
        return "true" if valeur else "false"
    if isinstance(valeur, float) and virgule:
        return repr(valeur).replace(".", ",")
    if isinstance(valeur, date):
        return valeur.isoformat()
    if isinstance(valeur, (list, tuple, set)):
        return "|".join(_texte(v) for v in valeur)
    return str(valeur)


def _json(valeur: Any) -> Any:
    if isinstance(valeur, date):
        return valeur.isoformat()
    if isinstance(valeur, (list, tuple, set)):
        return [_json(v) for v in valeur]
    return valeur


# --- Formats -------------------------------------------------------------------------------------


def csv_octets(
    colonnes: Sequence[str], lignes: Iterable[Sequence[Any]], *, separateur: str = ",", bom: bool = False
) -> bytes:
    """CSV in UTF-8 (BOM optional), `\\r\\n` line ends (RFC 4180)."""
    if separateur not in SEPARATEURS:
        raise EntreeInvalide(f"séparateur « {separateur} » non pris en charge (attendu : « , », « ; » ou tabulation)")
    virgule = separateur == ";"
    tampon = io.StringIO()
    ecrivain = csv.writer(tampon, delimiter=separateur)
    ecrivain.writerow(colonnes)
    ecrivain.writerows([_texte(v, virgule) for v in ligne] for ligne in lignes)
    return tampon.getvalue().encode("utf-8-sig" if bom else "utf-8")


def json_octets(colonnes: Sequence[str], lignes: Iterable[Sequence[Any]]) -> bytes:
    """A JSON array of objects (one per row, keys in column order), UTF-8."""
    objets = [{c: _json(v) for c, v in zip(colonnes, ligne, strict=True)} for ligne in lignes]
    return (json.dumps(objets, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def nom_feuille(nom: str) -> str:
    """A valid sheet name: forbidden characters replaced, 31 characters at most."""
    return (nom.translate(_INTERDITS_FEUILLE).strip("'") or "Feuille")[:31]


def xlsx_octets(feuilles: Mapping[str, Table]) -> bytes:
    """An XLSX workbook, one sheet per table: typed cells, bold frozen header, column widths."""
    from openpyxl import Workbook  # slow import, only needed here
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    if not feuilles:
        raise EntreeInvalide("aucune table à écrire dans le classeur")
    classeur = Workbook(write_only=True)
    gras = Font(bold=True)
    for nom, (colonnes, lignes) in feuilles.items():
        feuille = classeur.create_sheet(nom_feuille(nom))
        feuille.freeze_panes = "A2"
        rangs = [[_valeur_xlsx(v) for v in ligne] for ligne in lignes]
        for j, colonne in enumerate(colonnes, start=1):
            largeur = max([len(str(colonne))] + [len(_texte(r[j - 1])) for r in rangs[:1000]])
            feuille.column_dimensions[get_column_letter(j)].width = min(largeur + 2, LARGEUR_MAX)
        entete = []
        for colonne in colonnes:
            cellule = _cellule_xlsx(feuille, str(colonne))
            cellule.font = gras
            entete.append(cellule)
        feuille.append(entete)
        for rang in rangs:
            feuille.append([_cellule_xlsx(feuille, v) for v in rang])
    tampon = io.BytesIO()
    classeur.save(tampon)
    return tampon.getvalue()


def _valeur_xlsx(valeur: Any) -> Any:
    if isinstance(valeur, (list, tuple, set)):
        return _texte(valeur)
    return valeur


def _cellule_xlsx(feuille, valeur: Any):
    """A write-only cell: dates formatted as dates, texts starting with "=" kept as text."""
    from openpyxl.cell import WriteOnlyCell

    cellule = WriteOnlyCell(feuille, value=valeur)
    if isinstance(valeur, date):
        cellule.number_format = "yyyy-mm-dd"
    elif isinstance(valeur, str) and valeur.startswith("="):
        cellule.data_type = "s"  # text, never a formula
    return cellule


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

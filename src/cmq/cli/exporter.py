"""`cmq exporter campus|etablissements|membres|indicateurs`: the directory in CSV, JSON, XLSX or GeoJSON."""

from collections import Counter
from pathlib import Path
from typing import Annotated

import typer

from cmq import exports, extraction, indicateurs
from cmq.errors import EntreeInvalide
from cmq.store import schema

Sortie = Annotated[Path | None, typer.Option("-o", "--sortie", help="Fichier à écrire (sinon la sortie standard).")]
Separateur = Annotated[str, typer.Option("--separateur", help="Séparateur CSV : « , » (défaut) ou « ; » (Excel).")]
Bom = Annotated[bool, typer.Option("--bom", help="CSV avec BOM UTF-8 (Excel en français).")]
DateOption = Annotated[str | None, typer.Option("--date", help="Date AAAA-MM-JJ (campus dont le label est valide).")]
FORMATS = ("csv", "json", "xlsx", "geojson")
NOMS_ECHELLES = {
    "france": "France",
    "region_academique": "Régions académiques",
    "academie": "Académies",
    "departement": "Départements",
}


def exiger_fichier(format: str, chemin: Path | None) -> None:
    """XLSX is binary: it needs an output file."""
    if format == "xlsx" and chemin is None:
        raise EntreeInvalide("le format xlsx s'écrit dans un fichier : ajoutez -o FICHIER.xlsx")


def livrer(contenu: bytes, chemin: Path | None, format: str, resume: str) -> None:
    """Write `contenu` atomically to `chemin` (then print `resume`), or to the standard output."""
    exiger_fichier(format, chemin)
    if chemin is None:
        sortie = typer.get_binary_stream("stdout")
        sortie.write(contenu)
        sortie.flush()
        return
    exports.ecrire(chemin, contenu)
    typer.echo(f"{resume} : {chemin}")


def _signaler_ignores(ignores: Counter) -> None:
    if ignores:
        noms = {"siege": "siège(s) de campus", "membre": "membre(s)", "etablissement": "établissement(s)"}
        detail = ", ".join(f"{n} {noms.get(nature, nature)}" for nature, n in sorted(ignores.items()))
        typer.echo(f"{sum(ignores.values())} point(s) sans coordonnées ignoré(s) ({detail})", err=True)


def _exporter(quoi: str, format: str | None, chemin: Path | None, separateur: str, bom: bool, date: str | None) -> None:
    forme = exports.verifier_format(format or exports.format_du_fichier(chemin, "csv"), FORMATS)
    if quoi == "indicateurs" and forme == "geojson":
        raise EntreeInvalide("format geojson non disponible pour les indicateurs : csv, json ou xlsx")
    exiger_fichier(forme, chemin)
    jour = indicateurs.jour(date) if date is not None or quoi == "indicateurs" else None
    if quoi == "indicateurs":
        lignes = indicateurs.indicateurs_toutes_echelles(jour)
        colonnes, rangs = indicateurs.vers_table(lignes)
        if forme == "xlsx":
            feuilles = {
                NOMS_ECHELLES[e]: (colonnes, [r for r, lg in zip(rangs, lignes, strict=True) if lg.echelle == e])
                for e in NOMS_ECHELLES
            }
            contenu = exports.xlsx_octets(feuilles)
        else:
            contenu = exports.octets(colonnes, rangs, forme, separateur=separateur, bom=bom)
        livrer(contenu, chemin, forme, f"{len(rangs)} territoires au {jour} écrits")
        return
    with schema.session_lecture() as s:
        if forme == "geojson":
            points = {"campus": extraction.points_campus, "membres": extraction.points_membres}.get(quoi)
            points = points(s, jour) if points else extraction.points_etablissements(s)
            collection, ignores = exports.collection_geojson(points)
            livrer(exports.geojson_octets(collection), chemin, forme, f"{len(collection['features'])} points écrits")
            _signaler_ignores(ignores)
            return
        if quoi == "campus":
            tables = {"Campus": extraction.table_campus(s, jour), "Membres": extraction.table_membres(s, jour)}
        elif quoi == "membres":
            tables = {"Membres": extraction.table_membres(s, jour)}
        else:
            tables = {"Établissements": extraction.table_etablissements(s)}
    nom, (colonnes, rangs) = next(iter(tables.items()))
    if forme == "xlsx":
        contenu = exports.xlsx_octets(tables)
    else:
        contenu = exports.octets(colonnes, rangs, forme, separateur=separateur, bom=bom)
    livrer(contenu, chemin, forme, f"{len(rangs)} ligne(s) « {nom} » écrite(s)")


def _commande(quoi: str, aide: str):
    def commande(
        format: Annotated[
            str | None, typer.Option("--format", help="csv, json, xlsx ou geojson (défaut : selon -o, sinon csv).")
        ] = None,
        sortie: Sortie = None,
        date: DateOption = None,
        separateur: Separateur = ",",
        bom: Bom = False,
    ) -> None:
        _exporter(quoi, format, sortie, separateur, bom, date)

    commande.__doc__ = aide
    return commande


groupe = typer.Typer(name="exporter", help="Exporte le référentiel (CSV, JSON, XLSX, GeoJSON).", no_args_is_help=True)
groupe.command("campus")(
    _commande("campus", "Exporte les campus (XLSX : feuilles Campus et Membres ; GeoJSON : sièges et membres).")
)
groupe.command("etablissements")(_commande("etablissements", "Exporte les établissements de l'annuaire."))
groupe.command("membres")(_commande("membres", "Exporte les adhésions des établissements aux campus."))
groupe.command("indicateurs")(
    _commande(
        "indicateurs", "Exporte les indicateurs de tous les territoires à une date (XLSX : une feuille par échelle)."
    )
)


def enregistrer(app: typer.Typer) -> None:
    """Attach the `exporter` group to the root app."""
    app.add_typer(groupe)

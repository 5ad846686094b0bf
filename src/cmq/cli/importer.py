"""`cmq importer csv|xlsx|annuaire|opendatasoft|datagouv`: load a file or a portal into the store."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from cmq.cli.sortie import console, tableau
from cmq.importation.pipeline import Progression, Rapport

groupe = typer.Typer(
    name="importer",
    help="Importe des campus, établissements, membres ou partenaires (fichier ou portail open data).",
    no_args_is_help=True,
    epilog="Avec CMQ_JETON, l'utilisateur doit couvrir chaque campus du fichier ; les établissements "
    "(annuaire) sont réservés aux administrateurs de la France.",
)

ETAPES = {"lecture": "Lecture", "validation": "Validation", "ecriture": "Écriture"}

OptionType = Annotated[
    str | None,
    typer.Option("--type", help="Nature des lignes : campus, etablissements, membres ou partenaires (deviné sinon)."),
]
OptionCorrespondance = Annotated[
    Path | None,
    typer.Option(
        "--correspondance", help='Fichier JSON ou YAML {"Colonne du fichier": "champ"} prioritaire sur les alias.'
    ),
]
OptionPartiel = Annotated[
    bool, typer.Option("--partiel", help="Importe les lignes valides et écrit les lignes rejetées dans un rapport CSV.")
]
OptionRapport = Annotated[
    Path | None,
    typer.Option(
        "--rapport",
        help="Rapport CSV des rejets (défaut : <fichier>_rejets.csv à côté du fichier importé ; "
        "<jeu de données>_rejets.csv dans le dossier courant pour un portail).",
    ),
]
OptionFermes = Annotated[
    bool, typer.Option("--inclure-fermes", help="Importe aussi les établissements fermés (etat FERME).")
]


@contextmanager
def barre() -> Iterator[Progression | None]:
    """A rich progress bar on stderr, fed by the pipeline's (étape, fait, total) callback; nothing
    at all (not even a blank line) when stderr is not a terminal."""
    erreurs = Console(stderr=True)
    if not erreurs.is_terminal:  # no bar: rich.progress is not even loaded (start-up)
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    progres = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=erreurs,
        transient=True,
    )
    taches: dict[str, int] = {}

    def avancer(etape: str, fait: int, total: int | None) -> None:
        if etape not in taches:
            taches[etape] = progres.add_task(ETAPES.get(etape, etape), total=total)
        progres.update(taches[etape], completed=fait, total=total)

    with progres:
        yield avancer


def afficher(rapport: Rapport) -> None:
    """Final summary: status, counts table, ignored columns, report of rejected rows."""
    sortie = console()
    statuts = {"ok": "import réussi", "partiel": "import partiel (lignes rejetées non importées)"}
    sortie.print(f"{statuts.get(rapport.statut, rapport.statut)} : {rapport.type_import} depuis {rapport.source}")
    lignes = [
        ("lues", rapport.lues),
        ("insérées", rapport.inserees),
        ("mises à jour", rapport.mises_a_jour),
        ("inchangées", rapport.inchangees),
        ("rejetées", rapport.rejetees),
        ("ignorées", rapport.ignorees),
        ("colonnes ignorées", ", ".join(rapport.colonnes_ignorees) or "aucune"),
    ]
    sortie.print(tableau("Bilan", ("", "nombre"), lignes))
    if len(rapport.details) > 1:
        noms = {
            "campus": "campus",
            "etablissements": "établissements",
            "membres": "membres",
            "partenaires": "partenaires",
            "etablissements_support": "établissements support (créés si absents)",
        }
        sortie.print(
            tableau(
                "Détail par table",
                ("table", "insérées", "mises à jour", "inchangées"),
                [(noms.get(nom, nom), b.inserees, b.mises_a_jour, b.inchangees) for nom, b in rapport.details.items()],
            )
        )
    if rapport.chemin_rapport:
        sortie.print(f"Rapport des {rapport.rejetees} ligne(s) rejetée(s) : {rapport.chemin_rapport}")


def _lancer(fonction: Callable[..., Rapport], *args, **options) -> None:
    """Run an import as the actor of this command (`cli.acteur`: its scopes are checked), with a progress bar."""
    from cmq.cli.acteur import acteur

    qui = acteur()
    with barre() as progression:
        rapport = fonction(*args, progression=progression, acteur=qui, **options)
    afficher(rapport)


def _fichier(fichier: Path, type_import, correspondance, partiel, rapport, feuille, inclure_fermes=False) -> None:
    from cmq.importation.fichier import importer_fichier

    _lancer(
        importer_fichier,
        fichier,
        type_import=type_import,
        correspondance=correspondance,
        partiel=partiel,
        rapport=rapport,
        feuille=feuille,
        inclure_fermes=inclure_fermes,
    )


@groupe.command("csv")
def csv_(
    fichier: Annotated[Path, typer.Argument(help="Fichier CSV (encodage et séparateur détectés).")],
    type_import: OptionType = None,
    correspondance: OptionCorrespondance = None,
    partiel: OptionPartiel = False,
    rapport: OptionRapport = None,
    feuille: Annotated[str | None, typer.Option("--feuille", help="Feuille (classeurs seulement).")] = None,
    inclure_fermes: OptionFermes = False,
) -> None:
    """Importe un fichier CSV."""
    _fichier(fichier, type_import, correspondance, partiel, rapport, feuille, inclure_fermes)


@groupe.command("xlsx")
def xlsx(
    fichier: Annotated[Path, typer.Argument(help="Classeur XLSX.")],
    type_import: OptionType = None,
    correspondance: OptionCorrespondance = None,
    partiel: OptionPartiel = False,
    rapport: OptionRapport = None,
    feuille: Annotated[
        str | None,
        typer.Option(
            "--feuille",
            help="Feuille à lire (défaut : la seule du classeur, sinon celle qui porte le nom d'une table : "
            "Campus, Établissements, Membres ou Partenaires, comme les exports de cmq).",
        ),
    ] = None,
    inclure_fermes: OptionFermes = False,
) -> None:
    """Importe un classeur XLSX (une feuille)."""
    _fichier(fichier, type_import, correspondance, partiel, rapport, feuille, inclure_fermes)


@groupe.command("annuaire")
def annuaire(
    fichier: Annotated[Path | None, typer.Argument(help="Export CSV de l'annuaire de l'éducation.")] = None,
    portail: Annotated[
        str | None,
        typer.Option(
            "--portail", help="Portail Opendatasoft (ex. https://data.education.gouv.fr) au lieu d'un fichier."
        ),
    ] = None,
    where: Annotated[str | None, typer.Option("--where", help="Filtre ODSQL (avec --portail).")] = None,
    partiel: OptionPartiel = False,
    rapport: OptionRapport = None,
    inclure_fermes: OptionFermes = False,
) -> None:
    """Importe l'annuaire de l'éducation (fr-en-annuaire-education) : export CSV ou portail."""
    from cmq.importation.annuaire import importer_annuaire

    _lancer(
        importer_annuaire,
        fichier,
        portail=portail,
        where=where,
        partiel=partiel,
        rapport=rapport,
        inclure_fermes=inclure_fermes,
    )


@groupe.command("opendatasoft")
def opendatasoft(
    portail: Annotated[str, typer.Argument(help="Adresse du portail (ex. https://data.education.gouv.fr).")],
    dataset: Annotated[str, typer.Argument(help="Identifiant du jeu de données.")],
    where: Annotated[str | None, typer.Option("--where", help="Filtre ODSQL.")] = None,
    select: Annotated[str | None, typer.Option("--select", help="Champs à lire (ODSQL).")] = None,
    refine: Annotated[list[str] | None, typer.Option("--refine", help="Facette champ:valeur (répétable).")] = None,
    type_import: OptionType = None,
    correspondance: OptionCorrespondance = None,
    partiel: OptionPartiel = False,
    rapport: Annotated[
        Path | None,
        typer.Option(
            "--rapport", help="Rapport CSV des rejets (défaut : <dataset>_rejets.csv dans le dossier courant)."
        ),
    ] = None,
    inclure_fermes: OptionFermes = False,
) -> None:
    """Importe un jeu de données d'un portail Opendatasoft (API Explore v2.1)."""
    from cmq.importation.distant import importer_opendatasoft

    _lancer(
        importer_opendatasoft,
        portail,
        dataset,
        where=where,
        select=select,
        refine=refine,
        type_import=type_import,
        correspondance=correspondance,
        partiel=partiel,
        rapport=rapport,
        inclure_fermes=inclure_fermes,
    )


@groupe.command("datagouv")
def datagouv(
    resource_id: Annotated[str, typer.Argument(help="Identifiant de la ressource data.gouv.fr (API tabulaire).")],
    base: Annotated[
        str | None,
        typer.Option("--base", help="Adresse de l'API tabulaire (défaut : https://tabular-api.data.gouv.fr)."),
    ] = None,
    type_import: OptionType = None,
    correspondance: OptionCorrespondance = None,
    partiel: OptionPartiel = False,
    rapport: Annotated[
        Path | None,
        typer.Option(
            "--rapport", help="Rapport CSV des rejets (défaut : <ressource>_rejets.csv dans le dossier courant)."
        ),
    ] = None,
) -> None:
    """Importe une ressource CSV de data.gouv.fr par son API tabulaire."""
    from cmq.importation.distant import importer_datagouv
    from cmq.portails.datagouv import BASE_TABULAIRE

    _lancer(
        importer_datagouv,
        resource_id,
        base=base or BASE_TABULAIRE,
        type_import=type_import,
        correspondance=correspondance,
        partiel=partiel,
        rapport=rapport,
    )


def enregistrer(app: typer.Typer) -> None:
    """Attach `cmq importer …` to the root app."""
    app.add_typer(groupe)

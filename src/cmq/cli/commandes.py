"""Top-level commands: the module defining each one, loaded only when the command runs, and the
one-line help the root help screen shows (kept here so that `cmq --help` imports no command).

Importing every command module costs about a second (SQLAlchemy, Alembic, numpy…); a command
only pays for what it needs. Each module exposes `enregistrer(app)`; the one-line help below
becomes the `short_help` of the command it registers (one text, whether the module is loaded or
not), its own help screen keeps the module's whole description.
"""

import importlib
from functools import cache

import typer
from typer.core import TyperCommand

# Command name -> (module of `cmq.cli`, one-line help); order = order of the help screen. Each help
# fits on one line of an 80-column terminal (60 characters); the command's own help screen
# (`cmq indicateurs --help`) gives the whole description.
COMMANDES: dict[str, tuple[str, str]] = {
    "init": ("init", "Crée ou met à jour la base et charge les données embarquées."),
    "serve": ("serve", "Sert l'API REST et les pages web (crée la base si besoin)."),
    "filieres": ("filieres", "Les 12 filières : liste, recherche, normalisation, NSF."),
    "campus": ("campus", "Annuaire des campus : liste, fiche, modification."),
    "relecture": ("relecture", "Changements en attente de relecture : accepter, rejeter."),
    "etablissement": ("etablissement", "Établissements (UAI) : fiche, recherche, rapprochement."),
    "indicateurs": ("indicateurs", "Indicateurs « Acteurs » par territoire, à une date."),
    "qualite": ("qualite", "Qualité des données : champs manquants, sources à vérifier."),
    "exporter": ("exporter", "Exporte le référentiel (CSV, JSON, XLSX, GeoJSON)."),
    "publier": ("publication", "Publie le référentiel en open data (CSV, JSON, GeoJSON)."),
    "resoudre": ("resolution", "Trouve le campus désigné par une mention libre."),
    "alias": ("resolution", "Alias confirmés : une mention, toujours le même campus."),
    "audit-demandes": ("resolution", "Audite les « Nom CMQ » d'un export de demandes d'Orion."),
    "importer": ("importer", "Importe campus, établissements, membres ou partenaires."),
    "imports": ("historique", "Historique des imports (le plus récent d'abord)."),
    "historique": ("historique", "Historique des changements d'un campus."),
    "glossaire": ("glossaire", "Glossaire d'Orion : [bold]cmq glossaire cmq[/bold] affiche « CMQ »."),
    "verifier": ("verifier", "Vérifie des codes (UAI, SIREN, SIRET, département, commune)."),
    "sauvegarder": ("sauvegarde", "Sauvegarde toute la base dans un fichier portable (ZIP)."),
    "restaurer": ("sauvegarde", "Restaure une sauvegarde dans une base vide."),
    "utilisateurs": ("utilisateurs", "Utilisateurs autorisés à écrire : rôle, périmètres, jeton."),
}


@cache
def commandes_du_module(nom: str) -> dict:
    """The click commands that module `cmq.cli.<nom>` registers."""
    module = importlib.import_module(f"cmq.cli.{nom}")
    provisoire = typer.Typer(rich_markup_mode="rich")

    @provisoire.callback()
    def _groupe() -> None:  # a callback keeps typer from collapsing a lone command
        """Provisional group."""

    module.enregistrer(provisoire)
    commandes = dict(typer.main.get_command(provisoire).commands)
    for nom_commande, objet in commandes.items():  # the one-line help is the one written above
        if nom_commande in COMMANDES:
            objet.short_help = COMMANDES[nom_commande][1]
    return commandes


def commande(nom: str):
    """The top-level command `nom` (a click command), its module imported on first use."""
    module = COMMANDES.get(nom)
    return commandes_du_module(module[0]).get(nom) if module else None


def resume(nom: str) -> TyperCommand | None:
    """A stand-in for command `nom` carrying only its name and one-line help (help screen)."""
    if nom not in COMMANDES:
        return None
    aide = COMMANDES[nom][1]
    return TyperCommand(name=nom, help=aide, short_help=aide)

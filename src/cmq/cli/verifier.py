"""`cmq verifier` commands: check UAI, SIREN, SIRET, département and commune codes."""

from collections.abc import Callable

import typer
from rich.text import Text

from cmq import codes
from cmq.cli.sortie import console, tableau
from cmq.errors import CodeInvalide

groupe = typer.Typer(
    name="verifier", help="Vérifie des codes (UAI, SIREN, SIRET, département, commune).", no_args_is_help=True
)

# command name -> (label shown to the user, validator)
GENRES: dict[str, tuple[str, Callable[[str], str]]] = {
    "uai": ("UAI", codes.normaliser_uai),
    "siren": ("SIREN", codes.normaliser_siren),
    "siret": ("SIRET", codes.normaliser_siret),
    "departement": ("département", codes.normaliser_departement),
    "commune": ("commune INSEE", codes.normaliser_commune),
}


def _motif(erreur: CodeInvalide) -> str:
    """The reason part of a CodeInvalide message ('SIRET invalide « x » : reason' -> 'reason')."""
    return str(erreur).split(" : ", 1)[-1]


def verifier(ctx: typer.Context, libelle: str, valider: Callable[[str], str], liste: list[str] | None) -> None:
    """Print a table code -> valid (normalised form) / invalid (reason); exit 1 if any is invalid."""
    if not liste:
        ctx.fail(f"au moins un code {libelle} à vérifier est attendu")
    lignes = []
    invalides = 0
    for code in liste:
        try:
            lignes.append((code, Text("valide", style="green"), valider(code)))
        except CodeInvalide as erreur:
            invalides += 1
            lignes.append((code, Text("invalide", style="red"), _motif(erreur)))
    console().print(tableau(None, ("Code", "Résultat", "Forme normalisée ou motif"), lignes))
    if invalides:
        typer.echo(f"{invalides} code(s) {libelle} invalide(s) sur {len(liste)}", err=True)
        raise typer.Exit(1)


def _commande(nom: str, libelle: str, valider: Callable[[str], str]) -> None:
    def commande(
        ctx: typer.Context,
        liste: list[str] = typer.Argument(None, metavar="CODE", help=f"Codes {libelle} à vérifier."),
    ) -> None:
        verifier(ctx, libelle, valider, liste)

    commande.__doc__ = f"Vérifie des codes {libelle} ; code de sortie 1 si l'un est invalide."
    groupe.command(nom)(commande)


for _nom, (_libelle, _valider) in GENRES.items():
    _commande(_nom, _libelle, _valider)


def enregistrer(app: typer.Typer) -> None:
    """Attach the `verifier` commands to the root app."""
    app.add_typer(groupe)

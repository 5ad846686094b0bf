"""`cmq glossaire` commands."""

import json
from pathlib import Path

import typer
from typer.core import TyperGroup

from cmq import glossaire
from cmq.cli.sortie import console, tableau
from cmq.errors import EntreeInvalide


class GroupeGlossaire(TyperGroup):
    """`cmq glossaire SLUG` is a shortcut for `cmq glossaire afficher SLUG`."""

    def resolve_command(self, ctx: typer.Context, args: list[str]):
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["afficher", *args]
        return super().resolve_command(ctx, args)


groupe = typer.Typer(
    cls=GroupeGlossaire,
    name="glossaire",
    help="Glossaire d'Orion : [bold]cmq glossaire cmq[/bold] affiche l'entrée « CMQ ».",
    no_args_is_help=True,
)


@groupe.command("afficher")
def afficher(
    slug: str = typer.Argument(..., help="Identifiant de l'entrée (ex. cmq)."),
    avec_chiffres: bool = typer.Option(
        False, "--avec-chiffres", help="Ajoute les chiffres nationaux des CMQ (entrée cmq)."
    ),
    date: str | None = typer.Option(None, "--date", help="Date des chiffres, AAAA-MM-JJ (défaut : aujourd'hui)."),
) -> None:
    """Affiche une entrée du glossaire telle quelle (Markdown avec front matter)."""
    chiffres = None
    if avec_chiffres:
        from cmq import exports, indicateurs

        if slug != "cmq":
            raise EntreeInvalide(f"--avec-chiffres n'existe que pour l'entrée cmq, pas pour « {slug} »")
        chiffres = exports.markdown_chiffres(indicateurs.indicateurs("france", date=date))
    sortie = typer.get_binary_stream("stdout")
    sortie.write(glossaire.rendre(glossaire.entree(slug), avec_chiffres=chiffres).encode("utf-8"))
    sortie.flush()


@groupe.command("liste")
def liste() -> None:
    """Liste les entrées du glossaire disponibles."""
    lignes = [(slug, e.title, e.type, e.status) for slug, e in ((s, glossaire.entree(s)) for s in glossaire.entrees())]
    console().print(tableau(None, ("Identifiant", "Titre", "Type d'indicateur", "Statut"), lignes))


@groupe.command("parse")
def parse(
    fichier: Path = typer.Argument(..., help="Fichier Markdown d'une entrée de glossaire Orion."),
    json_: bool = typer.Option(False, "--json", help="Sortie JSON complète (champs de l'API d'Orion)."),
) -> None:
    """Analyse une entrée de glossaire Orion et affiche ses champs."""
    entree = glossaire.parse_fichier(fichier)
    if json_:
        typer.echo(json.dumps(entree.model_dump(), ensure_ascii=False, indent=2))
        return
    lignes = [
        (champ, f"{len(valeur.splitlines())} lignes, {len(valeur)} caractères" if champ == "content" else valeur)
        for champ, valeur in entree.model_dump().items()
    ]
    console().print(tableau(None, ("Champ", "Valeur"), lignes, show_header=False))


def enregistrer(app: typer.Typer) -> None:
    """Attach the `glossaire` commands to the root app."""
    app.add_typer(groupe)

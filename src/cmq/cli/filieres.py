"""`cmq filieres` commands: list the 12 filières, search one, normalise a column of a file, the filières of
a formation domain (NSF)."""

from collections import Counter
from pathlib import Path
from typing import Annotated

import typer

from cmq import fichiers, filieres, nsf
from cmq.cli.lecture import Format, FormatFiche, FormatListe, console, refuser_csv, sortir, tableau
from cmq.ecrivain import ecrire_tableau
from cmq.errors import FiliereInconnue
from cmq.tableau import colonne, lire_tableau
from cmq.texte import est_remplissage

groupe = typer.Typer(
    help="Les 12 filières des CMQ : liste, recherche par texte libre, normalisation d'un fichier, "
    "filières d'un domaine de formation (NSF).",
    invoke_without_command=True,
)

COLONNES_AJOUTEES = ("filiere_code", "filiere_score", "filiere_statut")
STATUTS = {"normalise": "normalisées", "ambigu": "ambiguës", "inconnu": "inconnues", "vide": "vides"}


@groupe.callback()
def liste(ctx: typer.Context) -> None:
    """Sans sous-commande : affiche les 12 filières (code, libellé, libellé court)."""
    if ctx.invoked_subcommand is None:
        lignes = [(f.code, f.libelle, f.libelle_court) for f in filieres.all()]
        console().print(tableau("Les 12 filières des CMQ", ("Code", "Libellé", "Libellé court"), lignes))


@groupe.command("show")
def show(code: Annotated[str, typer.Argument(help="Code de la filière (voir `cmq filieres`).")]) -> None:
    """Affiche une filière : libellé, page officielle et mots-clés reconnus."""
    try:
        f = filieres.get(code)
    except FiliereInconnue as erreur:
        proche = filieres.normalize(code).filiere if code.strip() else None
        if proche is None:
            raise
        raise FiliereInconnue(f"filière inconnue : « {code} » ; vouliez-vous dire « {proche.code} » ?") from erreur
    lignes = [
        ("Code", f.code),
        ("Libellé", f.libelle),
        ("Libellé court", f.libelle_court),
        ("Page", f.url),
        ("Mots-clés", ", ".join(f.mots_cles)),
    ]
    console().print(tableau(None, ("Champ", "Valeur"), lignes))


@groupe.command("search")
def search(
    texte: Annotated[
        str,
        typer.Argument(
            help="Texte libre : libellé, début de mot (dès une lettre), code, mot-clé, sigle (BTP, IAA…) ; "
            "vide : les 12 filières."
        ),
    ] = "",
    limit: Annotated[int, typer.Option("--limit", "-n", help="Nombre maximal de résultats.")] = 12,
    format: FormatFiche = Format.table,
) -> None:
    """Cherche les filières correspondant à un texte libre (comme la saisie semi-automatique d'Orion),
    de la plus probable à la moins probable."""
    refuser_csv(format)
    resultats = filieres.suggerer(texte, limit=limit)
    if not resultats:
        raise FiliereInconnue(f"aucune filière ne correspond à « {texte} »")
    decision = filieres.normalize(texte) if texte.strip() else None
    if format is Format.json:
        objet = {
            "q": texte,
            "statut": decision.statut if decision else "inconnu",
            "filiere": decision.filiere.model_dump() if decision and decision.filiere else None,
            "resultats": [r.model_dump() for r in resultats],
        }
        sortir(format, (), [], objet)
        return
    lignes = [
        (i, r.filiere.code, r.filiere.libelle_court, f"{r.score:.1f}", r.motif, r.terme)
        for i, r in enumerate(resultats, start=1)
    ]
    sortie = console()
    entetes = ("Rang", "Code", "Filière", "Score", "Motif", "Terme")
    sortie.print(tableau(f"Filières pour « {texte} »", entetes, lignes))
    if decision is None:
        return
    if decision.filiere is not None:
        sortie.print(f"Filière retenue : {decision.filiere.libelle} ({decision.filiere.code})")
    elif decision.statut == "ambigu":
        sortie.print("Ambigu : aucune filière ne se détache ; précisez le texte.")
    else:
        sortie.print("Aucune filière reconnue avec assez de certitude.")


@groupe.command("normalize")
def normalize(
    fichier: Annotated[Path, typer.Argument(help="Fichier .csv, .txt, .tsv ou .xlsx à lire (jamais modifié).")],
    nom_colonne: Annotated[
        str,
        typer.Option(
            "--colonne", "-c", help="Colonne contenant la filière en texte libre (défaut : « Filière CMQ » d'Orion)."
        ),
    ] = "filiereCmq",
    sortie: Annotated[
        Path | None,
        typer.Option("--sortie", "-o", help="Fichier écrit (défaut : <nom>_filieres.<ext> à côté de l'entrée)."),
    ] = None,
    feuille: Annotated[str | None, typer.Option("--feuille", help="Feuille à lire d'un classeur .xlsx.")] = None,
) -> None:
    """Ajoute à chaque ligne filiere_code, filiere_score et filiere_statut, et écrit un nouveau fichier."""
    sortie = fichiers.sortie_distincte(fichier, sortie or fichiers.a_cote(fichier, "_filieres"))
    table = lire_tableau(fichier, feuille)
    source = colonne(table, nom_colonne)
    comptes: Counter[str] = Counter()
    lignes = []
    for ligne in table.lignes:
        texte = ligne[source]
        if texte.strip() and not est_remplissage(texte):
            decision = filieres.normalize(texte)
            code = decision.filiere.code if decision.filiere else ""
            ajout = (code, f"{decision.score:.1f}", decision.statut)
        else:
            ajout = ("", "", "vide")
        comptes[ajout[2]] += 1
        lignes.append({**ligne, **dict(zip(COLONNES_AJOUTEES, ajout, strict=True))})
    colonnes = [*table.colonnes, *(c for c in COLONNES_AJOUTEES if c not in table.colonnes)]
    ecrire_tableau(
        sortie, colonnes, lignes, separateur=table.separateur or ",", bom=table.encodage in ("utf-8-sig", "cp1252")
    )
    total = len(table.lignes)
    resume = [
        (libelle, comptes[statut], f"{100 * comptes[statut] / total:.1f} %" if total else "–")
        for statut, libelle in STATUTS.items()
    ]
    ecran = console()
    ecran.print(tableau(f"Colonne « {source} » : {total} lignes", ("Filières", "Lignes", "Part"), resume))
    ecran.print(f"Fichier écrit : {sortie}")


def _domaine_json(d: nsf.Domaine) -> dict[str, object]:
    filieres_ = [{"code": c, "libelle": filieres.get(c).libelle} for c in d.filieres]
    return {"code": d.code, "libelle": d.libelle, "filieres": filieres_, "justification": d.justification}


@groupe.command("nsf")
def domaines_nsf(
    code_ou_libelle: Annotated[
        str | None,
        typer.Argument(
            help="Code NSF à 3 chiffres (334) ou libellé du domaine, tel qu'Orion l'exporte "
            "(« Accueil, hôtellerie, tourisme ») ; absent : les 93 domaines."
        ),
    ] = None,
    format: FormatListe = Format.table,
) -> None:
    """Les filières qu'alimente un domaine de formation (groupe NSF), avec la raison du rattachement.

    Correspondance propre à cmq (aucune table officielle n'existe) : un domaine peut n'alimenter
    aucune filière, une ou plusieurs."""
    domaines = nsf.tous() if code_ou_libelle is None else (nsf.trouver(code_ou_libelle),)
    lignes = [(d.code, d.libelle, " | ".join(d.filieres) or "aucune", d.justification) for d in domaines]
    objets = [_domaine_json(d) for d in domaines] if code_ou_libelle is None else _domaine_json(domaines[0])
    titre = "Domaines de formation (NSF) et filières" if code_ou_libelle is None else f"NSF {domaines[0].code}"
    sortir(format, ("NSF", "Domaine", "Filières", "Justification"), lignes, objets, titre)


def enregistrer(app: typer.Typer) -> None:
    """Attach the `filieres` group to the root app."""
    app.add_typer(groupe, name="filieres")

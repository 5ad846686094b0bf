"""Every command of README's command table works as written: each one's `--help`, and those that
need neither the network nor an input file are run for real, in order, on a new SQLite base."""

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cmq.cli import app
from cmq.store import db

README = Path(__file__).resolve().parents[1] / "README.md"
runner = CliRunner()

# Commands of the table that reach a remote portal or serve forever: their help only.
DISTANTES = {("importer", "opendatasoft"), ("importer", "datagouv"), ("serve",)}


def commandes_du_readme() -> list[list[str]]:
    """The `cmq …` commands of the table of section « Ligne de commande », as argument lists
    (`csv\\|xlsx` gives one command for each choice)."""
    texte = README.read_text(encoding="utf-8")
    section = texte[texte.index("## Ligne de commande") :]
    section = section[: section.index("\n## ", 1)]
    commandes = []
    for ligne in section.splitlines():
        if not ligne.startswith("| ") or ligne.startswith(("| Besoin", "|---")):
            continue
        for code in re.findall(r"`(cmq [^`]+)`", ligne.split("|", 2)[2]):
            mots = shlex.split(code.replace("\\|", "|"))[1:]
            choix = next((i for i, mot in enumerate(mots) if "|" in mot and not mot.startswith("-")), None)
            if choix is None:
                commandes.append(mots)
            else:
                commandes += [[*mots[:choix], une, *mots[choix + 1 :]] for une in mots[choix].split("|")]
    return commandes


def chemin_de_commande(mots: list[str]) -> tuple[str, ...]:
    """The command path that `mots` runs (`campus liste` for `campus liste --filiere …`,
    `glossaire afficher` for the shortcut `glossaire cmq`)."""
    import typer

    groupe = typer.main.get_command(app)
    chemin: list[str] = []
    reste = list(mots)
    while hasattr(groupe, "resolve_command") and reste and not reste[0].startswith("-"):
        contexte = groupe.make_context(groupe.name or "cmq", [], resilient_parsing=True)
        nom, sous, reste = groupe.resolve_command(contexte, reste)
        if sous is None:
            break
        chemin.append(nom)
        groupe = sous
    return tuple(chemin)


def executable(mots: list[str]) -> bool:
    """Runs as written: no placeholder (FICHIER, ID, UAI…, `[…]`), no input file, no network."""
    if chemin_de_commande(mots) in DISTANTES:
        return False
    if any(re.fullmatch(r"[A-Z]+(\.\w+)?", m) or m.startswith("[") or "…" in m or m.endswith(".csv") for m in mots):
        return False
    return not (mots[0] == "restaurer" or mots[:2] == ["alias", "ajouter"])


COMMANDES = commandes_du_readme()


def test_la_table_du_readme_est_lue():
    assert ["init"] in COMMANDES
    assert ["importer", "csv", "FICHIER", "[--partiel]"] in COMMANDES
    assert ["importer", "xlsx", "FICHIER", "[--partiel]"] in COMMANDES
    assert ["serve", "[--hote", "127.0.0.1", "--port", "8000]"] in COMMANDES
    assert len(COMMANDES) >= 25


@pytest.mark.parametrize("mots", COMMANDES, ids=[" ".join(m) for m in COMMANDES])
def test_aide_de_chaque_commande(mots):
    chemin = chemin_de_commande(mots)
    assert chemin, mots
    resultat = runner.invoke(app, [*chemin, "--help"])
    assert resultat.exit_code == 0, resultat.output
    options = [m.strip("[]") for m in mots if m.strip("[").startswith("--")]
    for option in options:  # every option the README shows exists
        assert option in resultat.stdout, (option, resultat.stdout)


def test_commandes_executees_telles_quelles(tmp_path, monkeypatch):
    """In a folder of its own, on a new base (`cmq init` first, as in the table), then `cmq restaurer`
    of the backup into another new base."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CMQ_DATABASE_URL", f"sqlite:///{tmp_path / 'cmq.db'}")
    executees = []
    for mots in COMMANDES:
        if not executable(mots):
            continue
        resultat = runner.invoke(app, mots)
        assert resultat.exit_code == 0, (mots, resultat.output)
        executees.append(" ".join(mots))
    db.fermer_tout()
    assert executees[0] == "init" and "sauvegarder base.zip" in executees and "verifier uai 0312696M" in executees
    assert "indicateurs --echelle academie --code 10 --date 2025-09-01 --format xlsx -o ind.xlsx" in executees
    assert (tmp_path / "ind.xlsx").is_file() and (tmp_path / "campus.geojson").is_file()
    monkeypatch.setenv("CMQ_DATABASE_URL", f"sqlite:///{tmp_path / 'restauree.db'}")
    assert ["restaurer", "base.zip"] in COMMANDES
    resultat = runner.invoke(app, ["restaurer", "base.zip"])
    assert resultat.exit_code == 0, resultat.output
    db.fermer_tout()

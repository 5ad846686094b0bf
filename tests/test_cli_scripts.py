"""The command line as scripts use it: tab-separated tables off a terminal, help not cut, closed
pipes, nothing stray on stderr, start-up imports, and `cmq importer xlsx` of cmq's own exports."""

import fcntl
import json
import os
import pty
import re
import select
import sqlite3
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cmq.cli import app
from cmq.store import db
from tests.annuaire_exemple import remplir
from tests.postgres import empreinte_base

CMQ = Path(sys.executable).parent / "cmq"  # the installed console script, as a user runs it
runner = CliRunner()


def environnement(url: str | None = None, **variables: str) -> dict[str, str]:
    """The test's environment without terminal width hints, on the database `url`."""
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "TERMINAL_WIDTH", "FORCE_COLOR")}
    if url:
        env["CMQ_DATABASE_URL"] = url
    return env | variables


def shell(commande: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """`commande` run by bash with `set -o pipefail`, `cmq` being the installed script."""
    return subprocess.run(
        ["bash", "-o", "pipefail", "-c", commande.replace("cmq ", f"{CMQ} ")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def base(base_vide):
    """The example directory (4 campuses) in `base_vide`, on both databases."""
    remplir(base_vide)
    db.fermer_tout()
    return base_vide


@pytest.fixture(scope="module")
def exemple(tmp_path_factory):
    """The example directory in a SQLite file, for the tests of output only (read, never written)."""
    from cmq.store.schema import mettre_a_jour

    url = f"sqlite:///{tmp_path_factory.mktemp('exemple') / 'cmq.db'}"
    mettre_a_jour(url)
    remplir(url)
    db.fermer_tout()
    return url


# --- Closed pipes and stderr --------------------------------------------------------------------


@pytest.mark.parametrize(
    "commande",
    [
        "cmq campus liste | head -1",
        "cmq campus liste | true",  # the reader is gone before the first write
        "cmq campus liste --format json | true",
        "cmq campus liste --format csv | true",
        "cmq campus voir cmq-numerique-lyon | true",
        "cmq exporter etablissements | head -1",
        "cmq --help | true",
        "cmq campus --help | head -1",
    ],
)
def test_tube_ferme_code_0_et_rien_sur_stderr(exemple, commande):
    resultat = shell(commande, environnement(exemple))
    assert (resultat.returncode, resultat.stderr) == (0, "")
    if "head -1" in commande and "campus liste" in commande:
        assert resultat.stdout == "Identifiant\tNom\tFilière\tExcellence\tRégion acad.\tAcadémies\tSiège\tLabel\n"


@pytest.mark.parametrize("base_embarquee", ["sqlite"], indirect=True)
def test_grande_sortie_dans_un_tube_ferme(base_embarquee):
    """More than a pipe's buffer (64 kB) of output: the write itself meets the closed pipe."""
    resultat = shell("cmq exporter etablissements --format json | head -c 10", environnement(base_embarquee))
    assert (resultat.returncode, resultat.stderr, resultat.stdout) == (0, "", "[\n  {\n    ")


def test_aucune_ligne_parasite_sur_stderr(tmp_path):
    url = f"sqlite:///{tmp_path / 'neuve.db'}"
    for commande in ("init", "campus liste --limite 1", "imports", "filieres"):
        resultat = subprocess.run(
            [str(CMQ), *commande.split()], env=environnement(url), capture_output=True, text=True, timeout=300
        )
        assert (resultat.returncode, resultat.stderr) == (0, ""), commande
    db.fermer_tout()


# --- Tables off a terminal ------------------------------------------------------------------------


def test_tableau_dans_un_tube_en_lignes_completes(exemple):
    """No wrapping at 80 columns: one line per campus, ids whole, 8 tab-separated cells."""
    resultat = shell("cmq campus liste | cat", environnement(exemple))
    assert resultat.returncode == 0, resultat.stderr
    lignes = [ligne.split("\t") for ligne in resultat.stdout.splitlines()]
    assert [ligne[0] for ligne in lignes] == [
        "Identifiant",
        "cmq-aero-alpes",
        "cmq-chimie-rouen",
        "cmq-numerique-lyon",
        "cmq-tourisme-nice",
    ]
    assert {len(ligne) for ligne in lignes} == {8}
    assert lignes[2][1] == "Campus Chimie et Biotechnologies de Normandie"


def test_format_tsv_et_fiche_sans_tsv(base):
    r = runner.invoke(app, ["campus", "liste", "--format", "tsv", "--limite", "1"])
    assert r.stdout.splitlines()[1].split("\t")[:2] == ["cmq-aero-alpes", "Campus Aéronautique des Alpes"]
    avant = empreinte_base(base)
    r = runner.invoke(app, ["campus", "voir", "cmq-aero-alpes", "--format", "tsv"])
    assert r.exit_code == 1
    assert "Erreur : format tsv non disponible pour une fiche : utilisez table ou json" in r.stderr
    assert empreinte_base(base) == avant


def test_cellules_sur_une_ligne():
    from cmq.cli.sortie import ligne_tsv

    assert ligne_tsv(["a\tb", "c\nd", None, 3]) == "a b\tc d\t\t3"


def _dans_un_terminal(arguments: list[str], env: dict[str, str]) -> str:
    """Output of `cmq …` run with a pseudo-terminal as stdout (what a user sees)."""
    maitre, esclave = pty.openpty()
    fcntl.ioctl(esclave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 200, 0, 0))  # 200 columns
    processus = subprocess.Popen([str(CMQ), *arguments], stdout=esclave, stderr=subprocess.PIPE, env=env)
    os.close(esclave)
    morceaux = []
    while True:
        prets, _, _ = select.select([maitre], [], [], 60)
        if not prets:
            break
        try:
            morceau = os.read(maitre, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not morceau:
            break
        morceaux.append(morceau)
    os.close(maitre)
    assert processus.wait(timeout=60) == 0, processus.stderr.read()
    return re.sub(r"\x1b\[[0-9;]*m", "", b"".join(morceaux).decode())  # styles (bold…) removed


def test_tableau_encadre_sur_un_terminal(exemple):
    sortie = _dans_un_terminal(["campus", "liste"], environnement(exemple, NO_COLOR="1"))
    assert "Campus des métiers et des qualifications" in sortie  # title
    assert "┃ Identifiant " in sortie
    assert "│ cmq-numerique-lyon " in sortie
    assert "4 campus affiché(s) sur 4." in sortie  # footer
    assert "\t" not in sortie


# --- Help -------------------------------------------------------------------------------------------


def _commandes():
    """(path, click command) of every command of the CLI, groups included."""
    from cmq.cli.commandes import COMMANDES, commande

    a_voir = [((nom,), commande(nom)) for nom in COMMANDES]
    while a_voir:
        chemin, objet = a_voir.pop(0)
        yield chemin, objet
        a_voir += [((*chemin, nom), sous) for nom, sous in (getattr(objet, "commands", None) or {}).items()]


def test_aide_jamais_coupee_hors_terminal(monkeypatch):
    """Off a terminal (80 columns for rich), every option name is shown whole (`--region-academi…` was)."""
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.delenv("TERMINAL_WIDTH", raising=False)
    commandes = dict(_commandes())
    assert ("campus", "liste") in commandes and ("importer", "xlsx") in commandes
    for chemin, commande in commandes.items():
        r = runner.invoke(app, [*chemin, "--help"])
        assert r.exit_code == 0, chemin
        noms = [nom for p in commande.params for nom in (*p.opts, *p.secondary_opts) if nom.startswith("-")]
        for nom in noms:
            assert f"{nom} " in r.stdout, (chemin, nom, r.stdout)
    assert "--region-academique " in runner.invoke(app, ["campus", "liste", "--help"]).stdout


@pytest.mark.parametrize("arguments", [["--help"], []])
@pytest.mark.parametrize(
    "variables",
    [
        {},
        {"COLUMNS": "70"},
        {"COLUMNS": "40"},  # option help wrapped in its cell
        {"FORCE_COLOR": "1", "TERMINAL_WIDTH": "100"},
        {"FORCE_COLOR": "1", "TERMINAL_WIDTH": "45"},
    ],
)
def test_aide_racine_dessinee_comme_typer(monkeypatch, arguments, variables):
    """The root help screen, drawn without typer's rich help module (`aide_racine`), is the one
    typer draws: text, widths, styles."""
    import typer.rich_utils

    from cmq.cli import aide_racine

    for nom in ("COLUMNS", "TERMINAL_WIDTH", "FORCE_COLOR", "NO_COLOR"):
        monkeypatch.delenv(nom, raising=False)
    for nom, valeur in variables.items():
        monkeypatch.setenv(nom, valeur)
    # typer reads these two once, when its help module is imported
    monkeypatch.setattr(typer.rich_utils, "FORCE_TERMINAL", True if "FORCE_COLOR" in variables else None)
    monkeypatch.setattr(typer.rich_utils, "MAX_WIDTH", int(variables.get("TERMINAL_WIDTH", 0)) or None)
    rapide = runner.invoke(app, arguments)
    texte = re.sub(r"\x1b\[[0-9;]*m", "", rapide.stdout)
    assert "Utilisation :" in texte and "╭─ Commandes ─" in texte
    assert ("\x1b[" in rapide.stdout) == ("FORCE_COLOR" in variables)
    monkeypatch.setattr(aide_racine, "afficher", lambda groupe, ctx: False)  # typer draws it
    par_typer = runner.invoke(app, arguments)
    assert (rapide.stdout, rapide.exit_code) == (par_typer.stdout, par_typer.exit_code)


@pytest.mark.parametrize(
    "texte",
    ["--base", "-v", "--oui/--non", "x --long, -o y", "<int>", "<a>...", "[a|b]", "URL", "Usage: cmq", "a-b", ""],
)
def test_surlignage_comme_typer(texte):
    """The root screen's highlighters skip texts where none of their patterns can match: same
    highlighted spans as typer's."""
    import typer.rich_utils

    from cmq.cli import aide_racine

    for notre, celui_de_typer in (
        (aide_racine.surligner, typer.rich_utils.highlighter),
        (aide_racine.surligner_negatif, typer.rich_utils.negative_highlighter),
        (aide_racine.surligner_types, typer.rich_utils.types_highlighter),
    ):
        assert notre(texte).spans == celui_de_typer(texte).spans


def test_aide_racine_identique_sur_un_terminal():
    env = environnement()
    rapide = _dans_un_terminal(["--help"], env)
    par_typer = _dans_un_terminal(["campus", "--help"], env)  # typer's renderer, same terminal width
    assert "Utilisation : cmq [OPTIONS] COMMANDE [ARGUMENTS]..." in rapide
    largeur = {len(ligne) for ligne in rapide.splitlines() if ligne.startswith("╭")}
    assert largeur == {len(ligne) for ligne in par_typer.splitlines() if ligne.startswith("╭")} == {200}


def test_aide_racine_identique_sans_charger_les_commandes(monkeypatch):
    """The root help shows the one-line help stored in `commandes` exactly as the modules define it."""
    from cmq.cli import commandes

    rapide = runner.invoke(app, ["--help"]).stdout
    monkeypatch.setattr(commandes, "resume", commandes.commande)
    assert runner.invoke(app, ["--help"]).stdout == rapide


def _modules_importes(*arguments: str) -> set[str]:
    code = (
        "import sys\nfrom cmq.cli import app\n"
        f"try:\n    app({list(arguments)!r})\nexcept SystemExit:\n    pass\n"
        "print(' '.join(sorted(sys.modules)), file=sys.stderr)"
    )
    resultat = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    return set(resultat.stderr.split())


LOURDS = {"sqlalchemy", "polars", "fastapi", "numpy", "alembic", "openpyxl", "httpx", "rapidfuzz"}


@pytest.mark.parametrize("arguments", [["--help"], []])
def test_aide_n_importe_aucun_module_de_commande(arguments):
    """The root help screen is drawn without typer's rich help module, rich's Markdown or Pygments
    (`aide_racine`): their import cost as much as the whole of `cmq version`. Nor does it load rich's
    Unicode width table (a tenth of `cmq version`), which a single character outside Latin-1 and box
    drawing in a command's one-line help (an arrow "→") would bring in."""
    modules = _modules_importes(*arguments)
    assert "cmq.cli.aide_racine" in modules
    assert not modules & (LOURDS | {"pydantic", "cmq.cli.campus", "cmq.cli.serve", "cmq.cli.importer"})
    assert not modules & {"typer.rich_utils", "rich.markdown", "markdown_it", "pygments", "rich.syntax", "rich.columns"}
    assert not [m for m in modules if m.startswith("rich._unicode_data.unicode")]


def test_aide_d_une_commande_par_typer():
    assert "typer.rich_utils" in _modules_importes("campus", "--help")


def test_ramasse_miettes_regle_par_le_script_seul():
    """The console script collects cyclic garbage less often (`regler_ramasse_miettes`), the library
    imported by another program leaves the interpreter's default alone."""
    code = (
        "import atexit, gc, sys\n"
        "defaut = gc.get_threshold()\n"
        "import cmq.cli, cmq.resolve\n"
        "assert gc.get_threshold() == defaut, gc.get_threshold()\n"
        "atexit.register(lambda: print(gc.get_threshold()))\n"
        "cmq.cli.main()"
    )
    resultat = subprocess.run([sys.executable, "-c", code, "version"], capture_output=True, text=True, timeout=120)
    assert resultat.returncode == 0, resultat.stderr
    assert resultat.stdout.splitlines()[-1] == "(200000, 30, 30)"


def test_version_sans_pydantic_ni_aide_rich():
    modules = _modules_importes("version")
    assert not modules & (LOURDS | {"pydantic", "typer.rich_utils", "rich", "cmq.cli.commandes"})


def test_import_de_l_annuaire_sans_le_registre_des_jetons(tmp_path, fixtures_dir, monkeypatch):
    """`cmq --base URL importer annuaire` without a token loads neither the users' store nor Argon2
    (`cli.acteur`), nor platformdirs (the data folder is not needed): start-up of the import."""
    monkeypatch.delenv("CMQ_JETON", raising=False)
    fichier = fixtures_dir / "annuaire_education_extrait.csv"
    base = tmp_path / "cmq.db"
    modules = _modules_importes("--base", f"sqlite:///{base}", "importer", "annuaire", str(fichier))
    assert "cmq.importation.pipeline" in modules
    assert not modules & {"cmq.store.utilisateurs", "argon2", "platformdirs"}
    with sqlite3.connect(base) as connexion:  # the import did run
        assert connexion.execute("SELECT count(*) FROM etablissements").fetchone()[0] > 0


def test_erreurs_en_francais_dans_un_nouveau_processus():
    """typer's rich help module is adapted when it is first imported, i.e. in the error path."""
    resultat = subprocess.run(
        [str(CMQ), "campus", "liste", "--zzz"], env=environnement(), capture_output=True, text=True, timeout=120
    )
    assert resultat.returncode == 2
    assert "option inconnue : --zzz" in resultat.stderr and "Erreur" in resultat.stderr
    assert "No such option" not in resultat.stderr


# --- --base -------------------------------------------------------------------------------------------


def test_option_base_deux_ecritures(base, monkeypatch):
    monkeypatch.delenv("CMQ_DATABASE_URL")
    for arguments in (["--base", base], [f"--base={base}"]):
        r = runner.invoke(app, [*arguments, "campus", "liste", "--format", "json", "--limite", "1"])
        assert r.exit_code == 0, r.output
        assert [c["id"] for c in json.loads(r.stdout)] == ["cmq-aero-alpes"]
        assert "CMQ_DATABASE_URL" not in os.environ  # chosen for the run, the environment left alone
    r = runner.invoke(app, ["--base"])
    assert r.exit_code == 2 and "l'option « --base » attend une valeur." in r.stderr


# --- importer xlsx of cmq's own exports ----------------------------------------------------------------


def _exporter(url: str, quoi: str, chemin: Path, monkeypatch) -> None:
    monkeypatch.setenv("CMQ_DATABASE_URL", url)
    r = runner.invoke(app, ["exporter", quoi, "-o", str(chemin)])
    assert r.exit_code == 0, r.output
    db.fermer_tout()


def _json(url: str, quoi: str, monkeypatch) -> list[dict]:
    monkeypatch.setenv("CMQ_DATABASE_URL", url)
    r = runner.invoke(app, ["exporter", quoi, "--format", "json"])
    assert r.exit_code == 0, r.output
    db.fermer_tout()
    return json.loads(r.stdout)


def test_aller_retour_xlsx(genre_base, base, base_migree, tmp_path, monkeypatch):
    """Export campuses (sheets Campus and Membres) and establishments, import them into an empty
    database: same campuses, members and establishments."""
    _exporter(base, "campus", tmp_path / "campus.xlsx", monkeypatch)
    _exporter(base, "etablissements", tmp_path / "etablissements.xlsx", monkeypatch)
    cible = base_migree(genre_base)
    monkeypatch.setenv("CMQ_DATABASE_URL", cible)
    for arguments in (
        ["etablissements.xlsx"],  # one sheet, "Établissements": rows of establishments
        ["campus.xlsx"],  # sheets Campus and Membres: the Campus sheet
        ["campus.xlsx", "--type", "membres"],  # the Membres sheet
    ):
        r = runner.invoke(app, ["importer", "xlsx", str(tmp_path / arguments[0]), *arguments[1:]])
        assert r.exit_code == 0, r.output
        assert r.stdout.startswith("import réussi : "), r.stdout
        db.fermer_tout()
    for quoi in ("etablissements", "campus", "membres"):
        apres, avant = _json(cible, quoi, monkeypatch), _json(base, quoi, monkeypatch)
        assert len(apres) == len(avant), quoi
        for x, y in zip(apres, avant):
            if quoi == "membres" and y["libelle_role"] is None:  # hand-built example: an import names the role
                y = y | {"libelle_role": y["role"]}
            assert x == y, (quoi, {k: (x.get(k), y.get(k)) for k in x.keys() | y.keys() if x.get(k) != y.get(k)})


def test_classeur_sans_feuille_nommee_d_apres_une_table(base, tmp_path, monkeypatch):
    from openpyxl import Workbook

    classeur = Workbook()
    classeur.active.title = "Feuil1"
    classeur.active.append(["id", "nom"])
    classeur.create_sheet("Feuil2")
    chemin = tmp_path / "deux.xlsx"
    classeur.save(chemin)
    avant = empreinte_base(base)
    r = runner.invoke(app, ["importer", "xlsx", str(chemin)])
    assert r.exit_code == 1
    assert "Erreur : deux.xlsx contient 2 feuilles (Feuil1, Feuil2) : précisez laquelle lire avec --feuille" in r.stderr
    assert empreinte_base(base) == avant

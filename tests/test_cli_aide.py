"""The CLI help screens are in French."""

from typer.testing import CliRunner

from cmq.cli import app


def test_aide_racine_en_francais():
    resultat = CliRunner().invoke(app, ["--help"])
    assert resultat.exit_code == 0
    assert "Affiche cette aide et quitte." in resultat.output
    assert "Commandes" in resultat.output
    assert "Show this message" not in resultat.output


def test_aide_sous_commande_en_francais():
    resultat = CliRunner().invoke(app, ["campus", "--help"])
    assert resultat.exit_code == 0
    assert "Affiche cette aide et quitte." in resultat.output
    assert "Utilisation : cmq campus [OPTIONS] COMMANDE [ARGUMENTS]..." in resultat.output
    assert "Usage" not in resultat.output


def test_types_des_options_en_francais_et_drapeaux_sans_type():
    resultat = CliRunner().invoke(app, ["serve", "--help"])
    assert resultat.exit_code == 0
    lignes = {ligne.split()[1]: ligne for ligne in resultat.output.splitlines() if ligne.startswith("│ --")}
    assert "<entier>" in lignes["--port"] and "[0<=x<=65535]" in resultat.output
    assert "<texte>" in lignes["--hote"]
    assert "<" not in lignes["--help"]  # a flag takes no value
    assert not any(t in resultat.output for t in ("<int>", "<str>", "<bool>"))


def _erreur_usage(*arguments: str) -> str:
    resultat = CliRunner().invoke(app, list(arguments))
    assert resultat.exit_code == 2
    return " ".join(resultat.output.split())


def test_erreurs_d_usage_en_francais():
    assert "argument manquant : « id »" in _erreur_usage("campus", "voir")
    assert "option inconnue : --zzz" in _erreur_usage("campus", "liste", "--zzz")
    assert "valeur invalide pour « --limite » : nombre entier attendu" in _erreur_usage(
        "campus", "liste", "--limite", "abc"
    )
    assert "commande inconnue : « campuss ». Vouliez-vous dire 'campus' ?" in _erreur_usage("campuss")
    assert "argument(s) en trop : b" in _erreur_usage("campus", "voir", "a", "b")
    assert "valeur invalide pour « --port » : valeur au plus égale à 65535 attendue." in _erreur_usage(
        "serve", "--port", "70000"
    )
    assert "valeur invalide pour « --port » : valeur au moins égale à 0 attendue." in _erreur_usage(
        "serve", "--port", "-1"
    )
    assert "l'option « --avec-chiffres » ne prend pas de valeur." in _erreur_usage(
        "glossaire", "afficher", "cmq", "--avec-chiffres=1"
    )
    assert _erreur_usage("serve", "--port", "x").startswith("Utilisation : cmq serve [OPTIONS]")


def test_traduction_laisse_un_texte_inconnu_tel_quel():
    from cmq.cli.francais import traduire_erreur

    assert traduire_erreur("texte déjà en français") == "texte déjà en français"


def test_chaque_commande_annoncee_existe_dans_son_module():
    from cmq.cli.commandes import COMMANDES, commande

    for nom in COMMANDES:
        assert commande(nom) is not None, nom
        assert CliRunner().invoke(app, [nom, "--help"]).exit_code == 0, nom


def test_aide_racine_une_ligne_par_commande_sur_80_colonnes(monkeypatch):
    """On an 80-column terminal the root screen lists each command on one line: its one-line help,
    not its whole description (four commands took 4 to 6 lines, two broken in mid-line)."""
    from rich.text import Text

    from cmq.cli.commandes import COMMANDES

    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.delenv("TERMINAL_WIDTH", raising=False)
    sortie = CliRunner().invoke(app, ["--help"]).stdout
    lignes = sortie.split("╭─ Commandes ")[1].split("╰")[0].splitlines()[1:]
    assert [ligne.split()[1] for ligne in lignes] == ["version", *COMMANDES]
    for ligne, (_, resume) in zip(lignes[1:], COMMANDES.values(), strict=True):
        assert len(ligne) == 80 and f" {Text.from_markup(resume).plain} " in ligne


def test_resume_a_la_racine_description_entiere_dans_l_aide_de_la_commande():
    """The one-line help is the one `commandes` holds, whether the command's module is loaded or
    not; the command's own help screen still gives its whole description."""
    from cmq.cli.commandes import COMMANDES, commande

    for nom, (_, resume) in COMMANDES.items():
        assert commande(nom).short_help == resume, nom
    racine = " ".join(CliRunner().invoke(app, ["--help"]).stdout.split())
    for nom, extrait in (
        ("indicateurs", "un campus compte dans un territoire si son siège ou l'un de ses établissements membres"),
        ("qualite", "quels campus reposent sur un miroir, un agrégateur ou la presse"),
        ("serve", "l'initialise si besoin"),
    ):
        aide = " ".join(CliRunner().invoke(app, [nom, "--help"]).stdout.split())
        assert extrait in aide, nom
        assert extrait not in racine


def test_une_commande_ne_charge_que_son_module():
    """`cmq verifier` must not pay for numpy, SQLAlchemy or FastAPI (startup time)."""
    import subprocess
    import sys

    code = (
        "import sys; from typer.testing import CliRunner; from cmq.cli import app; "
        "r = CliRunner().invoke(app, ['verifier', 'uai', '0312696M']); "
        "print(r.exit_code, *(m in sys.modules for m in ('numpy', 'sqlalchemy', 'fastapi', 'cmq.resolve')))"
    )
    sortie = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert sortie.split() == ["0", "False", "False", "False", "False"]

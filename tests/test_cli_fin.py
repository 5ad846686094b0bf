"""How the `cmq` process ends (`cli.terminer`): without the interpreter's teardown, but with
everything a normal exit does that matters: exit status, the whole output, the database closed
(no SQLite WAL left beside the file), `atexit` handlers run."""

import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.test_cli_scripts import CMQ, environnement, shell


def lancer(*arguments: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([str(CMQ), *arguments], env=env, capture_output=True, text=True, timeout=120)


def test_ecriture_sqlite_fermee_sans_wal(tmp_path):
    """An import ends with its SQLite connections closed: the WAL is checkpointed into the file
    and removed, as at a normal exit, and another process reads every row."""
    fichier = tmp_path / "cmq.db"
    url = f"sqlite:///{fichier}"
    sortie = lancer("--base", url, "init", env=environnement())
    assert sortie.returncode == 0, sortie.stderr
    assert fichier.exists()
    assert not Path(f"{fichier}-wal").exists()
    assert not Path(f"{fichier}-shm").exists()
    with sqlite3.connect(fichier) as connexion:
        (nombre,) = connexion.execute("SELECT count(*) FROM campus").fetchone()
    assert nombre == 91  # the embedded campus directory (src/cmq/data/campus.csv)


def test_sortie_complete_dans_un_tuyau(tmp_path):
    """Large output piped to another process arrives whole (buffers flushed before the end)."""
    env = environnement()
    url = f"sqlite:///{tmp_path / 'cmq.db'}"
    assert lancer("--base", url, "init", env=env).returncode == 0
    direct = lancer("--base", url, "campus", "liste", env=env)
    assert direct.returncode == 0, direct.stderr
    lignes = direct.stdout.splitlines()
    assert len(lignes) == 92  # header + 91 campuses, tab-separated off a terminal
    compte = shell(f"cmq --base {url} campus liste | wc -l", env)
    assert compte.returncode == 0 and compte.stdout.strip() == "92"


@pytest.mark.parametrize(
    ("arguments", "statut", "message"),
    [
        (("version",), 0, None),
        (("commande-inexistante",), 2, "commande inconnue : « commande-inexistante »"),
        (("campus", "voir", "inexistant"), 1, "Erreur : campus inconnu"),
    ],
)
def test_statut_de_sortie(tmp_path, arguments, statut, message):
    """The exit status is the command's: 0, 2 for a usage error, 1 for a CmqError."""
    env = environnement()
    url = f"sqlite:///{tmp_path / 'cmq.db'}"
    assert lancer("--base", url, "init", env=env).returncode == 0
    sortie = lancer("--base", url, *arguments, env=env)
    assert sortie.returncode == statut, sortie.stderr
    if message:
        assert message in sortie.stderr
    else:
        assert sortie.stdout.strip()


def test_gestionnaires_atexit_executes(tmp_path):
    """`atexit` handlers registered during the run still run (temporary files, logging)."""
    trace = tmp_path / "atexit.txt"
    script = textwrap.dedent(f"""
        import atexit, sys
        from pathlib import Path
        atexit.register(lambda: Path({str(trace)!r}).write_text("fait"))
        sys.argv = ["cmq", "version"]
        from cmq.cli import main
        main()
        raise SystemExit("main() ne doit pas rendre la main")
    """)
    sortie = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert sortie.returncode == 0, sortie.stderr
    assert trace.read_text() == "fait"


def test_message_de_sortie_texte():
    """`terminer("message")` behaves as `sys.exit("message")`: message on stderr, status 1."""
    script = "from cmq.cli import terminer; terminer('arrêt demandé')"
    sortie = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, env=dict(os.environ)
    )
    assert sortie.returncode == 1
    assert sortie.stderr.strip() == "arrêt demandé"

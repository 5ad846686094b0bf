"""Start-up cost of the command line: `cmq version` and `cmq --help` against `python -c pass`.

Each command runs as a new process, round-robin (one of each in turn, so a load change on the
machine hits all three alike), `--repetitions` times after one warm-up run, which writes the .pyc
files as a user's first run does (`PYTHONDONTWRITEBYTECODE` is not passed on). Prints the best and
the median wall time of each, and its best CPU time (user + system of the child process, which
other processes on a busy machine disturb less), then the ratios the issue sets as targets from
the best wall times, the median wall times and the best CPU times:

- `cmq version` / `python -c pass` (target ≤ 15);
- `cmq --help` / `cmq version` (target ≤ 1.5).

Then what only the help pays, measured inside the process (best of `--repetitions`): loading rich
(`cmq.cli.aide_racine`), then reading the arguments and drawing the screen, and the ratio without
the second part (what no change to the drawing can go below).

    python bench/demarrage.py [--repetitions 30]
"""

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def commande_cmq() -> list[str]:
    """The installed `cmq` script beside this interpreter (as a user runs it), else the entry point."""
    script = Path(sys.executable).parent / "cmq"
    if script.exists():
        return [str(script)]
    trouve = shutil.which("cmq")
    if trouve:
        return [trouve]
    return [sys.executable, "-c", "from cmq.cli import main; main()"]


def _cpu_enfants() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def chronometrer(commande: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall time, CPU time) of one run, output discarded; the run must succeed."""
    cpu, debut = _cpu_enfants(), time.perf_counter()
    subprocess.run(commande, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - debut, _cpu_enfants() - cpu


# what only `cmq --help` pays, inside one process: rich's modules, then drawing the screen
PART_DE_L_AIDE = """
import os, sys, time
from cmq.cli import app, regler_ramasse_miettes
regler_ramasse_miettes()
debut = time.perf_counter()
import cmq.cli.aide_racine
rich = time.perf_counter()
sys.stdout = open(os.devnull, "w")
try:
    app(["--help"], prog_name="cmq")
except SystemExit:
    pass
print(rich - debut, time.perf_counter() - rich, file=sys.stderr)
"""


def part_de_l_aide(env: dict[str, str], repetitions: int) -> tuple[float, float]:
    """(import of rich's modules, drawing of the screen), best of `repetitions` new processes."""
    mesures = []
    for _ in range(repetitions):
        sortie = subprocess.run(
            [sys.executable, "-c", PART_DE_L_AIDE], env=env, capture_output=True, text=True, check=True
        )
        mesures.append([float(x) for x in sortie.stderr.split()])
    return min(m[0] for m in mesures), min(m[1] for m in mesures)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=30)
    args = parser.parse_args()
    cmq = commande_cmq()
    commandes = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "cmq version": [*cmq, "version"],
        "cmq --help": [*cmq, "--help"],
    }
    with tempfile.TemporaryDirectory() as dossier:
        # as on a user's machine, the warm-up writes the .pyc files of an editable install (some
        # machines set PYTHONDONTWRITEBYTECODE: every run would compile cmq's modules again)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {"CMQ_DATA_DIR": dossier}
        for commande in commandes.values():  # warm-up: file cache, .pyc files
            chronometrer(commande, env)
        murs: dict[str, list[float]] = {nom: [] for nom in commandes}
        cpus: dict[str, list[float]] = {nom: [] for nom in commandes}
        for _ in range(args.repetitions):
            for nom, commande in commandes.items():
                mur, cpu = chronometrer(commande, env)
                murs[nom].append(mur)
                cpus[nom].append(cpu)
        rich, dessin = part_de_l_aide(env, args.repetitions)
    mesures = {
        "meilleurs": {nom: min(t) for nom, t in murs.items()},
        "médianes": {nom: statistics.median(t) for nom, t in murs.items()},
        "CPU": {nom: min(t) for nom, t in cpus.items()},
    }
    print(f"{args.repetitions} exécutions de chaque commande ({' '.join(cmq)})")
    print(f"{'commande':<16} {'meilleur':>10} {'médiane':>10} {'CPU (meilleur)':>15}")
    for nom in commandes:
        valeurs = (mesures[m][nom] * 1000 for m in mesures)
        print(f"{nom:<16} " + " ".join(f"{v:>7.1f} ms" for v in valeurs))
    for titre, num, den, cible in (
        ("cmq version / python -c pass", "cmq version", "python -c pass", 15),
        ("cmq --help / cmq version", "cmq --help", "cmq version", 1.5),
    ):
        ratios = "  ".join(f"{m[num] / m[den]:5.2f}× ({nom})" for nom, m in mesures.items())
        print(f"{titre:<30} {ratios}  cible ≤ {cible}×")
    meilleurs = mesures["meilleurs"]
    print(
        f"ce que seule l'aide paie (meilleur de {args.repetitions}, dans le processus) : modules de rich "
        f"{rich * 1000:.1f} ms, lecture des arguments et dessin de l'écran {dessin * 1000:.1f} ms ; "
        f"sans cette seconde part, cmq --help / cmq version serait de "
        f"{(meilleurs['cmq --help'] - dessin) / meilleurs['cmq version']:.2f}×"
    )


if __name__ == "__main__":
    main()

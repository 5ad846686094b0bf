"""Load test of the REST API: N concurrent clients for D seconds against `cmq serve` on loopback,
each scenario next to a baseline measured in the same run.

Starts `cmq serve` (subprocess, access log off) on a temporary SQLite database, which it
initialises with the embedded data, and the baseline: a trivial FastAPI app returning a constant
JSON, served by the same uvicorn stack with the same options (`BASE_TRIVIALE`). Scenarios, one
after the other:

* référence — the trivial app (`GET /`): its requests per second are the denominator of the ratios.
  It is measured in turns with each scenario (`--tranches` turns: the reference, then the
  scenario, `--duree / --tranches` seconds each), and each scenario's ratio is to the reference
  measured in its turns: a shared machine's speed drifts within a minute (other tenants), and
  turns give both sides the same machine. Its line sums all its turns;
* filière search — `GET /api/filieres/recherche?q=…` with 1,000 varied texts (typed the way
  users write them: typos, synonyms, noise words; same generator as bench/filieres.py);
* campus — `GET /api/campus` (the first page of 50 campuses, 42 kB of JSON);
* resolution — `GET /api/resolution?nom=…`, every request a distinct misspelt campus name
  (one typo or two, shuffled words, a prefix: never the same text twice);
* indicators at new dates — `GET /api/indicateurs?echelle=academie&date=…`, every request a date
  never asked before (no response cache can help);
* indicators — `GET /api/indicateurs?echelle=academie` (all 30 académies, today);
* campus type-ahead — `GET /api/campus/suggestions?q=…&uai=…&filiere=…`: every prefix (from one
  letter) of words users type in Orion's "Nom CMQ" field, from establishments of six regions, with
  or without the filière, as a type-ahead calls it on every keystroke. About 70 distinct URLs,
  asked again and again as many users typing the same first letters would: after its first time,
  each is answered from memory (`cmq.api.cache.CacheURL`).

Each client sends its next request as soon as the previous answer arrives (closed loop,
keep-alive connection, a minimal HTTP/1.1 client on asyncio streams: httpx would take several
times more CPU per request away from the server). Prints p50/p95/p99 latency, requests per
second, the ratio to the trivial app and errors (any status other than 200, or a transport
error), then the targets (`CIBLES`). The clients run on the same machine as the server: the load
average printed before and after tells how busy it was.

    python bench/api.py [--duree 30] [--tranches 4] [--clients 50] [--scenarios campus,resolution,…]
"""

import argparse
import asyncio
import importlib.util
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote, urlsplit

import httpx

REFERENCE = "référence (app triviale)"
# Scenario -> (p95 bound in ms or None, least ratio to the trivial app's throughput or None).
CIBLES: dict[str, tuple[float | None, float | None]] = {
    REFERENCE: (None, None),
    "recherche de filière": (20.0, None),
    "campus (page de 50)": (None, 0.4),
    "résolution (noms distincts)": (None, 0.4),
    "indicateurs (dates neuves)": (None, 0.2),
    "indicateurs (académies)": (100.0, None),
    "suggestions de campus": (50.0, 0.4),
}
SAISIES = ("plasti campus", "aerocampus", "tourisme", "numerique", "mobicampus", "btp", "bois", "cmq aero", "gastro")
UAIS = ("0310036W", "0010034G", "0210015C", "0590111A", "0220023F", "0330021U", "")
FILIERES = ("", "Mobilité", "Tourisme, gastronomie", "Numérique, télécommunications")


def saisies_campus(graine: int) -> list[str]:
    """Type-ahead requests: every prefix of each text, from several establishments and filières."""
    alea = random.Random(graine)
    chemins = []
    for texte in SAISIES:
        for n in range(1, len(texte) + 1):
            uai, filiere = alea.choice(UAIS), alea.choice(FILIERES)
            chemins.append(f"/api/campus/suggestions?q={quote(texte[:n])}&uai={uai}&filiere={quote(filiere)}")
    return chemins


# The baseline: constant JSON on the same uvicorn stack (same options as `cmq serve --sans-journal`).
BASE_TRIVIALE = """
import sys, uvicorn
from fastapi import FastAPI
app = FastAPI()
@app.get("/")
async def racine():
    return {"statut": "ok", "version": "1"}
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=False, log_level="info")
"""


def charger_bench(nom: str):
    """The module bench/<nom>.py."""
    spec = importlib.util.spec_from_file_location(f"bench_{nom}", Path(__file__).with_name(f"{nom}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def textes_filieres(nombre: int, graine: int) -> list[str]:
    """Varied filière texts from bench/filieres.py's generator."""
    return [cas[0] for cas in charger_bench("filieres").jeu(nombre, graine)]  # (text, expected filière, …)


def port_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def attendre(processus: subprocess.Popen, adresse: str, chemin: str, journal: Path) -> None:
    """Wait until `adresse + chemin` answers 200 (120 s at most)."""
    limite = time.monotonic() + 120
    while time.monotonic() < limite:
        if processus.poll() is not None:
            raise SystemExit(f"le serveur s'est arrêté :\n{journal.read_text()}")
        try:
            if httpx.get(f"{adresse}{chemin}", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    processus.kill()
    raise SystemExit("le serveur n'a pas répondu dans les 120 s")


def demarrer_reference(dossier: Path) -> tuple[subprocess.Popen, str]:
    """The trivial FastAPI app on uvicorn; waits until it answers."""
    port = port_libre()
    journal = dossier / "reference.log"
    with open(journal, "w") as sortie:
        processus = subprocess.Popen(
            [sys.executable, "-c", BASE_TRIVIALE, str(port)], stdout=sortie, stderr=subprocess.STDOUT
        )
    adresse = f"http://127.0.0.1:{port}"
    attendre(processus, adresse, "/", journal)
    return processus, adresse


def demarrer_serveur(dossier: Path) -> tuple[subprocess.Popen, str]:
    """`cmq serve` on a fresh database in `dossier`; waits until it answers."""
    port = port_libre()
    base = f"sqlite:///{dossier / 'cmq.db'}"
    env = os.environ | {"CMQ_DATA_DIR": str(dossier / "donnees")}
    commande = [
        sys.executable,
        "-c",
        "from cmq.cli import main; main()",
        "serve",
        "--port",
        str(port),
        "--base",
        base,
        "--sans-journal",
    ]
    journal = dossier / "serve.log"
    with open(journal, "w") as sortie:
        processus = subprocess.Popen(commande, env=env, stdout=sortie, stderr=subprocess.STDOUT)
    adresse = f"http://127.0.0.1:{port}"
    attendre(processus, adresse, "/api/filieres", journal)
    return processus, adresse


async def client(
    hote: str,
    port: int,
    chemins: list[str] | Iterator[str],
    fin: float,
    graine: int,
    durees: list[float],
    erreurs: list[str],
) -> None:
    """One client: GET requests in a loop on its own keep-alive connection until `fin`.

    A minimal HTTP/1.1 client (request line, then status, headers and a Content-Length body):
    httpx costs several times more CPU per request, CPU taken from the server on a small machine.
    """
    alea = random.Random(graine)
    lecteur, ecrivain = await asyncio.open_connection(hote, port)
    try:
        while time.perf_counter() < fin:
            chemin = alea.choice(chemins) if isinstance(chemins, list) else next(chemins)
            debut = time.perf_counter()
            try:
                ecrivain.write(f"GET {chemin} HTTP/1.1\r\nHost: {hote}:{port}\r\n\r\n".encode())
                entete = await lecteur.readuntil(b"\r\n\r\n")
                statut = int(entete[9:12])
                taille = next(
                    (
                        int(ligne[15:])
                        for ligne in entete.lower().split(b"\r\n")
                        if ligne.startswith(b"content-length:")
                    ),
                    0,
                )
                await lecteur.readexactly(taille)
                if statut != 200:
                    erreurs.append(f"{statut} {chemin}")
            except (OSError, ValueError, asyncio.IncompleteReadError) as erreur:
                erreurs.append(f"{type(erreur).__name__} {chemin}")
                ecrivain.close()
                lecteur, ecrivain = await asyncio.open_connection(hote, port)
            durees.append(time.perf_counter() - debut)
    finally:
        ecrivain.close()


async def scenario(
    adresse: str, chemins: list[str] | Iterator[str], clients: int, duree: float
) -> tuple[list[float], list[str], float]:
    """Run the clients for `duree` s: random paths from a list, or the next path of one shared iterator
    (every request then distinct)."""
    durees: list[float] = []
    erreurs: list[str] = []
    debut = time.perf_counter()
    fin = debut + duree
    lien = urlsplit(adresse)
    await asyncio.gather(*(client(lien.hostname, lien.port, chemins, fin, i, durees, erreurs) for i in range(clients)))
    return durees, erreurs, time.perf_counter() - debut


Mesure = tuple[list[float], list[str], float]  # latencies, errors, seconds


def cumuler(total: Mesure, mesure: Mesure) -> Mesure:
    """Two measures as one: their latencies, their errors, their durations added."""
    return total[0] + mesure[0], total[1] + mesure[1], total[2] + mesure[2]


def charge() -> str:
    """Load average over 1, 5 and 15 minutes (other processes compete with the server and the clients)."""
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def centile(valeurs: list[float], p: float) -> float:
    return statistics.quantiles(valeurs, n=100, method="inclusive")[p - 1] if len(valeurs) > 1 else valeurs[0]


def rapport(nom: str, durees: list[float], erreurs: list[str], ecoule: float, reference: float | None) -> bool:
    """Print one scenario's line; True when its targets are met."""
    ms = [d * 1000 for d in durees]
    p50, p95, p99 = (centile(ms, p) for p in (50, 95, 99))
    debit = len(ms) / ecoule
    rapport_ = debit / reference if reference else 1.0
    borne, minimum = CIBLES[nom]
    conditions = []
    if borne is not None:
        conditions.append((f"p95 < {borne:.0f} ms", p95 < borne))
    if minimum is not None:
        conditions.append((f"≥ {minimum} × la référence", rapport_ >= minimum))
    conditions.append(("0 erreur", not erreurs))
    ok = all(c for _, c in conditions)
    cibles = " et ".join(libelle for libelle, _ in conditions)
    print(
        f"{nom:<30}{len(ms):>9,}{debit:>9,.0f}{rapport_:>8.2f}×{p50:>9.1f}{p95:>9.1f}{p99:>9.1f}{len(erreurs):>8}"
        f"   {cibles} : {'oui' if ok else 'NON'}"
    )
    for exemple in sorted(set(erreurs))[:5]:
        print(f"    erreur : {exemple}")
    return ok


def calcul_a_froid(adresse: str, nombre: int = 10) -> float:
    """Median latency (ms) of one indicator request at a date never asked before (no cache), alone."""
    mesures = []
    with httpx.Client(base_url=adresse, timeout=30) as session:
        for i in range(nombre):
            jour = f"{1950 + i}-03-{10 + i:02d}"
            debut = time.perf_counter()
            session.get(f"/api/indicateurs?echelle=academie&date={jour}").raise_for_status()
            mesures.append((time.perf_counter() - debut) * 1000)
    return statistics.median(mesures)


def noms_mal_ecrits(adresse: str, graine: int) -> Iterator[str]:
    """Endless distinct misspelt campus names (embedded directory): one or two typos, shuffled words,
    a prefix; never the same text twice."""
    coquille = charger_bench("filieres").coquille
    noms = [c["nom"] for c in httpx.get(f"{adresse}/api/campus?limite=500", timeout=30).json()["elements"]]
    alea = random.Random(graine)
    vus: set[str] = set()
    while True:
        mots = alea.choice(noms).split()
        for _ in range(alea.choice((1, 1, 2))):
            i = alea.randrange(len(mots))
            mots[i] = coquille(mots[i], alea)
        if alea.random() < 0.3:
            alea.shuffle(mots)
        texte = " ".join([alea.choice(("", "", "CMQ", "campus"))] + mots).strip()
        if texte not in vus:
            vus.add(texte)
            yield f"/api/resolution?nom={quote(texte)}"


def dates_neuves() -> Iterator[str]:
    """Indicator requests, each at a date never asked before (one day after the other from 1900)."""
    jour = date(1900, 1, 1)
    while True:
        yield f"/api/indicateurs?echelle=academie&date={jour.isoformat()}"
        jour += timedelta(days=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duree", type=float, default=30.0, help="secondes par scénario (défaut 30)")
    parser.add_argument("--clients", type=int, default=50, help="clients simultanés (défaut 50)")
    parser.add_argument("--tranches", type=int, default=4, help="tours référence puis scénario par scénario (défaut 4)")
    parser.add_argument("--graine", type=int, default=2025)
    parser.add_argument("--scenarios", default=",".join(CIBLES), help="scénarios à mesurer (la référence toujours)")
    args = parser.parse_args()
    demandes = {n.strip() for n in args.scenarios.split(",") if n.strip()}

    with tempfile.TemporaryDirectory(prefix="cmq-bench-") as dossier:
        processus, adresse = demarrer_serveur(Path(dossier))
        processus_reference, adresse_reference = demarrer_reference(Path(dossier))
        scenarios: dict[str, tuple[str, Callable[[], list[str] | Iterator[str]]]] = {
            "recherche de filière": (
                adresse,
                lambda: [f"/api/filieres/recherche?q={quote(t)}" for t in textes_filieres(1000, args.graine)],
            ),
            "campus (page de 50)": (adresse, lambda: ["/api/campus"]),
            "résolution (noms distincts)": (adresse, lambda: noms_mal_ecrits(adresse, args.graine)),
            "indicateurs (dates neuves)": (adresse, dates_neuves),
            "indicateurs (académies)": (adresse, lambda: ["/api/indicateurs?echelle=academie"]),
            "suggestions de campus": (adresse, lambda: saisies_campus(args.graine)),
        }
        try:
            print(
                f"serveur {adresse}, référence {adresse_reference} ; {args.clients} clients simultanés, "
                f"{args.duree:.0f} s par scénario et autant pour la référence, en {args.tranches} tours alternés, "
                f"{os.cpu_count()} cœurs partagés par les serveurs et les "
                f"clients ; charge {charge()}"
            )
            print(f"indicateurs calculés sans cache (une requête seule) : {calcul_a_froid(adresse):.1f} ms (médiane)")
            print(
                f"{'scénario':<30}{'requêtes':>9}{'req/s':>9}{'/réf.':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
                f"{'erreurs':>8}"
            )

            def mesurer_reference(clients: int, duree: float) -> Mesure:
                return asyncio.run(scenario(adresse_reference, ["/"], clients, duree))

            mesurer_reference(min(args.clients, 5), 1.0)  # warm-up
            tranche = args.duree / args.tranches
            lignes, tout_reference = [], ([], [], 0.0)
            for nom, (cible, chemins) in scenarios.items():
                if nom not in demandes:
                    continue
                flux = chemins()  # one iterator for the warm-up and the run: distinct paths stay distinct
                asyncio.run(scenario(cible, flux, min(args.clients, 5), 1.0))  # warm-up
                mesure, sa_reference = ([], [], 0.0), ([], [], 0.0)
                for _ in range(args.tranches):  # the reference, then the scenario, in turns
                    sa_reference = cumuler(sa_reference, mesurer_reference(args.clients, tranche))
                    mesure = cumuler(mesure, asyncio.run(scenario(cible, flux, args.clients, tranche)))
                tout_reference = cumuler(tout_reference, sa_reference)
                lignes.append((nom, mesure, len(sa_reference[0]) / sa_reference[2]))
            if not lignes:  # the reference alone
                tout_reference = mesurer_reference(args.clients, args.duree)
            resultats = [rapport(REFERENCE, *tout_reference, None)]
            resultats += [rapport(nom, *mesure, debit) for nom, mesure, debit in lignes]
            print(f"charge de la machine à la fin : {charge()}")
        finally:
            for p in (processus, processus_reference):
                p.terminate()
                p.wait(timeout=30)
    sys.exit(0 if all(resultats) else 1)


if __name__ == "__main__":
    main()

"""Load test of the REST API: N concurrent clients for D seconds against `cmq serve` on loopback.

Starts `cmq serve` (subprocess, access log off) on a temporary SQLite database, which it
initialises with the embedded data, then runs two scenarios one after the other:

* filière search — `GET /api/filieres/recherche?q=…` with 1,000 varied texts (typed the way
  users write them: typos, synonyms, noise words; same generator as bench/filieres.py);
* indicators — `GET /api/indicateurs?echelle=academie` (all 30 académies, today);
* campus type-ahead — `GET /api/campus/suggestions?q=…&uai=…&filiere=…`: every prefix (from one
  letter) of words users type in Orion's "Nom CMQ" field, from establishments of six regions, with
  or without the filière, as a type-ahead calls it on every keystroke.

Each client sends its next request as soon as the previous answer arrives (closed loop,
keep-alive connection, a minimal HTTP/1.1 client on asyncio streams: httpx would take several
times more CPU per request away from the server). Prints p50/p95/p99 latency, requests per
second and errors (any status other than 200, or a transport error), then the targets: p95 <
20 ms (search), < 100 ms (indicators) and < 50 ms (type-ahead), 0 errors, and the type-ahead's p95
as a ratio of the filière search's, measured in the same run. The clients run on the same machine as the
server: the load average printed before and after tells how busy it was. Indicator answers are
served from the API's cache after the first request; the uncached cost of one computation is
printed first.

    python bench/api.py [--duree 30] [--clients 50] [--serveur http://127.0.0.1:8000]
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
from pathlib import Path
from urllib.parse import quote, urlsplit

import httpx

CIBLES_MS = {"recherche de filière": 20.0, "indicateurs (académies)": 100.0, "suggestions de campus": 50.0}
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


def textes_filieres(nombre: int, graine: int) -> list[str]:
    """Varied filière texts from bench/filieres.py's generator."""
    chemin = Path(__file__).with_name("filieres.py")
    spec = importlib.util.spec_from_file_location("bench_filieres", chemin)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return [cas[0] for cas in module.jeu(nombre, graine)]  # (text, expected filière, …)


def port_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
    limite = time.monotonic() + 120
    while time.monotonic() < limite:
        if processus.poll() is not None:
            raise SystemExit(f"cmq serve s'est arrêté :\n{journal.read_text()}")
        try:
            if httpx.get(f"{adresse}/api/filieres", timeout=1).status_code == 200:
                return processus, adresse
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    processus.kill()
    raise SystemExit("cmq serve n'a pas répondu dans les 120 s")


async def client(
    hote: str, port: int, chemins: list[str], fin: float, graine: int, durees: list[float], erreurs: list[str]
) -> None:
    """One client: GET requests in a loop on its own keep-alive connection until `fin`.

    A minimal HTTP/1.1 client (request line, then status, headers and a Content-Length body):
    httpx costs several times more CPU per request, CPU taken from the server on a small machine.
    """
    alea = random.Random(graine)
    lecteur, ecrivain = await asyncio.open_connection(hote, port)
    try:
        while time.perf_counter() < fin:
            chemin = alea.choice(chemins)
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
    adresse: str, chemins: list[str], clients: int, duree: float
) -> tuple[list[float], list[str], float]:
    durees: list[float] = []
    erreurs: list[str] = []
    debut = time.perf_counter()
    fin = debut + duree
    lien = urlsplit(adresse)
    await asyncio.gather(*(client(lien.hostname, lien.port, chemins, fin, i, durees, erreurs) for i in range(clients)))
    return durees, erreurs, time.perf_counter() - debut


def charge() -> str:
    """Load average over 1, 5 and 15 minutes (other processes compete with the server and the clients)."""
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def centile(valeurs: list[float], p: float) -> float:
    return statistics.quantiles(valeurs, n=100, method="inclusive")[p - 1] if len(valeurs) > 1 else valeurs[0]


def rapport(nom: str, durees: list[float], erreurs: list[str], ecoule: float) -> bool:
    ms = [d * 1000 for d in durees]
    p50, p95, p99 = (centile(ms, p) for p in (50, 95, 99))
    cible = CIBLES_MS[nom]
    ok = p95 < cible and not erreurs
    P95[nom] = p95
    print(
        f"{nom:<26}{len(ms):>9,}{len(ms) / ecoule:>9,.0f}{p50:>9.1f}{p95:>9.1f}{p99:>9.1f}{len(erreurs):>8}"
        f"   p95 < {cible:.0f} ms et 0 erreur : {'oui' if ok else 'NON'}"
    )
    for exemple in sorted(set(erreurs))[:5]:
        print(f"    erreur : {exemple}")
    return ok


P95: dict[str, float] = {}


def calcul_a_froid(adresse: str, nombre: int = 10) -> float:
    """Median latency (ms) of one indicator request at a date never asked before (no cache), alone."""
    mesures = []
    with httpx.Client(base_url=adresse, timeout=30) as session:
        for i in range(nombre):
            jour = f"{2000 + i}-03-{10 + i:02d}"
            debut = time.perf_counter()
            session.get(f"/api/indicateurs?echelle=academie&date={jour}").raise_for_status()
            mesures.append((time.perf_counter() - debut) * 1000)
    return statistics.median(mesures)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duree", type=float, default=30.0, help="secondes par scénario (défaut 30)")
    parser.add_argument("--clients", type=int, default=50, help="clients simultanés (défaut 50)")
    parser.add_argument("--serveur", help="adresse d'un serveur déjà lancé (sinon cmq serve est démarré)")
    parser.add_argument("--graine", type=int, default=2025)
    args = parser.parse_args()

    requetes = [f"/api/filieres/recherche?q={quote(t)}" for t in textes_filieres(1000, args.graine)]
    scenarios = {
        "recherche de filière": requetes,
        "indicateurs (académies)": ["/api/indicateurs?echelle=academie"],
        "suggestions de campus": saisies_campus(args.graine),
    }
    with tempfile.TemporaryDirectory(prefix="cmq-bench-") as dossier:
        processus = None
        adresse = args.serveur
        if adresse is None:
            processus, adresse = demarrer_serveur(Path(dossier))
        try:
            print(
                f"serveur {adresse} ; {args.clients} clients simultanés, {args.duree:.0f} s par scénario, "
                f"{os.cpu_count()} cœurs partagés par le serveur et les clients ; charge {charge()}"
            )
            print(f"indicateurs calculés sans cache (une requête seule) : {calcul_a_froid(adresse):.1f} ms (médiane)")
            print(f"{'scénario':<26}{'requêtes':>9}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'erreurs':>8}")
            resultats = []
            for nom, chemins in scenarios.items():
                asyncio.run(scenario(adresse, chemins[:50], min(args.clients, 5), 1.0))  # warm-up
                durees, erreurs, ecoule = asyncio.run(scenario(adresse, chemins, args.clients, args.duree))
                resultats.append(rapport(nom, durees, erreurs, ecoule))
            rapport_p95 = P95["suggestions de campus"] / P95["recherche de filière"]
            print(f"suggestions de campus / recherche de filière (p95, même exécution) : × {rapport_p95:.1f}")
            print(f"charge de la machine à la fin : {charge()}")
        finally:
            if processus is not None:
                processus.terminate()
                processus.wait(timeout=30)
    sys.exit(0 if all(resultats) else 1)


if __name__ == "__main__":
    main()

"""Benchmark of `cmq.indicateurs`: the full table (France, 18 régions académiques, 30 académies,
101 départements × 12 filières) at one date, against a naive loop over the territories.

Builds a synthetic directory in a new SQLite file (or the empty migrated database `--url`), fixed
seed: 65,000 establishments (real département/académie/région codes, ~12 % lycées), 200 campuses
(label dates between 2014 and 2027, some ended), 10,000 memberships (mostly in the campus's
région académique). Then, in the same process and on the same data:

* `indicateurs.calculer` for the 150 territories (four queries, aggregation in Python);
* the public `indicateurs.indicateurs_toutes_echelles`: its first call builds the in-memory
  snapshot (the same queries, every date), later calls at dates never asked before read it;
* the naive loop: per territory, `lecture.lister_campus` filtered by the territory, the members of
  each of its campuses (`lecture.membres`) and its establishments (`lecture.lister_etablissements`).

Both must give the same rows. Target: < 0.5 s for the full table.

    python bench/indicateurs.py [--etablissements 65000] [--campus 200] [--membres 10000]
                                [--graine 2025] [--date 2025-09-01] [--repetitions 5] [--url URL]
                                [--bases sqlite,postgresql] [--sans-naif]

`--bases sqlite,postgresql` builds the same directory in both databases (PostgreSQL: a temporary
server, `bench/bases.py`), times both and prints them side by side; all must give the same rows.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from bases import AIDE, Bases, analyser, cote_a_cote  # bench/bases.py
from sqlalchemy import insert
from sqlalchemy.engine import make_url

from cmq import codes, filieres, indicateurs, territoires
from cmq.indicateurs import LigneIndicateurs
from cmq.store import db, lecture, schema
from cmq.store.tables import (
    CampusAcademieTable,
    CampusTable,
    EtablissementTable,
    MembreTable,
)

CIBLE_S = 0.5
TYPES = (
    ["École"] * 50
    + ["Collège"] * 25
    + ["LP", "LGT", "LPO", "Lycée", "lycée agricole"] * 2
    + ["SEP", "CFA", "EREA", "Médico-social", "Information et orientation"]
)
NOMS_FILTRES = {"region_academique": "region_academique", "academie": "academie", "departement": "departement"}


PREFIXES_LIBRES = range(990, 1000)  # 3-digit prefixes of no département: room for overflow numbers


def numeros_uai():
    """A function giving distinct 7-digit UAI numbers, the 3 first digits being the département's.

    A département has 9,999 numbers (prefix + 4 digits); past them, numbers come from prefixes no
    département uses (990–999), never a 5-digit running number (an 8-digit UAI, 9 with its letter).
    """
    rangs: Counter = Counter()
    debordement = iter(range(PREFIXES_LIBRES.start * 10_000, PREFIXES_LIBRES.stop * 10_000))

    def suivant(departement: str) -> str:
        rangs[departement] += 1
        if rangs[departement] <= 9_999:
            prefixe = {"2A": "620", "2B": "720"}.get(departement, departement.zfill(3))
            return f"{prefixe}{rangs[departement]:04d}"
        try:
            return f"{next(debordement):07d}"
        except StopIteration:
            raise SystemExit("trop d'établissements pour des UAI distincts à 7 chiffres") from None

    return suivant


def generer(url: str, n_etab: int, n_campus: int, n_membres: int, graine: int) -> None:
    """Insert the synthetic directory into the migrated, empty database `url`."""
    alea = random.Random(graine)
    deps = territoires.departements()
    etablissements, par_region = [], {}
    numeros = numeros_uai()
    for i in range(n_etab):
        d = alea.choice(deps)
        chiffres = numeros(d.code)
        uai = chiffres + codes.lettre_uai(chiffres)
        etablissements.append(
            dict(
                uai=uai,
                nom=f"Établissement {i}",
                type=alea.choice(TYPES),
                departement=d.code,
                academie=d.academie,
                region_academique=d.region_academique,
                latitude=round(alea.uniform(42, 51), 4),
                longitude=round(alea.uniform(-4, 8), 4),
            )
        )
    for e in etablissements:
        par_region.setdefault(e["region_academique"], []).append(e["uai"])
    campus, academies = [], []
    for i in range(n_campus):
        d = alea.choice(deps)
        debut = date(alea.randint(2014, 2027), alea.choice((1, 9)), 1)
        fin = date(debut.year + alea.randint(3, 6), 12, 31) if alea.random() < 0.3 else None
        campus.append(
            dict(
                id=f"cmq-{i:03d}",
                nom=f"Campus {i}",
                filiere=alea.choice(filieres.codes()),
                excellence=alea.choice((True, False, None)),
                region_academique=d.region_academique,
                code_commune_siege=f"{d.code}{alea.randint(1, 999):03d}"
                if len(d.code) == 2
                else f"{d.code}{alea.randint(1, 99):02d}",
                date_debut_label=debut if alea.random() < 0.9 else None,
                date_fin_label=fin,
            )
        )
        academies.append(dict(campus_id=f"cmq-{i:03d}", academie=d.academie))
        if alea.random() < 0.1:  # a few campuses span a second académie of their région
            autres = territoires.region_academique(d.region_academique).academies
            academies.append(dict(campus_id=f"cmq-{i:03d}", academie=alea.choice(autres)))
    academies = list({(a["campus_id"], a["academie"]): a for a in academies}.values())
    membres = {}
    tous = [e["uai"] for e in etablissements]
    while len(membres) < n_membres:
        c = alea.choice(campus)
        uai = alea.choice(par_region[c["region_academique"]] if alea.random() < 0.85 else tous)
        membres[(c["id"], uai)] = dict(campus_id=c["id"], uai=uai, role="membre")
    with db.moteur(url).begin() as connexion:
        connexion.execute(insert(EtablissementTable), etablissements)
        connexion.execute(insert(CampusTable), campus)
        connexion.execute(insert(CampusAcademieTable), academies)
        connexion.execute(insert(MembreTable), list(membres.values()))


def naif(s, jour: date) -> list[LigneIndicateurs]:
    """Per territory: its campuses, their members, its establishments — one set of queries each."""
    lignes = []
    for t in indicateurs.tous_les_territoires():
        filtre = {NOMS_FILTRES[t.echelle]: t.code} if t.echelle != "france" else {}
        campus, _ = lecture.lister_campus(s, actif_le=jour, **filtre)
        membres, lycees_membres = set(), set()
        for c in campus:
            for m, e in lecture.membres(s, c.id):
                if t.echelle == "france" or (e is not None and getattr(e, t.echelle) == t.code):
                    membres.add(m.uai)
                    if e is not None and indicateurs.est_lycee(e.type):
                        lycees_membres.add(m.uai)
        etablissements, _ = lecture.lister_etablissements(s, **filtre)
        nb_lycees = sum(indicateurs.est_lycee(e.type) for e in etablissements)
        par_filiere = Counter(c.filiere for c in campus)
        nb_exc = sum(bool(c.excellence) for c in campus)
        lignes.append(
            LigneIndicateurs(
                echelle=t.echelle,
                code=t.code,
                nom=t.nom,
                date=jour,
                nb_campus=len(campus),
                nb_excellence=nb_exc,
                part_excellence=round(nb_exc / len(campus), 4) if campus else None,
                filieres={f: par_filiere.get(f, 0) for f in filieres.codes()},
                nb_etablissements_membres=len(membres),
                nb_lycees=nb_lycees,
                nb_lycees_membres=len(lycees_membres),
                couverture_lycees=round(len(lycees_membres) / nb_lycees, 4) if nb_lycees else None,
                campus_ids=[c.id for c in campus],
            )
        )
    return lignes


def chrono(fonction, repetitions: int):
    """(result, first duration, best duration) of `repetitions` calls."""
    durees, resultat = [], None
    for _ in range(repetitions):
        debut = time.perf_counter()
        resultat = fonction()
        durees.append(time.perf_counter() - debut)
    return resultat, durees[0], min(durees)


def mesurer(url: str, args) -> dict:
    """Migrate `url`, fill it, time both methods on it; prints the generation line."""
    schema.mettre_a_jour(url)
    debut = time.perf_counter()
    generer(url, args.etablissements, args.campus, args.membres, args.graine)
    print(
        f"base {db.url_affichable(url)} : {args.etablissements:,} établissements, {args.campus} campus, "
        f"{args.membres:,} adhésions générés en {time.perf_counter() - debut:.1f} s"
    )
    demandes = indicateurs.tous_les_territoires()
    with db.session(url) as s:
        rapide, premier, meilleur = chrono(lambda: indicateurs.calculer(s, args.date, demandes), args.repetitions)
    lent, premier_naif = rapide, float("nan")
    if not args.sans_naif:
        with db.session(url) as s:
            lent, premier_naif, _ = chrono(lambda: naif(s, args.date), 1)
    # The public function: its in-memory snapshot built by the first call (after any write), then
    # dates never asked before answered from it.
    indicateurs.vider_instantanes()
    public, premier_public, _ = chrono(lambda: indicateurs.indicateurs_toutes_echelles(args.date, url=url), 1)
    jours = iter(args.date + timedelta(days=i) for i in range(1, 10_000))
    _, _, meilleur_public = chrono(lambda: indicateurs.indicateurs_toutes_echelles(next(jours), url=url), 20)
    return {
        "rapide": rapide,
        "lent": lent,
        "public": public,
        "premier": premier,
        "meilleur": meilleur,
        "premier_naif": premier_naif,
        "premier_public": premier_public,
        "meilleur_public": meilleur_public,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--etablissements", type=int, default=65_000)
    parser.add_argument("--campus", type=int, default=200)
    parser.add_argument("--membres", type=int, default=10_000)
    parser.add_argument("--graine", type=int, default=2025)
    parser.add_argument("--date", type=date.fromisoformat, default=date(2025, 9, 1))
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument(
        "--url", help="base migrée vide (défaut : nouveau fichier SQLite temporaire) ; remplace --bases"
    )
    parser.add_argument("--bases", default="sqlite", help=AIDE)
    parser.add_argument(
        "--sans-naif", action="store_true", help="sans la boucle naïve (des minutes à 1 000 000 d'établissements)"
    )
    args = parser.parse_args()
    try:
        genres = [make_url(db.normaliser_url(args.url)).get_backend_name()] if args.url else analyser(args.bases)
    except ValueError as erreur:
        parser.error(str(erreur))
    mesures = {}
    with tempfile.TemporaryDirectory() as dossier, Bases([] if args.url else genres, Path(dossier)) as bases:
        for genre in genres:
            mesures[genre] = mesurer(args.url or bases.nouvelle(genre), args)
            db.fermer_tout()
    rapide = mesures[genres[0]]["rapide"]
    print(
        f"table complète au {args.date} : {len(rapide)} territoires × {len(filieres.codes())} filières, "
        f"{sum(l.nb_campus for l in rapide if l.echelle == 'france')} campus valides"
    )
    cote_a_cote(
        ["secondes"],
        [
            ("cmq.indicateurs (1re mesure)", {g: [f"{m['premier']:.3f}"] for g, m in mesures.items()}),
            (
                f"cmq.indicateurs (meilleure de {args.repetitions})",
                {g: [f"{m['meilleur']:.3f}"] for g, m in mesures.items()},
            ),
            ("boucle naïve par territoire", {g: [f"{m['premier_naif']:.3f}"] for g, m in mesures.items()}),
            (
                "indicateurs_toutes_echelles (instantané construit)",
                {g: [f"{m['premier_public']:.3f}"] for g, m in mesures.items()},
            ),
            (
                "indicateurs_toutes_echelles (date neuve, meilleure de 20)",
                {g: [f"{m['meilleur_public']:.4f}"] for g, m in mesures.items()},
            ),
            (
                "rapport boucle naïve / cmq.indicateurs",
                {g: [f"{m['premier_naif'] / m['premier']:.0f} ×"] for g, m in mesures.items()},
            ),
        ],
        genres,
    )
    ecarts = []
    for genre, m in mesures.items():
        identiques = m["rapide"] == m["lent"] == m["public"] == rapide  # every method and base: the same rows
        print(
            f"{genre} : cible < {CIBLE_S} s : calcul SQL {'atteinte' if m['premier'] < CIBLE_S else 'MANQUÉE'}, "
            f"instantané à construire {'atteinte' if m['premier_public'] < CIBLE_S else 'MANQUÉE'}, "
            f"instantané construit (date neuve) {'atteinte' if m['meilleur_public'] < CIBLE_S else 'MANQUÉE'} ; "
            f"résultats identiques : {'oui' if identiques else 'NON'}"
        )
        if not identiques:
            ecarts += [(genre, a.echelle, a.code) for a, b in zip(m["rapide"], m["lent"], strict=True) if a != b]
            ecarts += [(genre, a.echelle, a.code) for a, b in zip(m["rapide"], rapide, strict=True) if a != b]
    if ecarts:
        raise SystemExit(f"écarts entre les méthodes ou les bases : {ecarts[:10]}")


if __name__ == "__main__":
    main()

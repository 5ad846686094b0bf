"""Benchmark of `cmq.indicateurs`: the full table (France, 18 régions académiques, 30 académies,
101 départements × 12 filières) at one date, against a naive loop over the territories and
against the code before revision 0003_index_types, in the same run.

Builds a synthetic directory in a new SQLite file (or the empty migrated database `--url`), fixed
seed: 65,000 establishments (real département/académie/région codes, ~12 % lycées), 200 campuses
(label dates between 2014 and 2027, some ended), 10,000 memberships (mostly in the campus's
région académique). Then, in the same process and on the same data:

* the baseline (« avant 0003 »): the code before revision 0003_index_types — the index (type,
  département, académie, région académique) dropped, the lycées counted by grouping the whole
  table on four columns, the members' establishments read through a plain join (PostgreSQL
  hashes it, scanning the whole directory); the index is then created again and the same
  measures are taken with the current code;
* `indicateurs.calculer` for the 150 territories (five queries, aggregation in Python);
* the public `indicateurs.indicateurs_toutes_echelles` (CLI `cmq indicateurs`, `/api/indicateurs`):
  - cold: its first call in a new process (the in-memory snapshot to build), and its first call
    after a write — a one-row import through the import pipeline (a new lycée in the Rhône),
    which changes the data version: the snapshot is rebuilt, and must give `calculer`'s rows;
  - warm: dates never asked before, answered from the built snapshot (best of 20);
* the naive loop: per territory, `lecture.lister_campus` filtered by the territory, the members of
  each of its campuses (`lecture.membres`) and its establishments (`lecture.lister_etablissements`).

All must give the same rows. Target: < 0.5 s for the full table, cold and warm.

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
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

from bases import AIDE, Bases, analyser, cote_a_cote  # bench/bases.py
from sqlalchemy import func, insert, select
from sqlalchemy.engine import make_url

from cmq import codes, filieres, indicateurs, territoires
from cmq.importation.pipeline import importer_lignes
from cmq.indicateurs import LigneIndicateurs
from cmq.store import db, lecture, schema
from cmq.store.tables import (
    INDEX_TYPES,
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
        membres, lycees_membres, connus = set(), set(), 0
        for c in campus:
            ses_membres = lecture.membres(s, c.id)
            connus += bool(ses_membres or lecture.membres_nommes(s, c.id))  # member data known
            for m, e in ses_membres:
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
                nb_campus_membres_connus=connus,
                nb_campus_sans_date_debut=sum(c.date_debut_label is None for c in campus),
                nb_etablissements_membres=len(membres),
                nb_lycees=nb_lycees,
                nb_lycees_membres=len(lycees_membres),
                # no coverage figure for campuses none of which has known members
                couverture_lycees=round(len(lycees_membres) / nb_lycees, 4)
                if nb_lycees and not (campus and not connus)
                else None,
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


# --- Baseline: the code before revision 0003_index_types -----------------------------------------


def lycees_par_territoire_0002(s) -> dict[str, Counter]:
    """`indicateurs.lycees_par_territoire` before 0003_index_types: the whole table grouped by
    (type, département, académie, région académique), lycée types kept in Python."""
    E = EtablissementTable
    comptes: dict[str, Counter] = {echelle: Counter() for echelle in territoires.ECHELLES}
    requete = select(E.type, E.departement, E.academie, E.region_academique, func.count()).group_by(
        E.type, E.departement, E.academie, E.region_academique
    )
    for type_, dep, acad, region, nombre in s.execute(requete):
        if indicateurs.est_lycee(type_):
            for echelle, code in (
                ("france", "FR"),
                ("region_academique", region),
                ("academie", acad),
                ("departement", dep),
            ):
                if code is not None:
                    comptes[echelle][code] += nombre
    return comptes


def membres_et_lieux_0002(s):
    """`indicateurs.membres_et_lieux` before 0003_index_types: a plain outer join on both databases."""
    E, M = EtablissementTable, MembreTable
    return select(M.campus_id, M.uai, E.type, E.departement, E.academie, E.region_academique).outerjoin(
        E, E.uai == M.uai
    )


@contextmanager
def code_0002(url: str):
    """The schema and the code before 0003_index_types (index dropped, lycées counted by grouping
    the whole table, members' establishments by a plain join); the index created again and the
    current code put back at the end (the creation time is printed)."""
    (index,) = (i for i in EtablissementTable.__table__.indexes if i.name == INDEX_TYPES)
    with db.moteur(url).begin() as connexion:
        index.drop(connexion)
    actuels = indicateurs.lycees_par_territoire, indicateurs.membres_et_lieux
    indicateurs.lycees_par_territoire, indicateurs.membres_et_lieux = lycees_par_territoire_0002, membres_et_lieux_0002
    try:
        yield
    finally:
        indicateurs.lycees_par_territoire, indicateurs.membres_et_lieux = actuels
        debut = time.perf_counter()
        with db.moteur(url).begin() as connexion:
            index.create(connexion)
        print(f"  index {INDEX_TYPES} recréé en {time.perf_counter() - debut:.1f} s")


_ecritures = iter(range(1, 10_000))


def ecrire_un_lycee(url: str) -> None:
    """A write as users make it: a one-row import (`cmq importer`'s pipeline) of a new lycée in the
    Rhône, its UAI on a prefix (989) no département and no generated number uses."""
    chiffres = f"989{next(_ecritures):04d}"
    ligne = {"uai": chiffres + codes.lettre_uai(chiffres), "nom": "Lycée écrit par le banc", "type": "LP"}
    ligne["departement"] = "69"
    rapport = importer_lignes([ligne], colonnes=list(ligne), source="banc", url=url, type_import="etablissements")
    if (rapport.statut, rapport.inserees) != ("ok", 1):
        raise SystemExit(f"écriture du banc refusée : {rapport}")


def froid(preparer, fonction, repetitions: int):
    """(result of the last call, best duration) of `repetitions` calls, each after `preparer()` (not timed)."""
    durees, resultat = [], None
    for _ in range(repetitions):
        preparer()
        debut = time.perf_counter()
        resultat = fonction()
        durees.append(time.perf_counter() - debut)
    return resultat, min(durees)


def mesurer_public(url: str, jour: date, repetitions: int) -> dict:
    """`indicateurs_toutes_echelles`, best of `repetitions` cold calls: the snapshot to build (a new
    process: `cmq indicateurs`), the first call after a write (`repetitions` lycées imported); then
    warm, dates never asked before (best of 20). The rows before and after the writes."""

    def toutes():
        return indicateurs.indicateurs_toutes_echelles(jour, url=url)

    public, premier = froid(indicateurs.vider_instantanes, toutes, repetitions)
    jours = iter(jour + timedelta(days=i) for i in range(1, 10_000))
    _, _, chaud = chrono(lambda: indicateurs.indicateurs_toutes_echelles(next(jours), url=url), 20)
    apres, ecriture = froid(lambda: ecrire_un_lycee(url), toutes, repetitions)
    return {"public": public, "premier_public": premier, "meilleur_public": chaud, "apres": apres, "ecriture": ecriture}


def mesurer(url: str, args) -> dict:
    """Migrate `url`, fill it, time the baseline then the current code on it; prints the generation line."""
    schema.mettre_a_jour(url)
    debut = time.perf_counter()
    generer(url, args.etablissements, args.campus, args.membres, args.graine)
    print(
        f"base {db.url_affichable(url)} : {args.etablissements:,} établissements, {args.campus} campus, "
        f"{args.membres:,} adhésions générés en {time.perf_counter() - debut:.1f} s"
    )
    demandes = indicateurs.tous_les_territoires()
    avant = {}
    with code_0002(url):
        with db.session(url) as s:
            _, avant["premier"], avant["meilleur"] = chrono(
                lambda: indicateurs.calculer(s, args.date, demandes), args.repetitions
            )
        avant |= mesurer_public(url, args.date, args.repetitions)
    with db.session(url) as s:
        rapide, premier, meilleur = chrono(lambda: indicateurs.calculer(s, args.date, demandes), args.repetitions)
    lent, premier_naif = rapide, float("nan")
    if not args.sans_naif:
        with db.session(url) as s:
            lent, premier_naif, _ = chrono(lambda: naif(s, args.date), 1)
    public = mesurer_public(url, args.date, args.repetitions)
    with db.session(url) as s:  # after the write: the rebuilt snapshot against SQL
        apres_sql = indicateurs.calculer(s, args.date, demandes)
    ecrits = public["apres"][0].nb_lycees - rapide[0].nb_lycees  # one lycée per cold call after a write
    return {
        "rapide": rapide,
        "lent": lent,
        "premier": premier,
        "meilleur": meilleur,
        "premier_naif": premier_naif,
        **public,
        "apres_identique": public["apres"] == apres_sql and ecrits == args.repetitions,
        "avant": avant,
        "avant_identique": avant["apres"] == rapide,  # the baseline's rows after its writes: the same data
    }


MESURES = (  # (key, label, decimals)
    ("premier", "cmq.indicateurs.calculer, SQL (1re mesure)", 3),
    ("meilleur", "cmq.indicateurs.calculer, SQL (meilleure de {n})", 3),
    ("premier_public", "indicateurs_toutes_echelles : froid, instantané à construire (meilleur de {n})", 3),
    ("ecriture", "indicateurs_toutes_echelles : froid, 1er appel après une écriture (meilleur de {n})", 3),
    ("meilleur_public", "indicateurs_toutes_echelles : chaud, date neuve (meilleure de 20)", 4),
)


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
        f"{sum(l.nb_campus for l in rapide if l.echelle == 'france')} campus valides ; "
        f"« avant 0003 » : sans l'index {INDEX_TYPES}, lycées comptés en groupant toute la table, "
        "établissements des membres par une jointure simple"
    )
    lignes = [
        (
            libelle.format(n=args.repetitions),
            {
                g: [f"{m['avant'][cle]:.{d}f}", f"{m[cle]:.{d}f}", f"{m['avant'][cle] / m[cle]:.1f} ×"]
                for g, m in mesures.items()
            },
        )
        for cle, libelle, d in MESURES
    ]
    lignes.append(
        ("boucle naïve par territoire", {g: ["", f"{m['premier_naif']:.3f}", ""] for g, m in mesures.items()})
    )
    cote_a_cote(["avant 0003", "secondes", "gain"], lignes, genres)
    ecarts = []
    for genre, m in mesures.items():
        # every method, the baseline and every base: the same rows
        identiques = m["rapide"] == m["lent"] == m["public"] == rapide and m["avant_identique"]
        froid = max(m["premier_public"], m["ecriture"])
        print(
            f"{genre} : cible < {CIBLE_S} s : calcul SQL {'atteinte' if m['premier'] < CIBLE_S else 'MANQUÉE'}, "
            f"froid (instantané à construire, après une écriture) {'atteinte' if froid < CIBLE_S else 'MANQUÉE'}, "
            f"chaud (date neuve) {'atteinte' if m['meilleur_public'] < CIBLE_S else 'MANQUÉE'} ; "
            f"résultats identiques : {'oui' if identiques else 'NON'} ; après l'écriture, instantané = SQL "
            f"et un lycée de plus par écriture : {'oui' if m['apres_identique'] else 'NON'}"
        )
        if not identiques:
            ecarts += [(genre, a.echelle, a.code) for a, b in zip(m["rapide"], m["lent"], strict=True) if a != b]
            ecarts += [(genre, a.echelle, a.code) for a, b in zip(m["rapide"], rapide, strict=True) if a != b]
            ecarts += [(genre, a.echelle, a.code) for a, b in zip(m["rapide"], m["public"], strict=True) if a != b]
            ecarts += [(genre, "avant", a.echelle, a.code) for a, b in zip(m["rapide"], m["avant"]["apres"]) if a != b]
        if not m["apres_identique"]:
            ecarts.append((genre, "après l'écriture"))
    if ecarts:
        raise SystemExit(f"écarts entre les méthodes ou les bases : {ecarts[:10]}")


if __name__ == "__main__":
    main()

"""Benchmark of `cmq.rapprochement` on establishment names generated from the embedded lycées.

Each name is an embedded lycée written the way pages and partner files write it (fixed seed):
exact name, type words abbreviated (LP, LPO, LGT) or spelled out, "Lycée <name>" without its
type, the town in parentheses, after "à", " - " or ",", in its own column, with a postcode, no
accents and lower case, St/Saint and hyphens swapped, a typo, a section (SEP) named for its
lycée, no town at all; plus names of other organisations that must stay unlinked (université,
IUT, GRETA, école d'ingénieurs, companies, some bearing a lycée's name or town). Names are drawn
from lycées that are not sections; a SEP variant expects its lycée.

Outcome per name: right UAI, ambiguous (no UAI given), unknown, wrong UAI ("faux": the costly
error; for an organisation, any UAI is wrong). Printed beside a plain rapidfuzz baseline in the
same run: `process.extractOne` with WRatio over the normalised names (alone, then followed by the
town), best name if its score ≥ 85. Also: names per second for each method. `-v` lists the wrong
links of cmq.rapprochement.

    python bench/rapprochement.py [--nombre 5000] [--graine 2026] [-v]
"""

import argparse
import csv
import gzip
import random
import re
import time
from collections import Counter
from importlib import resources

from filieres import coquille  # bench/filieres.py (this folder is on sys.path)
from rapidfuzz import fuzz, process

from cmq.rapprochement import IndexEtablissements
from cmq.texte import normaliser, sans_accents

GENRES = (
    "nom",
    "parentheses",
    "abrege",
    "developpe",
    "sans_type",
    "a_ville",
    "tiret",
    "virgule",
    "code_postal",
    "colonne",
    "minuscules",
    "saint_tirets",
    "coquille",
    "section",
    "sans_ville",
    "organisation",
)
ABREGES = (
    ("LYCÉE PROFESSIONNEL", "LP"),
    ("LYCÉE POLYVALENT", "LPO"),
    ("LYCÉE GÉNÉRAL ET TECHNOLOGIQUE", "LGT"),
)
DEVELOPPES = (
    ("LPO ", "Lycée polyvalent "),
    ("LP ", "Lycée professionnel "),
    ("LGT ", "Lycée général et technologique "),
)
_TYPE = re.compile(
    r"^(LYCÉE|LPO|LP|LGT)( (PROFESSIONNEL|POLYVALENT|GÉNÉRAL ET TECHNOLOGIQUE|AGRICOLE|PRIVÉ|DES MÉTIERS))*\s+"
)
_SECTION = re.compile(r"^(SEP|SGT)\b|\bSECTION\b")
ORGANISATIONS = (
    "Université de {ville}",
    "Université {nom}",
    "IUT de {ville}",
    "IUT {nom} ({ville})",
    "GRETA {ville}",
    "GRETA du {nom}",
    "École nationale supérieure d'ingénieurs de {ville}",
    "École d'ingénieurs {nom}",
    "INSA {ville}",
    "{nom} SAS ({ville})",
    "Entreprise {nom}",
    "Transports {nom} SARL",
    "CCI {ville}",
    "Chambre de métiers de {ville}",
    "Conseil régional ({ville})",
)


def lycees() -> list[dict[str, str]]:
    fichier = resources.files("cmq").joinpath("data", "lycees.csv.gz")
    with fichier.open("rb") as brut, gzip.open(brut, "rt", encoding="utf-8", newline="") as flux:
        return list(csv.DictReader(flux))


def coeur(nom: str) -> str:
    """'LYCÉE PROFESSIONNEL ÉDOUARD BRANLY' -> 'ÉDOUARD BRANLY'."""
    return _TYPE.sub("", nom).strip() or nom


def parents(tous: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    """SEP UAI -> its lycée: same commune, the lycée's core name at the end of the section's name."""
    resultat = {}
    par_commune: dict[str, list[dict[str, str]]] = {}
    for ly in tous:
        if ly["type"] not in ("SEP", "SGT") and ly["code_commune"]:
            par_commune.setdefault(ly["code_commune"], []).append(ly)
    for sep in tous:
        if sep["type"] == "SEP" and sep["code_commune"]:
            meres = [
                ly
                for ly in par_commune.get(sep["code_commune"], ())
                if normaliser(sep["nom"]).endswith(" " + normaliser(coeur(ly["nom"])))
            ]
            if len(meres) == 1:
                resultat[sep["uai"]] = meres[0]
    return resultat


def variante(ly: dict[str, str], genre: str, alea: random.Random) -> tuple[str, str | None]:
    """(name, town column) for lycée `ly` written in the way `genre`."""
    nom, ville, cp = ly["nom"], ly["nom_commune"], ly["code_postal"]
    if genre == "nom":
        return f"{nom} ({ville})", None
    if genre == "parentheses":
        return f"{nom.title()} ({ville})", None
    if genre == "abrege":
        for long, court in ABREGES:
            nom = nom.replace(long, court)
        return f"{nom} ({ville})", None
    if genre == "developpe":
        for court, long in DEVELOPPES:
            nom = long + nom[len(court) :] if nom.startswith(court) else nom
        return f"{nom} ({ville})", None
    if genre == "sans_type":
        return f"Lycée {coeur(nom).title()} ({ville})", None
    if genre == "a_ville":
        return f"{nom.capitalize()} à {ville}", None
    if genre == "tiret":
        return f"{nom} - {ville}", None
    if genre == "virgule":
        return f"{nom}, {ville.upper()}", None
    if genre == "code_postal":
        return f"{nom} {cp} {ville}", None
    if genre == "colonne":
        return nom, ville if alea.random() < 0.5 else f"{cp} {ville.upper()}"
    if genre == "minuscules":
        return sans_accents(f"{nom} - {ville}").lower(), None
    if genre == "saint_tirets":
        texte = f"{nom} ({ville})"
        texte = re.sub(r"\bSAINT\b|\bSaint\b", "St", texte) if "SAINT" in texte.upper() else texte
        return (texte.replace("-", " ") if "-" in texte else texte.replace(" ", "-", 2)), None
    if genre == "coquille":
        mots = nom.split()
        longs = [i for i, m in enumerate(mots) if len(m) >= 6 and not _TYPE.match(m + " ")]
        if longs:
            i = alea.choice(longs)
            mots[i] = coquille(mots[i], alea)
        return f"{' '.join(mots)} ({ville})", None
    if genre == "sans_ville":
        return nom, None
    raise ValueError(genre)


def jeu(tous: list[dict[str, str]], nombre: int, graine: int) -> list[tuple[str, str | None, str | None, str]]:
    """`nombre` (name, town column, expected UAI or None for an organisation, genre) tuples."""
    alea = random.Random(graine)
    sources = [ly for ly in tous if not _SECTION.search(ly["nom"]) and ly["nom_commune"]]
    sections = list(parents(tous).items())
    cas = []
    for _ in range(nombre):
        genre = alea.choice(GENRES)
        if genre == "section":
            uai_sep, mere = alea.choice(sections)
            forme = alea.choice(("SEP du lycée {c} ({v})", "Section professionnelle du lycée {c} - {v}"))
            cas.append((forme.format(c=coeur(mere["nom"]).title(), v=mere["nom_commune"]), None, mere["uai"], genre))
        elif genre == "organisation":
            ly = alea.choice(sources)
            forme = alea.choice(ORGANISATIONS)
            cas.append((forme.format(nom=coeur(ly["nom"]).title(), ville=ly["nom_commune"]), None, None, genre))
        else:
            ly = alea.choice(sources)
            nom, commune = variante(ly, genre, alea)
            cas.append((nom, commune, ly["uai"], genre))
    return cas


def bilan(choix: list[str | None], ambigus: list[bool], attendus: list[str | None]) -> Counter:
    compte: Counter = Counter()
    for c, ambigu, a in zip(choix, ambigus, attendus, strict=True):
        if c is not None:
            compte["juste" if c == a else "faux"] += 1
        elif a is None:
            compte["juste"] += 1  # an organisation left unlinked
        else:
            compte["ambigu" if ambigu else "inconnu"] += 1
    return compte


def ligne(nom: str, compte: Counter, total: int, debit: float | None) -> str:
    vitesse = f"{debit:>10,.0f}" if debit is not None else " " * 10
    parts = "".join(f"{compte[k] / total:>9.1%}" for k in ("juste", "ambigu", "inconnu", "faux"))
    return f"{nom:<34}{vitesse}{parts}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nombre", type=int, default=5_000)
    parser.add_argument("--graine", type=int, default=2026)
    parser.add_argument("-v", "--verbeux", action="count", default=0, help="liens faux (-vv : et ambigus)")
    args = parser.parse_args()
    tous = lycees()
    donnees = jeu(tous, args.nombre, args.graine)
    n = len(donnees)
    attendus = [a for _, _, a, _ in donnees]
    print(
        f"{n:,} noms ({sum(a is None for a in attendus):,} organisations) de {len(tous):,} lycées, graine {args.graine}"
    )

    debut = time.perf_counter()
    index = IndexEtablissements.embarque()
    index.rapprocher("Lycée Jean Moulin (Lyon)")  # loads cmq.communes too (once per process)
    duree_index = time.perf_counter() - debut
    debut = time.perf_counter()
    resultats = [index.rapprocher(nom, commune) for nom, commune, _, _ in donnees]
    duree = time.perf_counter() - debut

    bases = {}
    noms = [normaliser(ly["nom"]) for ly in tous]
    noms_villes = [normaliser(f"{ly['nom']} {ly['nom_commune']}") for ly in tous]
    for libelle, choix_noms in (("noms", noms), ("noms + commune", noms_villes)):
        debut = time.perf_counter()
        choix = []
        for nom, commune, _, _ in donnees:
            texte = normaliser(f"{nom} {commune or ''}")
            trouve = process.extractOne(texte, choix_noms, scorer=fuzz.WRatio, score_cutoff=85)
            choix.append(tous[trouve[2]]["uai"] if trouve else None)
        bases[libelle] = (choix, time.perf_counter() - debut)

    print(f"index chargé en {duree_index:.2f} s ({len(index):,} établissements, communes comprises)")
    print(f"{'méthode':<34}{'noms/s':>10}{'juste':>9}{'ambigu':>9}{'inconnu':>9}{'faux':>9}")
    compte = bilan([r.uai for r in resultats], [r.statut == "ambigu" for r in resultats], attendus)
    print(ligne("cmq.rapprochement", compte, n, n / duree))
    for libelle, (choix, duree_base) in bases.items():
        print(ligne(f"rapidfuzz WRatio ≥ 85 ({libelle})", bilan(choix, [False] * n, attendus), n, n / duree_base))
    base_noms = bases["noms"]
    print(
        f"liens faux : cmq.rapprochement {compte['faux']} sur {n:,} ({compte['faux'] / n:.2%}), "
        f"rapidfuzz (noms) {bilan(base_noms[0], [False] * n, attendus)['faux']} ; "
        f"débit : {(n / duree) / (n / base_noms[1]):.2f} × celui de rapidfuzz (noms)"
    )
    organisations = [i for i, a in enumerate(attendus) if a is None]
    print(
        f"organisations reliées à tort à un lycée : cmq.rapprochement "
        f"{sum(resultats[i].uai is not None for i in organisations)} sur {len(organisations)}, rapidfuzz (noms) "
        f"{sum(base_noms[0][i] is not None for i in organisations)}, rapidfuzz (noms + commune) "
        f"{sum(bases['noms + commune'][0][i] is not None for i in organisations)}"
    )
    print("\ncmq.rapprochement par genre de nom :")
    for genre in GENRES:
        rangs = [i for i, cas in enumerate(donnees) if cas[3] == genre]
        sous = bilan(
            [resultats[i].uai for i in rangs],
            [resultats[i].statut == "ambigu" for i in rangs],
            [attendus[i] for i in rangs],
        )
        print(ligne(f"  {genre}", sous, len(rangs), None))
    if args.verbeux:
        for (nom, commune, attendu, genre), r in zip(donnees, resultats, strict=True):
            if r.uai != attendu and (r.uai is not None or args.verbeux > 1 and genre != "sans_ville"):
                candidats = [(c.uai, c.nom, c.score) for c in r.candidats[:3]]
                print(f"{genre:>12} {nom!r} {commune!r} attendu {attendu} -> {r.uai} {candidats}")


if __name__ == "__main__":
    main()

"""Benchmark of `cmq.filieres.normalize` against Orion's autocomplete (substring of the label).

Builds 100,000 free-text filière labels (fixed seed) the way users type them: exact labels, lower
case, no accents, short labels, synonyms, typos, shuffled words, noise words ("CMQ", "campus",
"filière", a place). Prints throughput (cold cache, warm cache; CPU seconds, best of N) and top-1
accuracy of both, overall and per kind of variant. Caveat: the synonyms are drawn from
`Filiere.mots_cles`, the very list cmq matches against, so accuracy on them measures robustness
to case, accents, typos and noise, not the coverage of the keyword list.

    python bench/filieres.py [--nombre 100000] [--graine 2025]
"""

import argparse
import random
import time

from cmq import filieres
from cmq.filieres import FILIERES, Filiere
from cmq.texte import sans_accents

BRUITS_AVANT = (
    "CMQ",
    "Campus",
    "campus",
    "Filière",
    "filière",
    "CMQ d'excellence",
    "Campus des métiers et des qualifications",
    "campus des métiers",
    "Pôle",
)
BRUITS_APRES = (
    "(Lyon)",
    "Bretagne",
    "Occitanie",
    "- Nice",
    "Hauts-de-France",
    "2024",
    "Grand Est",
    "(CMQ)",
    "Normandie",
    "de Guyane",
)
LETTRES = "abcdefghijklmnopqrstuvwxyzéè"


_LIBELLES_ORION = [(sans_accents(f.libelle).lower(), f) for f in FILIERES]  # computed once, to be fair


def orion_substring(texte: str) -> Filiere | None:
    """Orion's autocomplete: first label (list order) containing the lower-cased, accent-stripped text."""
    requete = sans_accents(texte).lower().strip()
    if not requete:
        return None
    for libelle, f in _LIBELLES_ORION:
        if requete in libelle:
            return f
    return None


def coquille(mot: str, alea: random.Random) -> str:
    """One random edit (substitution, deletion, insertion, swap) in a word of 5 letters or more."""
    if len(mot) < 5:
        return mot
    i = alea.randrange(1, len(mot) - 1)
    genre = alea.randrange(4)
    if genre == 0:
        return mot[:i] + alea.choice(LETTRES) + mot[i + 1 :]
    if genre == 1:
        return mot[:i] + mot[i + 1 :]
    if genre == 2:
        return mot[:i] + alea.choice(LETTRES) + mot[i:]
    return mot[: i - 1] + mot[i] + mot[i - 1] + mot[i + 1 :]


GENRES = (
    "tel quel",
    "minuscules",
    "sans accents",
    "fautes de frappe",
    "mots mélangés",
    "bruit avant",
    "bruit avant et après",
    "plusieurs mots-clés",
)


def variante(f: Filiere, alea: random.Random) -> tuple[str, str, str]:
    """One way a user may write filière `f`: (text, kind of variant, origin: label or keyword)."""
    parties = [p.strip() for p in f.libelle.split(",")]
    libelles = [f.libelle] * 3 + [f.libelle_court] * 2 + parties
    base = alea.choice(libelles + list(f.mots_cles))
    origine = "libellé" if base in libelles else "mot-clé"
    genre = alea.randrange(len(GENRES))
    if genre == 0:
        texte = base
    elif genre == 1:
        texte = base.lower()
    elif genre == 2:
        texte = sans_accents(base).upper() if alea.random() < 0.3 else sans_accents(base).lower()
    elif genre == 3:  # typos in one or two words
        mots = base.split()
        for _ in range(alea.choice((1, 1, 2))):
            j = alea.randrange(len(mots))
            mots[j] = coquille(mots[j], alea)
        texte = " ".join(mots)
    elif genre == 4:  # shuffled words
        mots = base.replace(",", "").split()
        alea.shuffle(mots)
        texte = " ".join(mots)
    elif genre == 5:
        texte = f"{alea.choice(BRUITS_AVANT)} {base}"
    elif genre == 6:
        texte = f"{alea.choice(BRUITS_AVANT)} {base} {alea.choice(BRUITS_APRES)}"
    else:  # several keywords of the same filière
        autres = alea.sample(list(f.mots_cles), 2)
        texte = f"{base}, {autres[0]} et {autres[1]}"
        origine = "mot-clé"
    return texte, GENRES[genre], origine


def jeu(nombre: int, graine: int) -> list[tuple[str, Filiere, str, str]]:
    """`nombre` (text, expected filière, kind of variant, origin) tuples."""
    alea = random.Random(graine)
    paires = []
    for _ in range(nombre):
        f = alea.choice(FILIERES)
        texte, genre, origine = variante(f, alea)
        paires.append((texte, f, genre, origine))
    return paires


def mesurer(fonction, textes: list[str]) -> tuple[list[Filiere | None], float]:
    """Outputs and CPU seconds of this process (less sensitive than wall time to a busy machine)."""
    debut = time.process_time()
    sorties = [fonction(t) for t in textes]
    return sorties, time.process_time() - debut


def exactitude(sorties: list[Filiere | None], attendues: list[Filiere]) -> float:
    return sum(s is not None and s.code == a.code for s, a in zip(sorties, attendues)) / len(attendues)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nombre", type=int, default=100_000)
    parser.add_argument("--graine", type=int, default=2025)
    parser.add_argument("--repetitions", type=int, default=3)
    args = parser.parse_args()
    paires = jeu(args.nombre, args.graine)
    textes = [p[0] for p in paires]
    attendues = [p[1] for p in paires]
    print(f"{len(textes):,} libellés, {len(set(textes)):,} distincts (graine {args.graine})")

    def cmq(texte: str) -> Filiere | None:
        return filieres.normalize(texte).filiere

    durees: dict[str, list[float]] = {"froid": [], "chaud": [], "orion": []}
    for _ in range(args.repetitions):  # best of N: the machine may be shared
        filieres.vider_cache()
        froid, t = mesurer(cmq, textes)
        durees["froid"].append(t)
        chaud, t = mesurer(cmq, textes)
        durees["chaud"].append(t)
        orion, t = mesurer(orion_substring, textes)
        durees["orion"].append(t)
    t_froid, t_chaud, t_orion = (min(durees[k]) for k in ("froid", "chaud", "orion"))
    statuts = {}
    for t in textes:
        s = filieres.normalize(t).statut
        statuts[s] = statuts.get(s, 0) + 1
    faux = sum(s is not None and s.code != a.code for s, a in zip(froid, attendues))

    print(
        "secondes CPU, meilleure de",
        args.repetitions,
        "mesures ; toutes :",
        {k: [round(x, 3) for x in v] for k, v in durees.items()},
    )
    print(f"{'méthode':<28}{'secondes':>10}{'libellés/s':>14}{'exactitude top-1':>18}")
    for nom, sorties, duree in (
        ("cmq.normalize (cache vide)", froid, t_froid),
        ("cmq.normalize (cache chaud)", chaud, t_chaud),
        ("Orion (sous-chaîne)", orion, t_orion),
    ):
        print(f"{nom:<28}{duree:>10.3f}{len(textes) / duree:>14,.0f}{exactitude(sorties, attendues):>18.1%}")
    print(f"statuts cmq : {statuts} ; filière fausse (normalisée mais erronée) : {faux}")
    print(f"{'exactitude par variante':<42}{'libellés':>9}{'cmq':>8}{'Orion':>8}")
    for cle in [*GENRES, "libellé", "mot-clé"]:
        rangs = [i for i, p in enumerate(paires) if cle in p[2:]]
        cmq_ok = exactitude([froid[i] for i in rangs], [attendues[i] for i in rangs])
        orion_ok = exactitude([orion[i] for i in rangs], [attendues[i] for i in rangs])
        nom = f"origine : {cle}" if cle in ("libellé", "mot-clé") else cle
        print(f"  {nom:<40}{len(rangs):>9,}{cmq_ok:>8.1%}{orion_ok:>8.1%}")
    print(f"rapport d'exactitude cmq / Orion : {exactitude(froid, attendues) / exactitude(orion, attendues):.2f}")
    print(f"coût du chemin sans cache : {t_froid / len(set(textes)) * 1e6:.1f} µs par libellé distinct")


if __name__ == "__main__":
    main()

"""Benchmark of `cmq.filieres.normalize` against Orion's autocomplete (substring of the label).

Builds 100,000 free-text filière labels (fixed seed) the way users type them: exact labels, lower
case, no accents, short labels, synonyms, typos, shuffled words, noise words ("CMQ", "campus",
"filière", a place). Prints throughput (cold cache, warm cache) and top-1 accuracy of both.

    python bench/filieres.py [--nombre 100000] [--graine 2025]
"""

import argparse
import random
import time

from cmq import filieres
from cmq.filieres import FILIERES, Filiere
from cmq.texte import sans_accents

BRUITS_AVANT = ("CMQ", "Campus", "campus", "Filière", "filière", "CMQ d'excellence",
                "Campus des métiers et des qualifications", "campus des métiers", "Pôle")
BRUITS_APRES = ("(Lyon)", "Bretagne", "Occitanie", "- Nice", "Hauts-de-France", "2024", "Grand Est",
                "(CMQ)", "Normandie", "de Guyane")
LETTRES = "abcdefghijklmnopqrstuvwxyzéè"


def orion_substring(texte: str) -> Filiere | None:
    """Orion's autocomplete: first label containing the lower-cased, accent-stripped text."""
    requete = sans_accents(texte).lower().strip()
    if not requete:
        return None
    for f in FILIERES:
        if requete in sans_accents(f.libelle).lower():
            return f
    return None


def coquille(mot: str, alea: random.Random) -> str:
    """One random edit (substitution, deletion, insertion, swap) in a word of 5 letters or more."""
    if len(mot) < 5:
        return mot
    i = alea.randrange(1, len(mot) - 1)
    genre = alea.randrange(4)
    if genre == 0:
        return mot[:i] + alea.choice(LETTRES) + mot[i + 1:]
    if genre == 1:
        return mot[:i] + mot[i + 1:]
    if genre == 2:
        return mot[:i] + alea.choice(LETTRES) + mot[i:]
    return mot[:i - 1] + mot[i] + mot[i - 1] + mot[i + 1:]


def variante(f: Filiere, alea: random.Random) -> str:
    """One way a user may write filière `f`."""
    parties = [p.strip() for p in f.libelle.split(",")]
    base = alea.choice([f.libelle] * 3 + [f.libelle_court] * 2 + parties + list(f.mots_cles))
    genre = alea.randrange(8)
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
    return texte


def jeu(nombre: int, graine: int) -> list[tuple[str, Filiere]]:
    """`nombre` (text, expected filière) pairs."""
    alea = random.Random(graine)
    paires = []
    for _ in range(nombre):
        f = alea.choice(FILIERES)
        paires.append((variante(f, alea), f))
    return paires


def mesurer(fonction, textes: list[str]) -> tuple[list[Filiere | None], float]:
    debut = time.perf_counter()
    sorties = [fonction(t) for t in textes]
    return sorties, time.perf_counter() - debut


def exactitude(sorties: list[Filiere | None], attendues: list[Filiere]) -> float:
    return sum(s is not None and s.code == a.code for s, a in zip(sorties, attendues)) / len(attendues)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nombre", type=int, default=100_000)
    parser.add_argument("--graine", type=int, default=2025)
    args = parser.parse_args()
    paires = jeu(args.nombre, args.graine)
    textes = [t for t, _ in paires]
    attendues = [f for _, f in paires]
    print(f"{len(textes):,} libellés, {len(set(textes)):,} distincts (graine {args.graine})")

    def cmq(texte: str) -> Filiere | None:
        return filieres.normalize(texte).filiere

    filieres.vider_cache()
    froid, t_froid = mesurer(cmq, textes)
    chaud, t_chaud = mesurer(cmq, textes)
    orion, t_orion = mesurer(orion_substring, textes)
    statuts = {}
    for t in textes:
        s = filieres.normalize(t).statut
        statuts[s] = statuts.get(s, 0) + 1
    faux = sum(s is not None and s.code != a.code for s, a in zip(froid, attendues))

    print(f"{'méthode':<28}{'secondes':>10}{'libellés/s':>14}{'exactitude top-1':>18}")
    for nom, sorties, duree in (("cmq.normalize (cache vide)", froid, t_froid),
                                ("cmq.normalize (cache chaud)", chaud, t_chaud),
                                ("Orion (sous-chaîne)", orion, t_orion)):
        print(f"{nom:<28}{duree:>10.3f}{len(textes) / duree:>14,.0f}{exactitude(sorties, attendues):>18.1%}")
    print(f"statuts cmq : {statuts} ; filière fausse (normalisée mais erronée) : {faux}")
    print(f"rapport d'exactitude cmq / Orion : {exactitude(froid, attendues) / exactitude(orion, attendues):.2f}")
    print(f"coût du chemin sans cache : {t_froid / len(set(textes)) * 1e6:.1f} µs par libellé distinct")


if __name__ == "__main__":
    main()

"""Benchmark of `cmq.resolve` on 10,000 distinct campus mentions generated from the embedded directory.

Each mention is a known campus written the way Orion users type it (fixed seed): a base spelling
(full name, name without boilerplate, without its parenthesised parts, the sigle), then, each with
its probability (`GENRES`), abbreviations ("&", "St", "aéro", "indus", "PACA"…), a word missing,
shuffled words, one or two typos, a place appended (seat town, région académique or its short
name, académie, département name or code), filière words ("(filière Tourisme)"), a prefix
("CMQ", "CMQE", "Campus des métiers et des qualifications d'excellence"…), noise ("Lycée",
"(label 2019)"), accents removed, case changed, punctuation changed. A text drawn twice is drawn
again: the mentions are distinct, so that no cache keyed by the text helps. The embedded
directory is loaded into a temporary SQLite database; one index, built from empty caches, resolves
every mention. Prints the time (target: under 2 s), the time per mention, and the outcome — right
campus, ambiguous (no campus chosen), unknown, wrong campus — next to baselines in the same run:
exact match of the normalised name, and rapidfuzz WRatio / token_set_ratio on the names alone
(best name if its score ≥ 85); then per kind of variant. cmq and rapidfuzz token_set_ratio are
timed in turn, slice after slice of 1,000 mentions, best of N (the garbage collector is off
during the baseline's slices: what cmq leaves is collected in cmq's time); the objective is judged
with the interpreter's default collector settings (the library in someone else's program), and the
ratio under the settings the `cmq` script sets (`regler_ramasse_miettes`: CLI, `cmq serve`) is
printed for information. The public `resolve()`
and `Index.resoudre` are timed mention by mention in turn. `-v` lists the mentions not resolved
to the expected campus.

    python bench/resolve.py [--nombre 10000] [--graine 2025] [--repetitions 3] [-v]
"""

import argparse
import gc
import random
import re
import tempfile
import time
from collections import Counter
from pathlib import Path

from filieres import coquille  # bench/filieres.py (this folder is on sys.path)
from rapidfuzz import fuzz, process

from cmq import filieres, territoires
from cmq.init import initialiser
from cmq.resolve import Fiche, Index, index, resolve, vider_cache
from cmq.store import db
from cmq.texte import normaliser, sans_accents

PREFIXES = (
    "CMQ",
    "CMQE",
    "Campus",
    "CMQ d'excellence",
    "Campus des métiers et des qualifications",
    "Campus des métiers et des qualifications d'excellence",
    "campus des métiers",
    "Le campus",
    "CMQ -",
    "Campus d'excellence",
)
_FORMULE = re.compile(r"campus des m[ée]tiers et des qualifications|\bcmqe?\b|d'excellence|\bcampus\b", re.IGNORECASE)
# Abbreviations users type: (pattern, replacement); one applicable pair is drawn.
ABREGEMENTS = (
    (r"\bet\b", "&"),
    (r"\bSainte?\b", lambda m: "Ste" if m.group(0).endswith("e") else "St"),
    (r"\ba[ée]ronautique\b", "aéro"),
    (r"\bb[âa]timent et travaux publics\b", "BTP"),
    (r"\bindustries?\b", "indus"),
    (r"\btechnologies?\b", "techno"),
    (r"\bmaintenance\b", "maint."),
    (r"\b[ée]co-", "éco"),
    (r"\bbio-", "bio"),
    (r"Provence-Alpes-Côte d'Azur", "PACA"),
    (r"Île-de-France", "IDF"),
    (r"Pays de la Loire", "PDL"),
    (r"Nouvelle-Aquitaine", "NAQ"),
    (r"Occitanie", "OCC"),
    (r"Guadeloupe", "Gpe"),
)
# Short names of régions académiques users write (`cmq/data/territoires/alias.csv`).
SIGLES_REGIONS = {
    "84": ("AURA", "ARA", "Rhône-Alpes"),
    "27": ("BFC",),
    "24": ("CVL", "Centre"),
    "44": ("Grand-Est", "Lorraine", "Alsace"),
    "32": ("HDF", "Nord-Pas-de-Calais", "Picardie"),
    "11": ("IDF",),
    "28": ("Normandie",),
    "75": ("NAQ", "Aquitaine"),
    "76": ("OCC", "Midi-Pyrénées", "Languedoc-Roussillon"),
    "52": ("PDL", "Pays de Loire"),
    "93": ("PACA", "Région Sud"),
}
BRUITS = ("Lycée", "(label 2019)", "réseau", "- campus labellisé", "2024", "site de", "projet", "pôle")
FORMES_LIEU = ("{} {}", "{} - {}", "{} ({})", "{}, {}", "{} de {}", "{} / {}")
# Transformations, in the order they are applied; each with its probability.
GENRES = {
    "abrege": 0.25,
    "mot_manquant": 0.12,
    "ordre": 0.15,
    "coquille": 0.35,
    "lieu": 0.35,
    "filiere": 0.12,
    "prefixe": 0.4,
    "bruit": 0.08,
    "sans_accents": 0.3,
    "casse": 0.3,
    "ponctuation": 0.2,
}
BASES = ("nom", "coeur", "sans_parentheses", "sigle")
MORCEAU = 1000  # mentions per slice when cmq and rapidfuzz are timed in turn


def coeur(nom: str) -> str:
    """The name without boilerplate: 'Campus des métiers et des qualifications Bois (Épinal)' -> 'Bois (Épinal)'."""
    return re.sub(r"\s+", " ", _FORMULE.sub(" ", nom)).strip(" ,:-")


def lieux(f: Fiche) -> list[str]:
    """Places a user may append to campus `f`: seat town, région académique (name or short name),
    académie, département (name or code)."""
    sortie = [f.ville] if f.ville else []
    if f.region_academique:
        sortie.append(territoires.region_academique(f.region_academique).nom)
        sortie += SIGLES_REGIONS.get(f.region_academique, ())
    sortie += [territoires.academie(a).nom for a in sorted(f.lieux.academies)]
    for d in sorted(f.lieux.departements):
        sortie += [territoires.departement(d).nom, d]
    return sortie


def base(f: Fiche, alea: random.Random) -> tuple[str, str]:
    """A starting spelling of campus `f`: (text, kind)."""
    c = coeur(f.nom) or f.nom
    sans_parentheses = re.sub(r"\s*\([^)]*\)", "", c).strip() or c
    genre = alea.choice(BASES if f.sigle else BASES[:-1])
    texte = {"nom": f.nom, "coeur": c, "sans_parentheses": sans_parentheses, "sigle": f.sigle}[genre]
    return texte, genre


def transformer(texte: str, genre: str, f: Fiche, alea: random.Random) -> str:
    """One transformation of a spelling of campus `f` (see GENRES)."""
    mots = texte.split()
    if genre == "abrege":
        possibles = [(motif, remplacement) for motif, remplacement in ABREGEMENTS if re.search(motif, texte)]
        if possibles:
            motif, remplacement = alea.choice(possibles)
            return re.sub(motif, remplacement, texte, count=1)
        return texte
    if genre == "mot_manquant" and len(mots) >= 3:
        longs = [i for i, m in enumerate(mots) if len(m) > 3]
        del mots[alea.choice(longs or range(len(mots)))]
        return " ".join(mots)
    if genre == "ordre" and len(mots) >= 2 and not _FORMULE.search(texte):  # the name's words, not boilerplate
        alea.shuffle(mots)
        return " ".join(mots)
    if genre == "coquille":
        longs = [i for i, m in enumerate(mots) if len(m) >= 5]
        for i in alea.sample(longs, min(len(longs), alea.choice((1, 1, 1, 2)))):
            mots[i] = coquille(mots[i], alea)
        return " ".join(mots)
    if genre == "lieu" and (places := lieux(f)):
        place = alea.choice(places)
        return f"{texte} ({place})" if place[-1].isdigit() else alea.choice(FORMES_LIEU).format(texte, place)
    if genre == "filiere":
        court = filieres.get(f.filiere).libelle_court
        forme = alea.choice(("{t} (filière {c})", "{c} : {t}", "{t} - {l}", "{t} filière {l}"))
        return forme.format(t=texte, c=court, l=court.lower())
    if genre == "prefixe" and not _FORMULE.match(texte):
        return f"{alea.choice(PREFIXES)} {texte}"
    if genre == "bruit":
        bruit = alea.choice(BRUITS)
        return (
            f"{bruit} {texte}" if bruit[0].isupper() or bruit in ("site de", "projet", "pôle") else f"{texte} {bruit}"
        )
    if genre == "sans_accents":
        return sans_accents(texte)
    if genre == "casse":
        return alea.choice((str.lower, str.lower, str.upper, str.title))(texte)
    if genre == "ponctuation":
        return alea.choice(
            (
                lambda t: t.replace("-", " "),
                lambda t: t.replace(",", ""),
                lambda t: t.replace(" ", "  ", 1),
                lambda t: f"« {t} »",
                lambda t: f"{t}.",
                lambda t: t.replace("'", "’"),
            )
        )(texte)
    return texte


def variante(f: Fiche, alea: random.Random) -> tuple[str, tuple[str, ...]]:
    """One way a user may write campus `f`: a base spelling, then each transformation of GENRES
    with its probability: (text, kinds applied)."""
    texte, genre = base(f, alea)
    genres = [genre]
    for transformation, probabilite in GENRES.items():
        if alea.random() < probabilite:
            nouveau = transformer(texte, transformation, f, alea)
            if nouveau != texte:
                texte = nouveau
                genres.append(transformation)
    return re.sub(r"\s+", " ", texte).strip() if "ponctuation" not in genres else texte, tuple(genres)


def jeu(fiches: list[Fiche], nombre: int, graine: int) -> list[tuple[str, str, tuple[str, ...]]]:
    """`nombre` distinct (mention, expected campus id, kinds of variant) triples: a text already drawn is
    drawn again, so that no cache keyed by the text can help."""
    alea = random.Random(graine)
    jeu, vus = [], set()
    for _ in range(nombre * 100):
        if len(jeu) == nombre:
            break
        f = alea.choice(fiches)
        texte, genres = variante(f, alea)
        if texte not in vus and texte.strip():
            vus.add(texte)
            jeu.append((texte, f.id, genres))
    return jeu


def bilan(choix: list[str | None], ambigus: list[bool], attendus: list[str]) -> Counter:
    """Counts of right / ambiguous / unknown / wrong answers."""
    compte: Counter = Counter()
    for c, ambigu, a in zip(choix, ambigus, attendus):
        compte["juste" if c == a else "ambigu" if ambigu else "inconnu" if c is None else "faux"] += 1
    return compte


def ligne(nom: str, compte: Counter, total: int, duree: float | None) -> str:
    temps = f"{duree:8.3f}" if duree is not None else " " * 8
    parts = "".join(f"{compte[k] / total:>9.1%}" for k in ("juste", "ambigu", "inconnu", "faux"))
    return f"{nom:<30}{temps}{parts}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nombre", type=int, default=10_000)
    parser.add_argument("--graine", type=int, default=2025)
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("-v", "--verbeux", action="store_true", help="liste les mentions mal résolues")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as dossier:
        url = f"sqlite:///{Path(dossier) / 'cmq.db'}"
        initialiser(url)
        fiches = index(url).fiches
        donnees = jeu(fiches, args.nombre, args.graine)
        textes = [t for t, _, _ in donnees]
        attendus = [a for _, a, _ in donnees]
        print(
            f"{len(textes):,} mentions ({len(set(textes)):,} distinctes) de {len(fiches)} campus, graine {args.graine}"
        )

        choix_noms = [normaliser(f.nom) for f in fiches]

        def rapidfuzz(morceau: list[str], scorer) -> list[str | None]:
            choix = []
            for t in morceau:
                trouve = process.extractOne(normaliser(t), choix_noms, scorer=scorer, score_cutoff=85)
                choix.append(fiches[trouve[2]].id if trouve else None)
            return choix

        def tour() -> tuple[float, float, list, list]:
            """cmq (cold: empty caches, the index built from the database, then every mention) and
            the rapidfuzz baseline, interleaved by slices of MORCEAU mentions so that a busy machine
            slows both alike. The baseline runs with the garbage collector off: the objects cmq
            leaves are collected in cmq's time only."""
            vider_cache()
            debut = time.perf_counter()
            with db.session(url) as s:
                idx = Index.charger(s)
            duree_cmq, duree_flou = time.perf_counter() - debut, 0.0
            resolutions, choix_flou = [], []
            for i in range(0, len(textes), MORCEAU):
                morceau = textes[i : i + MORCEAU]
                debut = time.perf_counter()
                resolutions += idx.resoudre_lot(morceau)
                milieu = time.perf_counter()
                gc.disable()  # cmq's garbage is collected in cmq's time, never in the baseline's
                choix_flou += rapidfuzz(morceau, fuzz.token_set_ratio)
                gc.enable()
                duree_cmq += milieu - debut
                duree_flou += time.perf_counter() - milieu
            return duree_cmq, duree_flou, resolutions, choix_flou

        # The objective: the library in an interpreter with the default garbage collector settings.
        # For information: the same under the settings the `cmq` script (CLI, `cmq serve`) sets
        # (`regler_ramasse_miettes`). Best of N of each, the two settings in turn (which goes first too).
        from cmq.cli import regler_ramasse_miettes  # here: the generator's importers need no CLI

        defaut = gc.get_threshold()
        durees, mesures_flou, durees_script, flou_script = [], [], [], []
        for repetition in range(args.repetitions):
            for script in (False, True) if repetition % 2 == 0 else (True, False):
                if script:
                    regler_ramasse_miettes()
                try:
                    duree_cmq, duree_flou, resolutions, choix_flou = tour()
                finally:
                    gc.set_threshold(*defaut)
                (durees_script if script else durees).append(duree_cmq)
                (flou_script if script else mesures_flou).append(duree_flou)
        duree = min(durees)

        # The public resolve() (freshness check, context validation) against Index.resoudre, one
        # mention at a time, each on its own index built from empty caches, alternating mention by
        # mention (which goes first too): the cost of the wrapper, on a machine as busy for both;
        # the garbage collector runs between mentions, out of the timed calls.
        par_index, par_public = [], []
        for _ in range(args.repetitions):
            vider_cache()
            index(url)  # the public path's index, built before timing
            with db.session(url) as s:
                propre = Index.charger(s)
            duree_index = duree_public = 0.0
            gc.disable()  # its pauses land on either path at random: collected between mentions, untimed
            for i, t in enumerate(textes):
                if i % 500 == 0:
                    gc.collect()
                for chemin in (0, 1) if i % 2 else (1, 0):
                    debut = time.perf_counter()
                    if chemin:
                        resolve(t, url=url)
                    else:
                        propre.resoudre(t)
                    ecoule = time.perf_counter() - debut
                    if chemin:
                        duree_public += ecoule
                    else:
                        duree_index += ecoule
            gc.enable()
            par_index.append(duree_index)
            par_public.append(duree_public)

    noms = {normaliser(f.nom): f.id for f in fiches}
    debut = time.perf_counter()
    exacts = [noms.get(normaliser(t)) for t in textes]
    duree_exact = time.perf_counter() - debut

    flous = {"token_set_ratio": (choix_flou, min(mesures_flou))}
    mesures = []
    for _ in range(args.repetitions):
        debut = time.perf_counter()
        choix = rapidfuzz(textes, fuzz.WRatio)
        mesures.append(time.perf_counter() - debut)
    flous = {"WRatio": (choix, min(mesures)), **flous}

    n = len(textes)
    print(
        f"cmq.resolve : {duree:.3f} s (index compris, cache vide, meilleure de {len(durees)}) pour {n:,} "
        f"mentions, {duree / n * 1e6:.0f} µs par mention "
        f"— objectif < 2 s : {'atteint' if duree < 2 else 'MANQUÉ'}"
    )
    jeu_flou = flous["token_set_ratio"][1]
    print(
        f"rapport cmq.resolve / rapidfuzz extractOne token_set_ratio (mêmes noms, même passage) : "
        f"{duree:.3f} s / {jeu_flou:.3f} s = {duree / jeu_flou:.2f}× — objectif < 1 : "
        f"{'atteint' if duree < jeu_flou else 'MANQUÉ'}"
    )
    print(
        f"  pour information, avec les réglages du ramasse-miettes du script cmq (CLI, cmq serve) : "
        f"{min(durees_script):.3f} s / {min(flou_script):.3f} s = {min(durees_script) / min(flou_script):.2f}×"
    )
    print(
        f"resolve() public {min(par_public):.3f} s / Index.resoudre {min(par_index):.3f} s (une mention à la fois) : "
        f"{min(par_public) / min(par_index):.2f}× — objectif ≤ 1,2 : "
        f"{'atteint' if min(par_public) <= 1.2 * min(par_index) else 'MANQUÉ'}"
    )
    print(f"{'méthode':<30}{'secondes':>8}{'juste':>9}{'ambigu':>9}{'inconnu':>9}{'faux':>9}")
    compte = bilan([r.campus_id for r in resolutions], [r.statut == "ambigu" for r in resolutions], attendus)
    print(ligne("cmq.resolve", compte, n, duree))
    print(ligne("exact (nom normalisé)", bilan(exacts, [False] * n, attendus), n, duree_exact))
    for nom, (choix, duree_flou) in flous.items():
        print(ligne(f"rapidfuzz {nom} ≥ 85", bilan(choix, [False] * n, attendus), n, duree_flou))
    print("\nen nombre de mentions (abstention = ambigu ou inconnu : aucun campus choisi) :")
    for nom, c in (
        ("cmq.resolve", compte),
        ("rapidfuzz token_set_ratio ≥ 85", bilan(flous["token_set_ratio"][0], [False] * n, attendus)),
    ):
        print(
            f"  {nom:<32} juste {c['juste']:>6,}   faux {c['faux']:>5,}   abstention {c['ambigu'] + c['inconnu']:>5,}"
        )
    print(
        f"cmq.resolve : {compte['faux']} mention(s) attribuée(s) à un autre campus que celui d'origine "
        "(-v pour les voir : un mot retiré peut donner le nom exact d'un autre campus)"
    )
    print("\npar genre de variante (une mention compte dans chaque genre qu'elle cumule) :")
    print(f"{'genre':<22}{'mentions':>8}{'juste':>9}{'ambigu':>9}{'inconnu':>9}{'faux':>9}{'rapidfuzz':>11}")
    rapides = flous["token_set_ratio"][0]
    for genre in (*BASES, *GENRES):
        rangs = [i for i, (_, _, g) in enumerate(donnees) if genre in g]
        if not rangs:
            continue
        sous = bilan(
            [resolutions[i].campus_id for i in rangs],
            [resolutions[i].statut == "ambigu" for i in rangs],
            [attendus[i] for i in rangs],
        )
        juste_rapide = sum(rapides[i] == attendus[i] for i in rangs) / len(rangs)
        print(f"{'  ' + genre:<22}{len(rangs):>8}{ligne('', sous, len(rangs), None)[38:]}{juste_rapide:>11.1%}")
    if args.verbeux:
        for (t, a, g), r in zip(donnees, resolutions):
            if r.campus_id != a:
                print(
                    f"{'+'.join(g)} {t!r} attendu {a} -> {r.statut} {[(c.campus_id, c.score) for c in r.candidats[:3]]}"
                )


if __name__ == "__main__":
    main()

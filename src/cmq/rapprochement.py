"""Establishment name -> UAI, as pages and partner files write names ("LP Branly (Amiens)").

`IndexEtablissements` holds the establishments (embedded lycées or the store's table) with their
name reduced to its distinctive words: type words and abbreviations (lycée, LP, LPO, LGT,
polyvalent, professionnel, agricole, privé, lycée des métiers…), articles and accents dropped,
"St" read as "Saint". A name is read with its town (in parentheses, after "à", " - " or ",", or
given apart), its postcode, and compared by rapidfuzz within that town (or everywhere).

Honesty first (a wrong link is worse than none): `trouve` needs one clear best candidate that says
it is a school; two candidates as good (same name in two towns, no town) -> `ambigu`; a name of
another kind of organisation (université, IUT, GRETA, école d'ingénieurs, entreprise…) absent from
the data, or words the candidate lacks -> `inconnu`. Sections (SEP, SGT) resolve to their lycée.
"""

from __future__ import annotations

import bisect
import csv
import gzip
import re
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

from rapidfuzz import fuzz, process

from cmq import codes, communes
from cmq.communes import cle_nom
from cmq.errors import EntreeInvalide
from cmq.tableau import EXTENSIONS, colonne, ecrire_tableau, lire_tableau
from cmq.texte import normaliser

Statut = Literal["trouve", "ambigu", "inconnu"]

SEUIL_TROUVE = 90.0  # name score (0-100) a match needs
MARGE = 4.0  # lead over the next candidate
SEUIL_CANDIDAT = 70.0  # below this, a candidate is not listed
LONGUEUR_MAX = 300  # a longer text (name or town) is no establishment name: nothing is searched
_PARTIEL_CONFIRME = 90.0  # "Lycée Carriat (Bourg-en-Bresse)" -> LPO Joseph-Marie Carriat
_PARTIEL = 80.0  # same without a town: listed, never found
# The text states a kind (LP…): a candidate of another or unknown kind loses this, of a conflicting one more.
_AUTRE_TYPE, _TYPE_CONTRAIRE, _PAS_PRIVE = 5.0, 15.0, 2.0

_VIDES = {"de", "du", "des", "d", "la", "le", "les", "l", "et", "en", "a", "au", "aux", "y"}
_ABREGES = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes", "lyc": "lycee"}
# Words saying what kind of school it is; dropped from the distinctive part of a name.
_TYPES = {
    "lycee", "lycees", "lp", "lpo", "lgt", "legt", "lt", "lg", "lpa", "legta", "eplefpa", "polyvalent",
    "polyvalente", "professionnel", "professionnelle", "professionnels", "general", "generale", "technologique",
    "technologiques", "technique", "techniques", "agricole", "agricoles", "prive", "privee", "public", "publique",
    "metiers", "metier", "enseignement", "section", "sep", "sgt", "erea", "cite", "scolaire", "voie", "etablissement",
    "regional", "regionale", "adapte", "leap", "lap", "mfr",
}  # fmt: skip
_TYPES_LONGS = sorted(m for m in _TYPES if len(m) >= 7)
# Words saying it is a school but kept in the name ('COURS MOLIÈRE' is not the 'LYCÉE MOLIÈRE').
_ECOLES = {
    "cours", "institution", "ensemble", "legtpa", "lepp", "lpp", "cfppa", "cefppa", "familiale", "prytanee",
    "ecole", "college", "cfa", "erea",
}  # fmt: skip
# Words of other kinds of organisations: a candidate must bear each one the text has.
_AUTRES = {
    "universite", "univ", "universitaire", "iut", "greta", "ecole", "ecoles", "ingenieur", "ingenieurs", "insa",
    "ensam", "institut", "cnam", "cfa", "entreprise", "societe", "sas", "sarl", "sa", "groupe", "cci", "chambre",
    "laboratoire", "labo", "cnrs", "inria", "association", "agence", "cluster", "conseil", "region", "mairie",
    "communaute", "metropole", "polytech", "faculte", "ufr", "afpa", "cea", "pole", "centre", "fondation",
    "federation", "syndicat", "opco", "college", "superieur", "superieure", "formation",
}  # fmt: skip
# Kinds that are never a lycée: a candidate bearing one matches only a text that names it too.
_AUTRES_STRICTS = {
    "universite", "univ", "iut", "greta", "ingenieur", "ingenieurs", "insa", "ensam", "cnam", "entreprise", "societe",
    "sas", "sarl", "cci", "chambre", "laboratoire", "cnrs", "inria", "faculte", "ufr", "polytech", "afpa",
}  # fmt: skip
# A text naming a lycée never designates a collège, a primary school, a CFA… (an imported annuaire has them).
_LYCEE = {"lycee", "lp", "lpo", "lgt", "legt", "lt", "lpa", "legta", "legtpa", "lep", "lepp", "lpp", "sep", "sgt"}
_NON_LYCEE = {
    "college", "clg", "ecole", "elementaire", "maternelle", "primaire", "cfa", "cfppa", "greta", "iut", "universite",
    "institut", "ufr", "faculte", "segpa",
}  # fmt: skip
_ABREVIATIONS_TYPE = {"LP", "LPO", "LGT", "LEGT", "LT", "LPA", "SEP", "SGT", "EREA"}
_SECTIONS = {"SEP", "SGT"}
_UAI = re.compile(r"^\s*(\d{7}[A-Za-z])\s*$")
_CODE_POSTAL = re.compile(r"(?<!\d)(\d{5}|\d{2}\s\d{3})(?!\d)")
_PARENTHESES = re.compile(r"\(([^()]*)\)")
_VILLE_FINALE = re.compile(r"^(.*\S)\s*(?:\s[-–—]\s|,|\sà\s|\sa\s)\s*([^,()\-–—]+(?:-[^,()\s–—]+)*)\s*$", re.I)


@dataclass(frozen=True, slots=True)
class Candidat:
    """A possible establishment for a name, with its score (0-100)."""

    uai: str
    nom: str
    type: str | None
    commune: str | None
    code_commune: str | None
    score: float


@dataclass(frozen=True, slots=True)
class Rapprochement:
    """Outcome for one name: `uai` only when `statut` is "trouve"; the best candidates otherwise too."""

    statut: Statut
    uai: str | None
    score: float | None
    candidats: list[Candidat]


@dataclass(frozen=True, slots=True)
class _Entree:
    uai: str
    nom: str
    type: str | None
    secteur: str | None
    commune: str | None
    code_commune: str | None
    departement: str | None
    cle_commune: str
    mots: tuple[str, ...]  # distinctive words
    avant_metiers: tuple[str, ...]  # distinctive words before "des métiers …" (may be empty)
    nature: str | None  # LP, LPO, LGT, SEP, SGT, agricole…
    prive: bool
    mots_nom: frozenset[str]  # every word of the normalised name
    nom_complet: str  # the normalised name
    non_lycee: bool  # a collège, a school, a CFA… that does not say it is a lycée

    @property
    def section(self) -> bool:
        return self.nature in _SECTIONS


@dataclass(frozen=True, slots=True)
class _Requete:
    mots: tuple[str, ...]
    avant_metiers: tuple[str, ...]
    nature: str | None
    prive: bool
    ecole: bool  # the text says it is a school (lycée, LP, section…)
    lycee: bool  # the text says it is a lycée
    autres: frozenset[str]  # words of other kinds of organisations
    ville: str | None
    code_postal: str | None
    nom_complet: str


def _mots(texte: str) -> list[str]:
    """Normalised words, abbreviations expanded ('St-Exupéry' -> ['saint', 'exupery']), a typo in a
    long type word corrected ('PROFESISONNEL' -> 'professionnel')."""
    return [_type_corrige(_ABREGES.get(m, m)) for m in normaliser(texte.replace("'", " ").replace("’", " ")).split()]


@cache
def _type_corrige(mot: str) -> str:
    if len(mot) < 7 or mot in _TYPES:
        return mot
    proche = process.extractOne(mot, _TYPES_LONGS, scorer=fuzz.ratio, score_cutoff=88)
    return proche[0] if proche else mot


def _nature(mots: list[str], brut: str) -> str | None:
    """The kind of school a name states: SEP, SGT, LPO, LGT, LP, agricole, or None."""
    ensemble, sigles = set(mots), {m.upper() for m in re.findall(r"[A-Za-zÉé]+", brut)}
    phrase = " ".join(mots)
    if "sep" in ensemble or "section d enseignement professionnel" in phrase or "section professionnelle" in phrase:
        return "SEP"
    if "sgt" in ensemble or "section d enseignement general" in phrase:
        return "SGT"
    if "agricole" in ensemble or ensemble & {"lpa", "legta", "eplefpa"}:
        return "agricole"
    if "lpo" in ensemble or ensemble & {"polyvalent", "polyvalente"}:
        return "LPO"
    if ensemble & {"lgt", "legt"} or "general et technologique" in phrase:
        return "LGT"
    if "lp" in ensemble or ensemble & {"professionnel", "professionnelle"}:
        return "LP"
    if "LP" in sigles:
        return "LP"
    return "LGT" if ensemble & {"technologique", "technique", "lt"} else None


def _distinctifs(mots: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Distinctive words of a name, and those before "(des) métiers" (a specialty usually follows)."""
    garder = [m for m in mots if _distinctif(m)]
    if "metiers" in mots:
        return tuple(garder), tuple(m for m in mots[: mots.index("metiers")] if _distinctif(m))
    return tuple(garder), ()


def _distinctif(mot: str) -> bool:
    """Not a type word, an article, a kind of organisation (compared apart) or a lone letter."""
    return len(mot) > 1 and mot not in _TYPES and mot not in _VIDES and mot not in _AUTRES


def _entree(
    uai: str, nom: str, type_: str | None, secteur: str | None, commune: str | None, code_commune, departement
) -> _Entree:
    mots = _mots(nom)
    distinctifs, avant = _distinctifs(mots)
    nature = _nature(mots, nom) or _nature(_mots(type_ or ""), type_ or "")
    if type_ in ("SEP", "SGT"):
        nature = type_
    prive = "prive" in mots or "privee" in mots or (secteur or "").lower() == "privé"
    return _Entree(
        uai, nom, type_, secteur, commune, code_commune, departement, cle_nom(commune or ""), distinctifs, avant,
        nature, prive, frozenset(mots), " ".join(mots),
        bool(set(mots) & _NON_LYCEE) and not set(mots) & _LYCEE and not (type_ or "").lower().startswith("lyc"),
    )  # fmt: skip


class IndexEtablissements:
    """Establishments searchable by name, UAI or town; see the module docstring for the rules."""

    def __init__(self, entrees: Iterable[_Entree]) -> None:
        self._entrees = list(entrees)
        self._par_uai = {e.uai: e for e in self._entrees}
        self._par_commune: dict[str, list[_Entree]] = defaultdict(list)
        self._par_code_commune: dict[str, list[_Entree]] = defaultdict(list)
        for e in self._entrees:
            if e.cle_commune:
                self._par_commune[e.cle_commune].append(e)
            if e.code_commune:
                self._par_code_commune[e.code_commune].append(e)
        self._cles_communes = sorted(self._par_commune)
        self._textes = [" ".join(e.mots) for e in self._entrees]

    @classmethod
    def embarque(cls) -> IndexEtablissements:
        """The embedded lycées (`cmq/data/lycees.csv.gz`), no database needed."""
        return _embarque()

    @classmethod
    def de_la_base(cls, url: str | None = None) -> IndexEtablissements:
        """The establishments table of the store (`url`, default: the configured database)."""
        from cmq.store import lecture, schema

        with schema.session_lecture(url) as s:
            liste, _ = lecture.lister_etablissements(s)
        return cls(
            _entree(e.uai, e.nom, e.type, e.secteur, e.nom_commune, e.code_commune, e.departement) for e in liste
        )

    @classmethod
    def de_la_base_en_cache(cls, url: str | None = None) -> IndexEtablissements:
        """`de_la_base`, rebuilt only when the establishments changed (their count, the last import)."""
        from sqlalchemy import func, select

        from cmq.store import db, schema
        from cmq.store.tables import EtablissementTable, ImportTable

        url = url or db.url_par_defaut(creer=False)
        with schema.session_lecture(url) as s:
            version = s.execute(
                select(
                    select(func.count()).select_from(EtablissementTable).scalar_subquery(),
                    select(func.max(ImportTable.id)).scalar_subquery(),
                )
            ).one()
        with _VERROU:
            connu = _PAR_BASE.get(url)
            if connu is None or connu[0] != tuple(version):
                connu = _PAR_BASE[url] = (tuple(version), cls.de_la_base(url))
            return connu[1]

    def __len__(self) -> int:
        return len(self._entrees)

    # --- reading the text -------------------------------------------------------------------
    def _est_commune(self, texte: str) -> bool:
        cle = cle_nom(texte)
        return bool(cle) and (cle in self._par_commune or bool(communes.candidats(texte)))

    def _lire(self, nom: str, commune: str | None) -> _Requete:
        texte = " ".join(nom.split())
        ville = " ".join(commune.split()) if commune and commune.strip() else None
        code_postal = None
        if ville:
            trouve = _CODE_POSTAL.search(ville)
            if trouve:
                code_postal = trouve.group(1).replace(" ", "")
                ville = (ville[: trouve.start()] + " " + ville[trouve.end() :]).strip(" ,-") or None
        trouve = _CODE_POSTAL.search(texte)
        if trouve:
            code_postal = code_postal or trouve.group(1).replace(" ", "")
            avant, apres = texte[: trouve.start()], texte[trouve.end() :].strip(" ,-–—")
            if apres and not ville and self._est_commune(apres):  # 'LEGTA DE LAVAL 53013 Laval'
                ville, apres = apres, ""
            texte = " ".join(f"{avant} {apres}".split())
        sigles = []
        for contenu in _PARENTHESES.findall(texte):
            interieur = contenu.strip(" ,")
            if interieur and self._est_commune(interieur):
                ville = ville or interieur
            elif len(interieur.split()) > 1 or not _distinctifs(_mots(interieur))[0]:
                continue  # words of the name: '(voie professionnelle)', '(LYCÉE)'
            else:
                sigles.append(interieur)  # an acronym '(LYPSO)': the name, if nothing else names it
            texte = texte.replace(f"({contenu})", " ")
        texte = " ".join(texte.split()).strip(" ,-–—")
        fin = _VILLE_FINALE.match(texte)
        if fin and self._est_commune(fin.group(2)):
            ville, texte = ville or fin.group(2).strip(), fin.group(1)
        mots = _mots(texte)
        distinctifs, avant = _distinctifs(mots)
        distinctifs = tuple(dict.fromkeys(distinctifs))
        if not distinctifs and sigles:  # 'LYCÉE PROFESSIONNEL PRIVÉ (ESTIC)'
            mots = _mots(f"{texte} {' '.join(sigles)}")
            distinctifs, avant = _distinctifs(mots)
        sigles = {m for m in re.findall(r"[A-Z]{2,}", texte)}
        ecole = bool(set(mots) & (_TYPES - {"prive", "privee", "public", "publique", "general", "generale"} | _ECOLES))
        ecole = ecole or bool(sigles & _ABREVIATIONS_TYPE)
        return _Requete(
            mots=distinctifs,
            avant_metiers=avant,
            nature=_nature(mots, texte),
            prive="prive" in mots or "privee" in mots,
            ecole=ecole,
            lycee=bool(set(mots) & _LYCEE),
            autres=frozenset(set(mots) & _AUTRES),
            ville=ville,
            code_postal=code_postal,
            nom_complet=" ".join(mots),
        )

    # --- candidates -------------------------------------------------------------------------
    def _dans_la_ville(self, ville: str | None, code_postal: str | None) -> list[_Entree] | None:
        """Establishments of the town (and postcode) given; None when no town nor postcode is given."""
        if not ville and not code_postal:
            return None
        if not ville:
            deps = communes.departements_du_code_postal(code_postal)
            return [e for e in self._entrees if e.departement in deps]
        cle = cle_nom(ville)
        cles = {cle, *self._prefixes(cle)}
        cles.update(k for k, _, _ in process.extract(cle, self._cles_communes, scorer=fuzz.ratio, score_cutoff=90))
        trouves = {e.uai: e for k in cles for e in self._par_commune.get(k, ())}
        for commune in communes.correspondances(ville, code_postal=code_postal):
            trouves.update((e.uai, e) for e in self._par_code_commune.get(commune.code, ()))
        liste = list(trouves.values())
        if code_postal:
            deps = communes.departements_du_code_postal(code_postal)
            liste = [e for e in liste if e.departement is None or e.departement in deps]
        return liste

    def _prefixes(self, cle: str) -> list[str]:
        """Town keys one word-prefix of the other: 'berck sur mer' <-> 'berck' (the data's name)."""
        mots = cle.split()
        courts = [k for n in range(1, len(mots)) if (k := " ".join(mots[:n])) in self._par_commune]
        debut = bisect.bisect_left(self._cles_communes, cle + " ")
        longs = []
        for k in self._cles_communes[debut:]:
            if not k.startswith(cle + " "):
                break
            longs.append(k)
        return courts + longs

    def _preselection(self, requete: _Requete) -> list[_Entree]:
        texte = " ".join(requete.mots)
        choisis: dict[int, None] = {}
        for scorer in (fuzz.token_set_ratio, fuzz.token_sort_ratio):
            for _, _, i in process.extract(texte, self._textes, scorer=scorer, limit=40, score_cutoff=60):
                choisis[i] = None
        return [self._entrees[i] for i in choisis]

    def _score(self, requete: _Requete, e: _Entree, ville_donnee: bool) -> float | None:
        """Score of one candidate, None when it cannot be this establishment."""
        if not requete.autres <= e.mots_nom or not (e.mots_nom & _AUTRES_STRICTS) <= requete.autres:
            return None  # 'IUT de Lannion' is no lycée of Lannion, 'Lycée de Lannion' no IUT
        if requete.lycee and e.non_lycee:
            return None  # 'Lycée Jean Moulin' is not the 'Collège Jean Moulin'
        mots_ville = set(e.cle_commune.split()) - _VIDES
        variantes_q = {requete.mots, requete.avant_metiers}
        sans_ville = tuple(m for m in requete.mots if m not in mots_ville)
        ville_lue = bool(sans_ville) and len(sans_ville) < len(requete.mots) and _ville_ecrite(mots_ville, requete.mots)
        if ville_lue:
            variantes_q.add(sans_ville)
        variantes_c = {e.mots, e.avant_metiers, tuple(m for m in e.mots if m not in mots_ville)}
        meilleur, partiel = 0.0, False
        for q in variantes_q:
            if not q:
                continue
            for c in variantes_c:
                if not c:
                    continue
                tq, tc = " ".join(q), " ".join(c)
                meilleur = max(
                    meilleur, fuzz.token_sort_ratio(tq, tc), fuzz.ratio(tq.replace(" ", ""), tc.replace(" ", ""))
                )
                propres = [m for m in q if m not in mots_ville]
                partiel = partiel or bool(propres) and all(_mot_present(m, c) for m in propres)
                # 'Lycée hôtelier et de tourisme Paul Augier' holds all of 'LYCÉE PAUL AUGIER'
                partiel = partiel or len(c) >= 2 and requete.ecole and all(_mot_present(m, q) for m in c)
        if partiel and meilleur < _PARTIEL_CONFIRME:
            confirme = requete.ecole and (ville_donnee or ville_lue)
            meilleur = max(meilleur, _PARTIEL_CONFIRME if confirme else _PARTIEL)
        return meilleur or None

    @staticmethod
    def _ajustement(requete: _Requete, e: _Entree) -> float:
        """Type agreement: 'LP Branly' prefers the LP Branly (0) to the lycée Branly of the same town (-5)."""
        malus = 0.0
        if requete.nature:
            famille = {"SEP": "LP", "SGT": "LGT"}
            if {requete.nature, e.nature} in ({"LP", "LGT"}, {"agricole", "LGT"}, {"agricole", "LP"}):
                malus = _TYPE_CONTRAIRE
            elif requete.nature not in (e.nature, famille.get(e.nature)):
                malus = _AUTRE_TYPE
        if requete.prive and not e.prive:
            malus += _PAS_PRIVE
        return -malus

    def _classer(self, requete: _Requete) -> list[tuple[float, _Entree, float]]:
        """(score, establishment, name score) of the candidates, best first; the score is the name
        score adjusted by type agreement."""
        dans_ville = self._dans_la_ville(requete.ville, requete.code_postal)
        if not requete.mots:
            return self._sans_nom_propre(requete, dans_ville)
        entrees = dans_ville if dans_ville is not None else self._preselection(requete)
        notes = []
        for e in entrees:
            score = self._score(requete, e, dans_ville is not None and requete.ville is not None)
            if score is not None and score >= SEUIL_CANDIDAT:
                notes.append((score + self._ajustement(requete, e), e, score))
        notes.sort(key=lambda n: (-n[0], n[1].section, n[1].uai))
        return _sans_sections(notes)

    def _sans_nom_propre(
        self, requete: _Requete, dans_ville: list[_Entree] | None
    ) -> list[tuple[float, _Entree, float]]:
        """'LYCÉE PROFESSIONNEL AGRICOLE (Riscle)': only the same generic name, in the town given."""
        if not requete.ville or not requete.nom_complet or not requete.ecole:
            return []
        notes = [
            (score, e, score)
            for e in dans_ville or ()
            if not e.mots
            and requete.autres <= e.mots_nom
            and not (requete.lycee and e.non_lycee)
            and (score := self._meme_nom_generique(requete, e)) >= SEUIL_TROUVE
        ]
        return sorted(notes, key=lambda n: (-n[0], n[1].uai))

    @staticmethod
    def _meme_nom_generique(requete: _Requete, e: _Entree) -> float:
        """'LP AGRICOLE' is 'LYCÉE PROFESSIONNEL AGRICOLE': same kind, same sector; else the words."""
        if (requete.nature, requete.prive) == (e.nature, e.prive):
            return 100.0
        return fuzz.token_sort_ratio(requete.nom_complet, e.nom_complet)

    # --- public API -------------------------------------------------------------------------
    def rapprocher(self, nom: str, commune: str | None = None) -> Rapprochement:
        """The UAI of the establishment named `nom` (town in the name or in `commune`), or why not."""
        if _trop_long(nom, commune):
            return Rapprochement("inconnu", None, None, [])
        requete = self._lire(nom or "", commune)
        notes = self._classer(requete)
        candidats = [_candidat(e, s) for s, e, _ in notes[:5]]
        if not notes:
            return Rapprochement("inconnu", None, None, [])
        meilleur, e, nom = notes[0]
        suivant = notes[1][0] if len(notes) > 1 else 0.0
        if nom < SEUIL_TROUVE:
            return Rapprochement("inconnu", None, candidats[0].score, candidats)
        dit_ecole = requete.ecole or bool(requete.autres & e.mots_nom)
        if suivant > meilleur - MARGE or not dit_ecole:
            return Rapprochement("ambigu", None, candidats[0].score, candidats)
        return Rapprochement("trouve", e.uai, candidats[0].score, candidats)

    def chercher(self, texte: str, commune: str | None = None, limite: int = 10) -> list[Candidat]:
        """Establishments matching a name, a UAI or a town, best first."""
        texte = (texte or "").strip()
        if _trop_long(texte, commune):
            return []
        uai = _UAI.match(texte)
        if uai:
            e = self._par_uai.get(uai.group(1).upper())
            return [_candidat(e, 100.0)] if e else []
        requete = self._lire(texte, commune)
        if not requete.mots and requete.ville:
            ville = self._dans_la_ville(requete.ville, requete.code_postal) or []
            return [_candidat(e, 100.0) for e in sorted(ville, key=lambda e: (normaliser(e.nom), e.uai))][:limite]
        if requete.mots and not requete.ville and not commune and self._est_commune(texte):
            ville = self._dans_la_ville(texte, None) or []
            if ville:
                return [_candidat(e, 100.0) for e in sorted(ville, key=lambda e: (normaliser(e.nom), e.uai))][:limite]
        return [_candidat(e, s) for s, e, _ in self._classer(requete)[:limite]]


def _trop_long(*textes: str | None) -> bool:
    return any(len(t) > LONGUEUR_MAX for t in textes if t)


def _ville_ecrite(mots_ville: set[str], mots: tuple[str, ...]) -> bool:
    """The town is written in the name: all its words, or its longest one ('Lycée hôtelier du Touquet')."""
    if not mots_ville:
        return False
    plus_long = max(sorted(mots_ville), key=len)
    return mots_ville <= set(mots) or (
        len(plus_long) >= 5 and plus_long not in {"saint", "sainte"} and plus_long in mots
    )


def _mot_present(mot: str, mots: tuple[str, ...]) -> bool:
    """A word among others, one typo allowed in words of 5 letters or more."""
    return mot in mots or (len(mot) >= 5 and any(fuzz.ratio(mot, m) >= 80 for m in mots if len(m) >= 4))


def _sans_sections(notes: list[tuple[float, _Entree, float]]) -> list[tuple[float, _Entree, float]]:
    """Drop a section (SEP, SGT) when its lycée (same town, same distinctive name) is a candidate too."""
    lycees = [e for _, e, _ in notes if not e.section]
    garder = []
    for note in notes:
        e = note[1]
        parent = e.section and any(
            l.cle_commune == e.cle_commune and fuzz.token_sort_ratio(" ".join(l.mots), " ".join(e.mots)) >= 90
            for l in lycees
        )
        if not parent:
            garder.append(note)
    return garder


def _candidat(e: _Entree, score: float) -> Candidat:
    return Candidat(e.uai, e.nom, e.type, e.commune, e.code_commune, round(min(score, 100.0), 1))


_PAR_BASE: dict[str, tuple[tuple, IndexEtablissements]] = {}
_VERROU = threading.Lock()


@cache
def _embarque() -> IndexEtablissements:
    fichier = resources.files("cmq").joinpath("data", "lycees.csv.gz")
    with fichier.open("rb") as brut, gzip.open(brut, "rt", encoding="utf-8", newline="") as flux:
        return IndexEtablissements(
            _entree(
                codes.normaliser_uai(l["uai"]), l["nom"], l["type"] or None, l["secteur"] or None,
                l["nom_commune"] or None, l["code_commune"] or None, l["departement"] or None,
            )
            for l in csv.DictReader(flux)
        )  # fmt: skip


COLONNES_AJOUTEES = ("uai_rapproche", "statut_rapprochement", "score", "candidats")


@dataclass(frozen=True, slots=True)
class ResumeFichier:
    """What `rapprocher_fichier` wrote: output path, rows, and rows per status (plus "vide")."""

    sortie: Path
    colonne: str
    lignes: int
    statuts: dict[str, int]


def sortie_par_defaut(entree: Path) -> Path:
    """`<name>_rapprochement.<ext>` beside the input file."""
    return entree.with_name(f"{entree.stem}_rapprochement{entree.suffix}")


def texte_candidats(candidats: list[Candidat]) -> str:
    """'0801336T LYCÉE PROFESSIONNEL ÉDOUARD BRANLY (Amiens) 95.0 | …' for a table cell."""
    return " | ".join(f"{c.uai} {c.nom} ({c.commune or 'commune inconnue'}) {c.score:.1f}" for c in candidats)


def rapprocher_fichier(
    entree: Path | str,
    colonne_nom: str,
    sortie: Path | str | None = None,
    *,
    colonne_commune: str | None = None,
    feuille: str | None = None,
    index: IndexEtablissements | None = None,
) -> ResumeFichier:
    """Match every name of a CSV/XLSX column and write the table with `COLONNES_AJOUTEES` beside it.

    All or nothing: a bad input (unreadable file, missing column, output = input, unsupported
    extension) raises a French error before anything is written; the output is written atomically.
    """
    entree = Path(entree)
    cible = Path(sortie) if sortie is not None else sortie_par_defaut(entree)
    if cible.suffix.lower() not in EXTENSIONS:
        raise EntreeInvalide(f"fichier de sortie « {cible.name} » : extension {', '.join(EXTENSIONS)} attendue")
    if cible.resolve() == entree.resolve() or (cible.exists() and entree.exists() and cible.samefile(entree)):
        raise EntreeInvalide(
            f"la sortie « {cible} » est le fichier d'entrée : choisissez un autre nom (-o) ; "
            "l'entrée n'est jamais modifiée"
        )
    table = lire_tableau(entree, feuille)
    source = colonne(table, colonne_nom)
    source_commune = colonne(table, colonne_commune) if colonne_commune else None
    index = index or IndexEtablissements.embarque()
    statuts = dict.fromkeys(("trouve", "ambigu", "inconnu", "vide"), 0)
    lignes = []
    for ligne in table.lignes:
        nom = ligne[source]
        if nom.strip():
            r = index.rapprocher(nom, ligne[source_commune] if source_commune else None)
            ajout = (r.uai or "", r.statut, "" if r.score is None else f"{r.score:.1f}", texte_candidats(r.candidats))
        else:
            ajout = ("", "vide", "", "")
        statuts[ajout[1]] += 1
        lignes.append({**ligne, **dict(zip(COLONNES_AJOUTEES, ajout, strict=True))})
    colonnes = [*table.colonnes, *(c for c in COLONNES_AJOUTEES if c not in table.colonnes)]
    ecrire_tableau(
        cible, colonnes, lignes, separateur=table.separateur or ",", bom=table.encodage in ("utf-8-sig", "cp1252")
    )
    return ResumeFichier(cible, source, len(table.lignes), statuts)

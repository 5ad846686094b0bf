"""Orion glossary entries: Markdown files with a YAML front matter.

Parsing follows tjp-pilotage (server/src/modules/glossaire/.../getGlossaireEntryFromMarkdown.dep.ts),
which uses gray-matter: the slug is the file name without `.md`; `content` is the text after the
closing `---` line minus its first line break (so it starts with the blank line that follows the
front matter); the front matter keys map to the API fields as in `CLES`. Every field is optional, as in Orion
(`data.x ?? ""`): a missing key, an empty value or a file without front matter gives "" (the whole
file is then the content). Unlike Orion, which silently turns a broken file (invalid YAML, front
matter never closed, a value that is not a text) into a 404, we reject it with a French message.
"""

import math
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict

from cmq import texte
from cmq.errors import EntreeInvalide, FichierIllisible, IntrouvableError

# Orion JSON field -> front matter key, in the order Orion writes the front matter.
CLES = {
    "type": "Type d'indicateur",
    "createdBy": "Created by",
    "status": "statut",
    "title": "title",
    "icon": "icon",
}
OUVERTURE = "---"
FERMETURE = "\n---"  # gray-matter looks for the first "\n---" after the opening line
_DOSSIER = ("data", "glossaire")


class EntreeGlossaire(BaseModel):
    """One glossary entry, with the field names of Orion's API (`GET /glossaire/:slug`)."""

    model_config = ConfigDict(frozen=True)

    title: str
    type: str
    createdBy: str
    status: str
    content: str
    icon: str
    slug: str


def _decouper(texte_md: str) -> tuple[str, str]:
    """Split into (raw front matter, body) the way gray-matter does ("" and the whole text without one)."""
    texte_md = texte_md.removeprefix("\ufeff")
    if not texte_md.startswith(OUVERTURE) or texte_md[3:4] == "-":
        return "", texte_md
    reste = texte_md[len(OUVERTURE) :]
    fin_ligne = reste.find("\n")
    langue = (reste if fin_ligne < 0 else reste[:fin_ligne]).strip()
    if langue and langue.lower() != "yaml":
        raise EntreeInvalide(f"front matter en « {langue} » non pris en charge : YAML attendu")
    fin = reste.find(FERMETURE, max(fin_ligne, 0))
    if fin_ligne < 0 or fin < 0:
        raise EntreeInvalide("front matter non fermé : ligne « --- » de fin introuvable")
    brut, corps = reste[fin_ligne:fin], reste[fin + len(FERMETURE) :]  # brut starts with line 1's "\n"
    corps = corps.removeprefix("\r").removeprefix("\n")
    return brut, corps


def _lire_yaml(brut: str) -> dict:
    try:
        donnees = yaml.safe_load(brut)
    except yaml.YAMLError as erreur:
        marque = getattr(erreur, "problem_mark", None)
        ligne = f" (ligne {marque.line + 1} du fichier)" if marque else ""
        motif = getattr(erreur, "problem", None) or str(erreur)
        raise EntreeInvalide(f"YAML invalide dans le front matter{ligne} : {motif}") from None
    if donnees is None:
        donnees = {}
    if not isinstance(donnees, dict):
        raise EntreeInvalide(
            f"le front matter doit être une suite de lignes « clé: valeur », pas un {type(donnees).__name__}"
        )
    return donnees


def parse(texte_md: str, slug: str | None = None) -> EntreeGlossaire:
    """Parse an entry; without `slug`, derive it from the title ('CMQ' -> 'cmq')."""
    brut, corps = _decouper(texte_md)
    donnees = _lire_yaml(brut)
    for cle in CLES.values():
        if donnees.get(cle) is not None and not isinstance(donnees[cle], str):
            raise EntreeInvalide(f"la clé « {cle} » doit être un texte, reçu : {donnees[cle]!r}")
    champs = {champ: donnees.get(cle) or "" for champ, cle in CLES.items()}  # Orion: data[cle] ?? ""
    slug = slug if slug is not None else texte.slug(champs["title"])
    if not slug:
        raise EntreeInvalide("identifiant (slug) de l'entrée vide : sans titre, donnez le nom du fichier")
    return EntreeGlossaire(**champs, content=corps, slug=slug)


def lire_texte(chemin: str | Path) -> str:
    """A UTF-8 file's text, byte for byte (no newline translation); FichierIllisible otherwise."""
    chemin = Path(chemin)
    try:
        octets = chemin.read_bytes()
    except FileNotFoundError:
        raise FichierIllisible(f"fichier introuvable : {chemin}") from None
    except IsADirectoryError:
        raise FichierIllisible(f"{chemin} est un dossier, pas un fichier") from None
    except OSError as erreur:
        raise FichierIllisible(f"fichier illisible : {chemin} ({erreur.strerror})") from None
    try:
        return octets.decode("utf-8")
    except UnicodeDecodeError as erreur:
        raise FichierIllisible(
            f"fichier illisible : {chemin} n'est pas en UTF-8 "
            f"(octet 0x{octets[erreur.start]:02x} en position {erreur.start})"
        ) from None


def parse_fichier(chemin: str | Path) -> EntreeGlossaire:
    """Parse a glossary file; its slug is the file name without extension, as in Orion."""
    chemin = Path(chemin)
    contenu = lire_texte(chemin)
    try:
        return parse(contenu, slug=chemin.stem)
    except EntreeInvalide as erreur:
        raise EntreeInvalide(f"{chemin.name} : {erreur}") from None


def rendre(entree: EntreeGlossaire, avec_chiffres: str | None = None) -> str:
    """Markdown with front matter; `avec_chiffres` (a Markdown block) goes after the body."""
    donnees = {cle: getattr(entree, champ) for champ, cle in CLES.items()}
    front = yaml.safe_dump(donnees, allow_unicode=True, sort_keys=False, width=math.inf)
    sortie = f"{OUVERTURE}\n{front}{OUVERTURE}\n{entree.content}"
    if avec_chiffres is None or not avec_chiffres.strip():
        return sortie
    return sortie.rstrip("\n") + "\n\n" + avec_chiffres.strip("\n") + "\n"


def _dossier():
    return resources.files("cmq").joinpath(*_DOSSIER)


def entrees() -> list[str]:
    """Slugs of the packaged entries."""
    return sorted(
        f.name.removesuffix(".md") for f in _dossier().iterdir() if f.name.endswith(".md") and f.name != "README.md"
    )


def texte_brut(slug: str) -> str:
    """The packaged file of an entry, exactly as stored."""
    disponibles = entrees()
    if slug not in disponibles:
        raise IntrouvableError(
            f"entrée de glossaire inconnue « {slug} » ; disponibles : {', '.join(disponibles) or 'aucune'}"
        )
    return _dossier().joinpath(f"{slug}.md").read_bytes().decode("utf-8")


def entree(slug: str) -> EntreeGlossaire:
    """The packaged entry `slug` (e.g. 'cmq'), parsed."""
    return parse(texte_brut(slug), slug=slug)

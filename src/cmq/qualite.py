"""Quality of the directory: for each field, how many campuses have it and which lack it, and
which campuses rest on a source that is not an official page.

Fields: seat (town), coordinates, label start date, excellence (known), members (at least one,
with or without UAI), source (page address).

Source rule (`genre_source`, by the host of `source_url`, first rule that applies):

1. « officielle » — a State or public host: `*.gouv.fr`, an académie (`ac-*.fr` and its
   sub-domains, `ac-*.mq`…), ONISEP, a région or another local authority (`HOTES_COLLECTIVITES`),
   a university (`univ-*`, `u-*` hosts, `HOTES_UNIVERSITES`);
2. « campus » — the campus's own site: the host of one of the directory's `site_web`, or a host
   naming a campus (`campus` or `cmq` in its name);
3. « miroir ou agrégateur » — a document mirror, a news aggregator or a personal blog
   (`HOTES_MIROIRS`, `*.wordpress.com`, `*.unblog.fr`, `*.over-blog.com`);
4. « presse ou autre » — any other host (press, trade bodies, associations);
5. « absente » — no source address.
"""

import re
from urllib.parse import urlsplit

from pydantic import BaseModel

from cmq.models import Campus
from cmq.store import lecture, schema

OFFICIELLE, CAMPUS, MIROIR, PRESSE, ABSENTE = (
    "officielle",
    "campus",
    "miroir ou agrégateur",
    "presse ou autre",
    "absente",
)
GENRES = (OFFICIELLE, CAMPUS, MIROIR, PRESSE, ABSENTE)

HOTES_COLLECTIVITES = frozenset(
    {
        "hautsdefrance.fr",
        "laregion.fr",
        "collectivitedemartinique.mq",
        "grandparissud.fr",
        "banquedesterritoires.fr",
        "ctguyane.fr",
        "cc-flandreinterieure.fr",
    }
)
HOTES_UNIVERSITES = frozenset({"ecole-universitaire-paris-saclay.fr", "u-pec.fr"})
HOTES_MIROIRS = frozenset({"ru24.net", "frdocs.com", "fdocuments.fr", "fr.readkong.com", "ar-nevez.org"})
_OFFICIEL = re.compile(r"(^|\.)(gouv\.fr|ac-[a-z-]+\.[a-z]+|onisep\.fr|univ-[a-z0-9-]+\.fr|u-[a-z0-9-]+\.fr)$")
_BLOGS = re.compile(r"(^|\.)(wordpress\.com|unblog\.fr|over-blog\.com|blogspot\.com)$")
_CAMPUS = re.compile(r"campus|(^|[.-])cmq")


class ChampQualite(BaseModel):
    """One field: how many campuses have it, and the ids of those that lack it."""

    champ: str
    libelle: str
    nb_avec: int
    nb_campus: int
    sans: list[str]


class SourceCampus(BaseModel):
    """The source of a campus and its kind (see the module's rule)."""

    campus_id: str
    nom: str
    hote: str | None
    genre: str
    source_url: str | None


class RapportQualite(BaseModel):
    """Completeness of each field and the kinds of sources, over the whole directory."""

    nb_campus: int
    champs: list[ChampQualite]
    sources: dict[str, int]  # kind -> number of campuses, every kind of GENRES
    non_officielles: list[SourceCampus]  # mirror/aggregator first, then press, then no source

    def champ(self, nom: str) -> ChampQualite:
        """The entry of one field ('siege', 'coordonnees', 'dates_label', 'excellence', 'membres', 'source')."""
        return next(c for c in self.champs if c.champ == nom)


def hote(url: str | None) -> str | None:
    """Host of an address without 'www.', lower case; None without address."""
    if not url:
        return None
    return urlsplit(url.strip()).netloc.lower().removeprefix("www.") or None


def genre_source(url: str | None, sites_campus: frozenset[str] = frozenset()) -> str:
    """Kind of a source address (module rule): officielle, campus, miroir ou agrégateur, presse ou autre, absente."""
    h = hote(url)
    if h is None:
        return ABSENTE
    if _OFFICIEL.search(h) or h in HOTES_COLLECTIVITES or h in HOTES_UNIVERSITES:
        return OFFICIELLE
    if h in sites_campus or _CAMPUS.search(h):
        return CAMPUS
    if h in HOTES_MIROIRS or _BLOGS.search(h):
        return MIROIR
    return PRESSE


CHAMPS = (
    ("siege", "Ville du siège", lambda c, m: bool(c.ville_siege)),
    ("coordonnees", "Coordonnées du siège", lambda c, m: c.latitude is not None and c.longitude is not None),
    ("dates_label", "Date de début du label", lambda c, m: c.date_debut_label is not None),
    ("excellence", "Mention Excellence connue", lambda c, m: c.excellence is not None),
    ("membres", "Membres connus", lambda c, m: c.id in m),
    ("source", "Adresse de la source", lambda c, m: bool(c.provenance.source_url)),
)


def rapport(campus: list[Campus], avec_membres: set[str]) -> RapportQualite:
    """The report for these campuses (`avec_membres`: ids of the campuses with member data)."""
    champs = [
        ChampQualite(
            champ=cle,
            libelle=libelle,
            nb_avec=sum(1 for c in campus if test(c, avec_membres)),
            nb_campus=len(campus),
            sans=[c.id for c in campus if not test(c, avec_membres)],
        )
        for cle, libelle, test in CHAMPS
    ]
    sites = frozenset(h for c in campus if (h := hote(c.site_web)))
    sources = [
        SourceCampus(
            campus_id=c.id,
            nom=c.nom,
            hote=hote(c.provenance.source_url),
            genre=genre_source(c.provenance.source_url, sites),
            source_url=c.provenance.source_url,
        )
        for c in campus
    ]
    ordre = {MIROIR: 0, PRESSE: 1, ABSENTE: 2}
    non_officielles = sorted(
        (s for s in sources if s.genre in ordre), key=lambda s: (ordre[s.genre], s.hote or "", s.campus_id)
    )
    return RapportQualite(
        nb_campus=len(campus),
        champs=champs,
        sources={g: sum(1 for s in sources if s.genre == g) for g in GENRES},
        non_officielles=non_officielles,
    )


def qualite(url: str | None = None) -> RapportQualite:
    """Quality report of the store `url` (default database)."""
    with schema.session_lecture(url) as s:
        campus, _ = lecture.lister_campus(s)
        return rapport(campus, lecture.campus_avec_membres(s))

"""cmq.filieres: the 12 filières, free-text search and normalisation."""

import json
import re
from importlib import resources

import pydantic
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cmq import filieres
from cmq.errors import EntreeInvalide, FiliereInconnue
from cmq.filieres import FILIERES, normalize, search

MOBILITE = "mobilite-aeronautique-transports-terrestres-et-maritimes"
TOURISME = "tourisme-gastronomie"
CREATION = "creation-design-audiovisuel"
CHIMIE = "chimie-et-biotechnologies"
MATERIAUX = "materiaux-materiaux-innovants"
BATIMENT = "infrastructures-batiment-eco-construction"
ENERGIE = "transition-energetique-eco-industrie"
SYSTEMES = "systemes-innovants-mecatronique"
PERSONNE = "services-a-la-personne-bien-etre"
ENTREPRISES = "services-aux-entreprises-logistique"
ALIMENTAIRE = "alimentaire-agroalimentaire"
NUMERIQUE = "numerique-telecommunications"


def code(texte: str) -> str | None:
    f = normalize(texte).filiere
    return f.code if f else None


# --- the list itself ----------------------------------------------------------------------------


def test_ordre_libelles_et_pages_du_glossaire():
    glossaire = resources.files("cmq").joinpath("data/glossaire/cmq.md").read_text(encoding="utf-8")
    liens = re.findall(r"^- \[(.+)\]\((https://[^)]+)\)$", glossaire, flags=re.M)
    assert [(f.libelle, f.url) for f in FILIERES] == [(lib.replace("\xa0", " "), url) for lib, url in liens]
    assert all(code(lib) == f.code for (lib, _), f in zip(liens, FILIERES, strict=True))  # even with NBSP
    assert filieres.codes() == (
        MOBILITE,
        TOURISME,
        CREATION,
        CHIMIE,
        MATERIAUX,
        BATIMENT,
        ENERGIE,
        SYSTEMES,
        PERSONNE,
        ENTREPRISES,
        ALIMENTAIRE,
        NUMERIQUE,
    )
    assert filieres.all() is FILIERES
    assert filieres.get(" Numerique-Telecommunications ").libelle == "Numérique, télécommunications"


def test_get_code_inconnu():
    with pytest.raises(FiliereInconnue, match="filière inconnue : « btp ». Codes valides : mobilite-"):
        filieres.get("btp")


def test_chaque_mot_cle_designe_sa_filiere_et_aucune_autre():
    for f in FILIERES:
        assert len(f.mots_cles) >= 10, f.code
        for terme in (*f.mots_cles, f.libelle_court, *f.libelle.split(",")):
            decision = normalize(terme)
            assert decision.statut == "normalise", (terme, decision)
            assert decision.filiere == f, (terme, decision.filiere)


# --- exact inputs -------------------------------------------------------------------------------


@pytest.mark.parametrize("f", FILIERES, ids=lambda f: f.code)
def test_libelle_exact_toutes_formes(f):
    for texte in (f.libelle, f.libelle.upper(), f.libelle.lower(), "  " + f.libelle + " !"):
        decision = normalize(texte)
        assert (decision.filiere, decision.score, decision.statut) == (f, 100.0, "normalise")
    assert search(f.libelle)[0].motif == "libellé"


@pytest.mark.parametrize("f", FILIERES, ids=lambda f: f.code)
def test_code_exact(f):
    premier = search(f.code.upper())[0]
    assert (premier.filiere, premier.score, premier.motif, premier.terme) == (f, 100.0, "code", f.code)
    assert code(f.code) == f.code


# --- synonyms, prefixes, typos, word order ---------------------------------------------------------


@pytest.mark.parametrize(
    ("texte", "attendu"),
    [
        ("BTP", BATIMENT),
        ("travaux publics", BATIMENT),
        ("Génie civil", BATIMENT),
        ("batiment", BATIMENT),
        ("éco-construction", BATIMENT),
        ("construction", BATIMENT),
        ("aero", MOBILITE),
        ("aéronautique", MOBILITE),
        ("ferroviaire", MOBILITE),
        ("transport", MOBILITE),
        ("naval", MOBILITE),
        ("automobile", MOBILITE),
        ("agroalimentaire", ALIMENTAIRE),
        ("IAA", ALIMENTAIRE),
        ("viticulture", ALIMENTAIRE),
        ("industries alimentaires", ALIMENTAIRE),
        ("hôtellerie", TOURISME),
        ("restauration", TOURISME),
        ("cuisine", TOURISME),
        ("coiffure", PERSONNE),
        ("santé", PERSONNE),
        ("sanitaire et social", PERSONNE),
        ("silver économie", PERSONNE),
        ("esthétique", PERSONNE),
        ("sport", PERSONNE),
        ("nucléaire", ENERGIE),
        ("hydrogène", ENERGIE),
        ("éolien", ENERGIE),
        ("déchets", ENERGIE),
        ("robotique", SYSTEMES),
        ("industrie 4.0", SYSTEMES),
        ("usinage", SYSTEMES),
        ("maintenance", SYSTEMES),
        ("plasturgie", MATERIAUX),
        ("métallurgie", MATERIAUX),
        ("composites", MATERIAUX),
        ("céramique", MATERIAUX),
        ("cosmétique", CHIMIE),
        ("pharmacie", CHIMIE),
        ("biotechnologies", CHIMIE),
        ("cyber", NUMERIQUE),
        ("cybersécurité", NUMERIQUE),
        ("IA", NUMERIQUE),
        ("data", NUMERIQUE),
        ("télécoms", NUMERIQUE),
        ("numérique", NUMERIQUE),
        ("logistique", ENTREPRISES),
        ("supply chain", ENTREPRISES),
        ("banque", ENTREPRISES),
        ("vente", ENTREPRISES),
        ("métiers d'art", CREATION),
        ("jeu vidéo", CREATION),
        ("cinéma", CREATION),
        ("mode", CREATION),
    ],
)
def test_synonymes(texte, attendu):
    assert code(texte) == attendu
    assert search(texte)[0].filiere.code == attendu


@pytest.mark.parametrize("texte", ["aero", "btp", "agroalimentaire", "numérique", "batiment", "IAA", "cyber"])
def test_saisies_courtes_en_tete(texte):
    premier = search(texte)[0]
    assert premier.score == 100.0
    assert (
        premier.filiere.code
        == {
            "aero": MOBILITE,
            "btp": BATIMENT,
            "agroalimentaire": ALIMENTAIRE,
            "numérique": NUMERIQUE,
            "batiment": BATIMENT,
            "IAA": ALIMENTAIRE,
            "cyber": NUMERIQUE,
        }[texte]
    )


@pytest.mark.parametrize(
    ("texte", "attendu"),
    [
        ("aeronaut", MOBILITE),
        ("mecatro", SYSTEMES),
        ("informat", NUMERIQUE),
        ("plastur", MATERIAUX),
        ("Aérocampus Auvergne", MOBILITE),
        ("Plasticampus", MATERIAUX),
    ],
)
def test_prefixes(texte, attendu):
    decision = normalize(texte)
    assert decision.filiere.code == attendu
    assert 65 <= decision.score < 100


@pytest.mark.parametrize(
    ("texte", "attendu", "score"),
    [
        ("numerqiue", NUMERIQUE, 88.9),
        ("batimant", BATIMENT, 87.5),
        ("hotelerie", TOURISME, 90.0),
        ("plasturgei", MATERIAUX, 90.0),
        ("logistiuqe", ENTREPRISES, 90.0),
        ("robt", SYSTEMES, 80.0),
        ("télécomunications", NUMERIQUE, 94.1),
    ],
)
def test_fautes_de_frappe(texte, attendu, score):
    decision = normalize(texte)
    assert (decision.filiere.code, decision.score, decision.statut) == (attendu, score, "normalise")


@pytest.mark.parametrize(
    "texte",
    [
        "telecommunications numerique",
        "Télécommunications, NUMÉRIQUE",
        "numérique / télécommunications !!",
        "numerique-telecommunications",
        "  numérique   télécommunications  ",
    ],
)
def test_ordre_des_mots_ponctuation(texte):
    assert (code(texte), normalize(texte).score) == (NUMERIQUE, 100.0)


@pytest.mark.parametrize(
    ("texte", "attendu"),
    [
        ("CMQ BTP", BATIMENT),
        ("Filière : numérique", NUMERIQUE),
        ("campus des métiers aéronautique", MOBILITE),
        ("Campus des métiers et des qualifications Tourisme, hôtellerie, restauration (Nice)", TOURISME),
        ("Campus des métiers et des qualifications de la métallurgie et de la plasturgie de Picardie", MATERIAUX),
        ("Campus des métiers et des qualifications Santé, social et bien-être (Guyane)", PERSONNE),
        ("Nauti Campus Occitanie", MOBILITE),
    ],
)
def test_libelles_libres_reels(texte, attendu):
    assert code(texte) == attendu


@pytest.mark.parametrize(
    ("texte", "attendu", "ecarte"),
    [
        ("construction navale", MOBILITE, BATIMENT),
        ("industries agroalimentaires", ALIMENTAIRE, SYSTEMES),
        ("éco-industrie", ENERGIE, SYSTEMES),
        ("fibre optique", NUMERIQUE, None),
        ("cyber sécurité", NUMERIQUE, ENTREPRISES),
        ("rénovation énergétique", BATIMENT, ENERGIE),
        ("Industries de la mer", MOBILITE, SYSTEMES),
    ],
)
def test_le_terme_le_plus_long_l_emporte(texte, attendu, ecarte):
    resultats = search(texte, limit=12)
    assert resultats[0].filiere.code == attendu
    assert code(texte) == attendu
    if ecarte:
        autre = next(r for r in resultats if r.filiere.code == ecarte)
        assert resultats[0].score - autre.score >= filieres.MARGE


# --- ambiguous, unknown, invalid ---------------------------------------------------------------------


def test_services_seul_est_ambigu():
    decision = normalize("services")
    assert (decision.filiere, decision.statut) == (None, "ambigu")
    assert [c.filiere.code for c in decision.candidats] == [PERSONNE, ENTREPRISES]
    assert decision.candidats[0].score == decision.candidats[1].score == decision.score == 62.5


@pytest.mark.parametrize(
    "texte",
    [
        "BTP et usages du numérique",
        "Industrie et transition numérique",
        "auto",
        "Design et industrie du futur",
        "services",
    ],
)
def test_deux_filieres_proches_ambigu(texte):
    decision = normalize(texte)
    assert decision.statut == "ambigu"
    assert decision.filiere is None
    assert decision.candidats


@pytest.mark.parametrize("texte", ["xyzzy", "campus", "CMQ des métiers", "!!!", "12345", "Lyon"])
def test_inconnu(texte):
    decision = normalize(texte)
    assert (decision.filiere, decision.statut, decision.score, decision.candidats) == (None, "inconnu", 0.0, ())
    assert search(texte) == []


@pytest.mark.parametrize("texte", ["", "   ", "\t\n"])
def test_texte_vide(texte):
    with pytest.raises(EntreeInvalide, match="texte vide"):
        normalize(texte)
    with pytest.raises(EntreeInvalide, match="texte vide"):
        search(texte)


@pytest.mark.parametrize("valeur", [None, 42, b"BTP", ["BTP"]])
def test_texte_pas_une_chaine(valeur):
    with pytest.raises(EntreeInvalide, match="texte attendu"):
        normalize(valeur)


@pytest.mark.parametrize("limite", [0, -1, "3"])
def test_limite_invalide(limite):
    with pytest.raises(EntreeInvalide, match="limite invalide"):
        search("btp", limit=limite)


def test_limite_et_classement():
    resultats = search("industrie", limit=12)
    assert len(resultats) > 2
    assert [r.score for r in resultats] == sorted((r.score for r in resultats), reverse=True)
    assert search("industrie", limit=2) == resultats[:2]


# --- cache and immutability --------------------------------------------------------------------------


def test_cache_resultats_immuables():
    filieres.vider_cache()
    premier = normalize("Campus BTP")
    assert normalize("Campus BTP") is premier
    with pytest.raises(pydantic.ValidationError):
        premier.score = 1.0  # type: ignore[misc]
    assert isinstance(premier.candidats, tuple)
    filieres.vider_cache()
    nouveau = normalize("Campus BTP")
    assert nouveau is not premier
    assert nouveau == premier


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=60).filter(str.strip))
def test_proprietes_sur_tout_texte(texte):
    decision = normalize(texte)
    assert 0.0 <= decision.score <= 100.0
    assert (decision.filiere is not None) == (decision.statut == "normalise")
    assert decision.candidats == tuple(search(texte))
    if decision.candidats:
        assert decision.score == decision.candidats[0].score
        assert all(0.0 < c.score <= 100.0 for c in decision.candidats)
    if decision.statut == "normalise":
        assert decision.score >= filieres.SEUIL
        assert decision.filiere == decision.candidats[0].filiere


def test_code_de_un_code_un_libelle_ou_un_texte_libre():
    assert filieres.code_de("btp") == BATIMENT
    assert filieres.code_de(NUMERIQUE) == NUMERIQUE
    assert filieres.code_de("Tourisme, gastronomie") == TOURISME


def test_code_de_ambigu_ou_inconnu_nomme_les_candidats():
    with pytest.raises(FiliereInconnue, match="filière ambiguë « services » : candidates services-a-la-personne"):
        filieres.code_de(" services ")
    with pytest.raises(FiliereInconnue, match=r"filière inconnue « xyzzy »\. Codes valides : mobilite-"):
        filieres.code_de("xyzzy")
    with pytest.raises(EntreeInvalide):
        filieres.code_de("   ")


def test_referentiel_lu_dans_le_fichier_de_donnees():
    """The 12 filières come from data/filieres.json (no copy in the code): same order, labels, pages."""
    lignes = json.loads(resources.files("cmq").joinpath("data", "filieres.json").read_text(encoding="utf-8"))
    assert [(f.libelle, f.libelle_court, f.url, list(f.mots_cles)) for f in filieres.all()] == [
        (ligne["libelle"], ligne["libelle_court"], "https://www.education.gouv.fr/" + ligne["page"], ligne["mots_cles"])
        for ligne in lignes
    ]

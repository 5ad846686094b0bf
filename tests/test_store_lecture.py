"""Read queries on a small hand-built directory (SQLite and PostgreSQL): filters, territory rule,
label date rule, pagination, lookups, conversions."""

from datetime import UTC, date, datetime, timedelta

import pytest

from cmq.errors import CodeInvalide, EntreeInvalide, FiliereInconnue, IntrouvableError, TerritoireInconnu
from cmq.filtres import codes as filtres_codes
from cmq.filtres import codes_territoires as filtres_codes_territoires
from cmq.models import Campus, Provenance, RoleMembre
from cmq.store import conversion, db, lecture
from cmq.store.tables import CampusTable, ImportTable
from tests.annuaire_exemple import UAI_ABSENT, UAI_ARDECHE, UAI_LYON, UAI_SANS_CAMPUS, UAI_SAVOIE, remplir

TOUS = ["cmq-aero-alpes", "cmq-chimie-rouen", "cmq-numerique-lyon", "cmq-tourisme-nice"]


@pytest.fixture
def s(base_url):
    """A session on the example directory (once on SQLite, once on PostgreSQL)."""
    remplir(base_url)
    with db.session(base_url) as session:
        yield session


TEXTES = ("filiere", "region_academique", "academie", "departement")


def ids(s, **filtres) -> list[str]:
    """Ids of the campuses found, the free text of filière and territories resolved first, as the
    CLI, the API and the web pages do (`filtres.codes`): the store takes codes only."""
    codes = filtres_codes(**{k: v for k, v in filtres.items() if k in TEXTES})
    autres = {k: v for k, v in filtres.items() if k not in TEXTES}
    page, total = lecture.lister_campus(s, **codes, **autres)
    assert total == len(page) or "limite" in filtres or "decalage" in filtres
    return [c.id for c in page]


def test_sans_filtre_tous_les_campus_tries_par_identifiant(s):
    page, total = lecture.lister_campus(s)
    assert total == 4
    assert [c.id for c in page] == TOUS


@pytest.mark.parametrize(
    ("academie", "attendus"),
    [
        # cmq-aero-alpes spans 08 and 10; cmq-tourisme-nice (seat in Nice) has a member in Ardèche (08)
        ("08", ["cmq-aero-alpes", "cmq-tourisme-nice"]),
        ("Grenoble", ["cmq-aero-alpes", "cmq-tourisme-nice"]),
        ("10", ["cmq-aero-alpes", "cmq-numerique-lyon"]),
        ("Lyon", ["cmq-aero-alpes", "cmq-numerique-lyon"]),
        ("23", ["cmq-tourisme-nice"]),
        ("Rouen", ["cmq-chimie-rouen"]),  # former académie name, now Normandie (70)
        ("01", []),  # Paris
    ],
)
def test_regle_territoriale_academie(s, academie, attendus):
    assert ids(s, academie=academie) == attendus


@pytest.mark.parametrize(
    ("departement", "attendus"),
    [
        ("69", ["cmq-numerique-lyon"]),  # seat 69123 and support member
        ("Isère", ["cmq-aero-alpes"]),  # seat only (the Grenoble CFA is not a member)
        ("73", ["cmq-aero-alpes"]),  # member only
        ("07", ["cmq-tourisme-nice"]),  # member only
        ("6", ["cmq-tourisme-nice"]),  # seat 06088, code normalised
        ("76", ["cmq-chimie-rouen"]),
        ("2A", []),
    ],
)
def test_regle_territoriale_departement(s, departement, attendus):
    assert ids(s, departement=departement) == attendus


@pytest.mark.parametrize(
    ("region", "attendus"),
    [
        ("84", ["cmq-aero-alpes", "cmq-numerique-lyon", "cmq-tourisme-nice"]),  # Nice via its Ardèche member
        ("Auvergne-Rhône-Alpes", ["cmq-aero-alpes", "cmq-numerique-lyon", "cmq-tourisme-nice"]),
        ("93", ["cmq-tourisme-nice"]),
        ("Normandie", ["cmq-chimie-rouen"]),
        ("11", []),
    ],
)
def test_regle_territoriale_region_academique(s, region, attendus):
    assert ids(s, region_academique=region) == attendus


@pytest.mark.parametrize(
    ("jour", "attendus"),
    [
        (date(2025, 1, 1), ["cmq-aero-alpes", "cmq-tourisme-nice"]),  # numerique ended on 2024-12-31
        (date(2024, 12, 31), ["cmq-aero-alpes", "cmq-numerique-lyon", "cmq-tourisme-nice"]),  # end included
        (date(2023, 9, 1), ["cmq-aero-alpes", "cmq-numerique-lyon", "cmq-tourisme-nice"]),  # start included
        (date(2023, 8, 31), ["cmq-aero-alpes", "cmq-numerique-lyon"]),
        (date(2017, 6, 1), ["cmq-aero-alpes", "cmq-chimie-rouen"]),
        (date(2010, 1, 1), ["cmq-aero-alpes"]),  # no dates at all: always valid
    ],
)
def test_regle_de_date_du_label(s, jour, attendus):
    assert ids(s, actif_le=jour) == attendus
    tous, _ = lecture.lister_campus(s)
    assert [c.id for c in tous if c.actif_le(jour)] == attendus  # same rule as the model


def test_excellence_vraie_fausse_et_inconnue(s):
    assert ids(s, excellence=True) == ["cmq-chimie-rouen", "cmq-numerique-lyon"]
    assert ids(s, excellence=False) == ["cmq-tourisme-nice"]  # unknown (None) is not False
    inconnus = [c.id for c in lecture.lister_campus(s)[0] if c.excellence is None]
    assert inconnus and ids(s, excellence_renseignee=False) == inconnus
    assert ids(s, excellence_renseignee=True) == ["cmq-chimie-rouen", "cmq-numerique-lyon", "cmq-tourisme-nice"]
    assert ids(s, excellence_renseignee=False, excellence=True) == []


@pytest.mark.parametrize(
    ("filiere", "attendus"),
    [
        ("numerique-telecommunications", ["cmq-numerique-lyon"]),
        ("Numérique", ["cmq-numerique-lyon"]),
        ("TOURISME-GASTRONOMIE", ["cmq-tourisme-nice"]),
        ("biotechnologies", ["cmq-chimie-rouen"]),
        ("services-a-la-personne-bien-etre", []),
    ],
)
def test_filtre_filiere_code_ou_libelle(s, filiere, attendus):
    assert ids(s, filiere=filiere) == attendus


def test_filiere_inconnue_ou_ambigue(s):
    with pytest.raises(FiliereInconnue, match="filière inconnue « xyzzy »"):
        ids(s, filiere="xyzzy")
    with pytest.raises(FiliereInconnue, match="filière ambiguë « services » : candidates services-a-la-personne"):
        ids(s, filiere="services")


def test_territoire_inconnu(s):
    with pytest.raises(TerritoireInconnu, match="territoire inconnu"):
        ids(s, academie="Atlantide")


@pytest.mark.parametrize(
    ("filtre", "erreur", "message"),
    [
        ({"filiere": "Numérique"}, FiliereInconnue, "filière inconnue : « Numérique ». Codes valides : "),
        ({"academie": "Grenoble"}, TerritoireInconnu, "code d'académie inconnu : « Grenoble » (codes : 01, 02"),
        ({"departement": "6"}, TerritoireInconnu, "code de département inconnu : « 6 »"),
        ({"region_academique": "ARA"}, TerritoireInconnu, "code de région académique inconnu : « ARA »"),
    ],
)
def test_le_stockage_ne_prend_que_des_codes(s, filtre, erreur, message):
    """The store never guesses: a name or a loose code is refused (callers resolve free text first)."""
    with pytest.raises(erreur) as probleme:
        lecture.lister_campus(s, **filtre)
    assert str(probleme.value).startswith(message)
    if "filiere" not in filtre:
        with pytest.raises(erreur) as probleme:
            lecture.lister_etablissements(s, **filtre)
        assert str(probleme.value).startswith(message)


@pytest.mark.parametrize(
    ("q", "attendus"),
    [
        ("numerique", ["cmq-numerique-lyon"]),  # accent-insensitive
        ("MÉTROPOLE lyon", ["cmq-numerique-lyon"]),  # every word, any case
        ("aeralp", ["cmq-aero-alpes"]),  # acronym
        ("grenoble", ["cmq-aero-alpes"]),  # seat town
        ("cote d azur", ["cmq-tourisme-nice"]),
        ("campus", TOUS),
        ("lyon rouen", []),
    ],
)
def test_recherche_texte(s, q, attendus):
    assert ids(s, q=q) == attendus


def test_filtres_combines(s):
    assert ids(s, academie="08", actif_le=date(2025, 1, 1), excellence=False) == ["cmq-tourisme-nice"]
    assert ids(s, region_academique="84", q="campus", excellence=True) == ["cmq-numerique-lyon"]


def test_pagination_avec_et_sans_recherche(s):
    page, total = lecture.lister_campus(s, limite=2, decalage=1)
    assert ([c.id for c in page], total) == (TOUS[1:3], 4)
    page, total = lecture.lister_campus(s, q="campus", limite=2, decalage=3)
    assert ([c.id for c in page], total) == (TOUS[3:], 4)
    page, total = lecture.lister_campus(s, limite=0)
    assert (page, total) == ([], 4)


@pytest.mark.parametrize("options", [{"limite": -1}, {"decalage": -2}])
def test_pagination_negative_refusee(s, options):
    with pytest.raises(EntreeInvalide, match="invalide"):
        lecture.lister_campus(s, **options)


def test_campus_complet(s):
    c = lecture.campus(s, "cmq-numerique-lyon")
    assert c.nom == "Campus Numérique Lyon Métropole"
    assert c.academies == ["10"]
    assert (c.date_debut_label, c.date_fin_label) == (date(2020, 1, 1), date(2024, 12, 31))
    assert c.provenance == Provenance(
        source_nom="data.gouv.fr",
        source_url="https://www.data.gouv.fr/fr/datasets/cmq/",
        date_recuperation=date(2025, 3, 1),
    )
    assert lecture.campus(s, "cmq-aero-alpes").academies == ["08", "10"]
    assert lecture.campus(s, "  CMQ-Aero-Alpes ").id == "cmq-aero-alpes"


def test_campus_inconnu_avec_suggestion(s):
    with pytest.raises(
        IntrouvableError, match=r"campus inconnu : cmq-numerik-lyon\. Vouliez-vous dire : cmq-numerique-lyon"
    ):
        lecture.campus(s, "cmq-numerik-lyon")
    with pytest.raises(IntrouvableError) as erreur:
        lecture.campus(s, "zzzz")
    assert str(erreur.value) == "campus inconnu : zzzz"


def test_etablissement(s):
    e = lecture.etablissement(s, " 0690026d ")
    assert (e.uai, e.nom, e.departement, e.academie) == (UAI_LYON, "Lycée La Martinière Diderot", "69", "10")
    with pytest.raises(CodeInvalide, match="lettre de contrôle « A », « D » attendue"):
        lecture.etablissement(s, "0690026A")
    with pytest.raises(IntrouvableError, match=f"établissement inconnu : {UAI_ABSENT}"):
        lecture.etablissement(s, UAI_ABSENT)


def test_lister_etablissements(s):
    page, total = lecture.lister_etablissements(s)
    assert total == 4 and [e.uai for e in page] == sorted([UAI_LYON, UAI_SAVOIE, UAI_ARDECHE, UAI_SANS_CAMPUS])
    assert [e.uai for e in lecture.lister_etablissements(s, **filtres_codes_territoires(academie="Grenoble"))[0]] == [
        UAI_ARDECHE,
        UAI_SANS_CAMPUS,
        UAI_SAVOIE,
    ]
    assert [e.uai for e in lecture.lister_etablissements(s, **filtres_codes_territoires(departement="Rhône"))[0]] == [
        UAI_LYON
    ]
    assert [e.uai for e in lecture.lister_etablissements(s, region_academique="84", type="lp")[0]] == [
        UAI_ARDECHE,
        UAI_SAVOIE,
    ]
    page, total = lecture.lister_etablissements(s, academie="08", limite=1, decalage=1)
    assert ([e.uai for e in page], total) == ([UAI_SANS_CAMPUS], 3)


def test_membres_support_d_abord_et_absent_de_l_annuaire(s):
    membres = lecture.membres(s, "cmq-numerique-lyon")
    assert [(m.uai, m.role, e.nom if e else None) for m, e in membres] == [
        (UAI_LYON, RoleMembre.support, "Lycée La Martinière Diderot"),
        (UAI_ABSENT, RoleMembre.membre, None),
    ]
    assert lecture.membres(s, "cmq-chimie-rouen") == []
    with pytest.raises(IntrouvableError, match="campus inconnu"):
        lecture.membres(s, "cmq-inconnu")


def test_partenaires_tries_par_nom(s):
    assert [(p.nom, p.nature.value, p.siret) for p in lecture.partenaires(s, "cmq-numerique-lyon")] == [
        ("Inria Lyon", "laboratoire", None),
        ("Orange", "entreprise", "38012986600006"),
    ]
    assert lecture.partenaires(s, "cmq-aero-alpes") == []


def test_campus_de_l_etablissement(s):
    assert [c.id for c in lecture.campus_de_l_etablissement(s, UAI_LYON)] == ["cmq-numerique-lyon"]
    assert lecture.campus_de_l_etablissement(s, UAI_LYON, date(2025, 6, 1)) == []
    assert [c.id for c in lecture.campus_de_l_etablissement(s, UAI_ABSENT, date(2022, 6, 1))] == ["cmq-numerique-lyon"]
    assert lecture.campus_de_l_etablissement(s, UAI_SANS_CAMPUS) == []
    with pytest.raises(CodeInvalide):
        lecture.campus_de_l_etablissement(s, "123")


def test_imports_du_plus_recent_au_plus_ancien(s):
    historique = lecture.imports(s)
    assert [(i.type_import, i.statut, i.rejetees) for i in historique] == [
        ("campus", "partiel", 1),
        ("etablissements", "ok", 0),
    ]
    assert historique[0].debut == datetime(2025, 3, 2, 10, 30, tzinfo=UTC)  # UTC on both backends
    assert historique[0].debut.utcoffset() == timedelta(0) and historique[0].fin is None
    assert historique[0].id is not None
    assert len(lecture.imports(s, limite=1)) == 1


def test_compter(s):
    assert lecture.compter(s) == {
        "campus": 4,
        "campus_academies": 5,
        "etablissements": 4,
        "membres": 4,
        "membres_nommes": 0,
        "partenaires": 2,
        "alias": 0,
        "imports": 2,
        "utilisateurs": 0,
        "utilisateurs_perimetres": 0,
        "changements": 0,  # written by `store.ecriture` directly: the history is kept by imports and edits
        "changements_champs": 0,
        "restaurations": 0,
    }


def test_conversions_aller_retour(base_url):
    modele = Campus(
        id="cmq-test",
        nom="Campus Test",
        filiere="numerique-telecommunications",
        academies=["10", "08", "10"],
        code_commune_siege="2a004",
        uai_support="0690026d",
        date_debut_label=date(2021, 2, 3),
        excellence=False,
        provenance=Provenance(source_nom="test", source_url="https://x.fr", date_recuperation=date(2025, 1, 2)),
    )
    assert conversion.academies_depuis_campus(modele) == [
        {"campus_id": "cmq-test", "academie": "10"},
        {"campus_id": "cmq-test", "academie": "08"},
    ]
    with db.session(base_url, ecriture=True) as s:
        s.add(conversion.ligne_depuis_campus(modele))
        s.flush()
        s.add_all(conversion.lignes_academies_depuis_campus(modele))
        stocke = ImportTable(
            source="x",
            type_import="t",
            debut=datetime(2025, 1, 1),
            lignes_lues=1,
            inserees=1,
            mises_a_jour=0,
            rejetees=0,
            statut="ok",
        )
        s.add(ImportTable(**conversion.import_vers_dict(conversion.import_depuis_ligne(stocke))))
    with db.session(base_url) as s:
        relu = lecture.campus(s, "cmq-test")
        assert relu == modele.model_copy(update={"academies": ["08", "10"]})
        assert relu.code_commune_siege == "2A004" and relu.uai_support == "0690026D"
        ligne = s.get(CampusTable, "cmq-test")
        assert conversion.campus_depuis_ligne(ligne, ["10"]).academies == ["10"]
        assert lecture.compter(s)["imports"] == 1

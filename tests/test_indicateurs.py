"""Indicators on the small hand-built directory of `indicateurs_exemple` (SQLite and PostgreSQL)."""

from collections import Counter
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cmq import filieres, indicateurs, territoires
from cmq.errors import (
    CodeInvalide,
    EntreeInvalide,
    ErreurStockage,
    FiliereInconnue,
    TerritoireInconnu,
)
from cmq.store import db, lecture
from tests.indicateurs_exemple import (
    AGRI_ROUEN,
    BATIMENT,
    CFA_GRENOBLE,
    CHIMIE,
    COLLEGE_LYON,
    LGT_GRENOBLE,
    LP_PARIS,
    LYC_LYON,
    LYC_ROUEN,
    MOBILITE,
    NUMERIQUE,
    TOURISME,
    D,
    remplir,
)


@pytest.fixture
def url(base_url):
    remplir(base_url)
    return base_url


def zeros(**comptes) -> dict[str, int]:
    """The 12 filière counts, in cmq.md order, with the given non-zero ones."""
    return {code: comptes.get(code, 0) for code in filieres.codes()}


def test_france_a_la_date_de_reference(url):
    (france,) = indicateurs.indicateurs("france", date=D, url=url)
    assert france.model_dump() == {
        "echelle": "france",
        "code": "FR",
        "nom": "France",
        "date": D,
        "nb_campus": 3,  # chimie ended on 2024-12-31, tourisme starts on 2026-01-01
        "nb_excellence": 1,
        "part_excellence": 0.3333,
        "filieres": zeros(**{NUMERIQUE: 1, BATIMENT: 1, MOBILITE: 1}),
        "nb_campus_membres_connus": 2,  # cmq-aero-lyon has no known member
        "nb_campus_sans_date_debut": 1,  # cmq-bois-grenoble
        "nb_etablissements_membres": 5,  # 4 of the directory + 1 UAI absent from it
        "nb_lycees": 6,
        "nb_lycees_membres": 2,
        "couverture_lycees": 0.3333,
        "campus_ids": ["cmq-aero-lyon", "cmq-bois-grenoble", "cmq-numerique-lyon"],
    }


def test_douze_filieres_toujours_presentes_dans_l_ordre_de_cmq_md(url):
    for ligne in indicateurs.indicateurs("departement", date=D, url=url):
        assert list(ligne.filieres) == list(filieres.codes())
        assert len(ligne.filieres) == 12
        assert sum(ligne.filieres.values()) == ligne.nb_campus


def test_campus_sur_deux_academies_compte_dans_les_deux(url):
    lignes = {l.code: l for l in indicateurs.indicateurs("academie", date=D, url=url)}
    assert len(lignes) == 30
    lyon, grenoble = lignes["10"], lignes["08"]
    # cmq-numerique-lyon: seat in Lyon, one member (LGT_GRENOBLE) in Grenoble -> in both
    assert "cmq-numerique-lyon" in lyon.campus_ids and "cmq-numerique-lyon" in grenoble.campus_ids
    # cmq-bois-grenoble: seat in Grenoble, member LYC_LYON in Lyon -> in both
    assert lyon.campus_ids == ["cmq-aero-lyon", "cmq-bois-grenoble", "cmq-numerique-lyon"]
    assert (lyon.nb_campus, lyon.nb_excellence, lyon.part_excellence) == (3, 1, 0.3333)
    assert (lyon.nb_etablissements_membres, lyon.nb_lycees, lyon.nb_lycees_membres, lyon.couverture_lycees) == (
        2,
        2,
        1,
        0.5,
    )  # members located in Lyon: LYC_LYON, COLLEGE_LYON; lycées LYC_LYON, LP_LYON
    assert grenoble.campus_ids == ["cmq-bois-grenoble", "cmq-numerique-lyon"]
    assert (grenoble.nb_campus, grenoble.nb_excellence, grenoble.part_excellence) == (2, 1, 0.5)
    assert grenoble.filieres == zeros(**{NUMERIQUE: 1, BATIMENT: 1})
    assert (grenoble.nb_etablissements_membres, grenoble.nb_lycees, grenoble.couverture_lycees) == (2, 1, 1.0)


def test_territoires_sans_campus_valide(url):
    lignes = {l.code: l for l in indicateurs.indicateurs("academie", date=D, url=url)}
    normandie = lignes["70"]  # its only campus ended before D
    assert (normandie.nb_campus, normandie.part_excellence, normandie.campus_ids) == (0, None, [])
    assert (normandie.nb_lycees, normandie.nb_lycees_membres, normandie.couverture_lycees) == (2, 0, 0.0)
    assert lignes["01"].nb_campus == 0  # Paris: its campus starts after D
    nice = lignes["23"]
    assert (nice.nb_campus, nice.nb_lycees, nice.couverture_lycees) == (0, 0, None)
    assert nice.filieres == zeros()


def test_couverture_inconnue_sans_membres_connus():
    """Campuses, none with known members: the coverage is unknown (None), never 0 %."""
    app = indicateurs.Appartenances()
    app.campus["cmq-x"] = (NUMERIQUE, False)
    app.par_territoire["france"]["FR"].add("cmq-x")
    lycees = {"france": Counter({"FR": 10})}
    france = territoires.resoudre("FR", "france")
    lg = indicateurs.ligne(app, lycees, france, D)
    assert (lg.nb_campus, lg.nb_campus_membres_connus, lg.nb_lycees_membres, lg.couverture_lycees) == (1, 0, 0, None)
    assert indicateurs.completude_membres(lg) == "membres connus pour 0 campus sur 1"
    app.membres_connus.add("cmq-x")
    assert indicateurs.ligne(app, lycees, france, D).couverture_lycees == 0.0
    assert indicateurs.completude_dates(53, 91) == "53 campus sur 91 sans date de début de label (comptés chaque année)"


def test_region_academique_et_departements(url):
    (ara,) = indicateurs.indicateurs("region_academique", "auvergne rhone alpes", D, url=url)
    assert (ara.code, ara.nom, ara.nb_campus, ara.nb_etablissements_membres) == ("84", "Auvergne-Rhône-Alpes", 3, 4)
    assert (ara.nb_lycees, ara.nb_lycees_membres, ara.couverture_lycees) == (3, 2, 0.6667)
    deps = {l.code: l for l in indicateurs.indicateurs("departement", date=D, url=url)}
    assert len(deps) == 101
    assert deps["69"].campus_ids == ["cmq-aero-lyon", "cmq-bois-grenoble", "cmq-numerique-lyon"]
    assert deps["38"].campus_ids == ["cmq-bois-grenoble", "cmq-numerique-lyon"]
    assert (deps["69"].nb_lycees, deps["69"].couverture_lycees) == (2, 0.5)
    assert deps["73"].nb_campus == 0


@pytest.mark.parametrize("code", ["10", "Académie de Lyon", "lyon", "ac-lyon"])
def test_un_seul_territoire_par_code_ou_nom(url, code):
    (lyon,) = indicateurs.indicateurs("academie", code, D, url=url)
    assert (lyon.code, lyon.nom, lyon.nb_campus) == ("10", "Lyon", 3)


@pytest.mark.parametrize(
    ("jour", "attendus"),
    [
        (date(2025, 8, 31), ["cmq-bois-grenoble", "cmq-numerique-lyon"]),  # aero starts the next day
        (date(2024, 12, 31), ["cmq-bois-grenoble", "cmq-chimie-normandie", "cmq-numerique-lyon"]),  # end included
        (date(2026, 1, 1), ["cmq-aero-lyon", "cmq-bois-grenoble", "cmq-numerique-lyon", "cmq-tourisme-paris"]),
        (date(2019, 12, 31), ["cmq-bois-grenoble", "cmq-chimie-normandie"]),
        ("2020-01-01", ["cmq-bois-grenoble", "cmq-chimie-normandie", "cmq-numerique-lyon"]),
    ],
)
def test_regle_de_date(url, jour, attendus):
    (france,) = indicateurs.indicateurs("france", date=jour, url=url)
    assert france.campus_ids == attendus


def test_lycees_membres_seulement_des_campus_valides(url):
    (avant,) = indicateurs.indicateurs("academie", "70", date(2020, 9, 1), url=url)
    assert (avant.nb_campus, avant.nb_lycees_membres, avant.couverture_lycees) == (1, 1, 0.5)
    assert avant.filieres == zeros(**{CHIMIE: 1})


def test_date_par_defaut_aujourd_hui(url):
    (france,) = indicateurs.indicateurs("france", url=url)
    assert france.date == date.today()


def test_meme_regle_que_les_requetes_de_lecture(url):
    """The bulk computation gives, for all 150 territories, the campuses `lecture.lister_campus` finds."""
    filtres = {"region_academique": "region_academique", "academie": "academie", "departement": "departement"}
    for jour in (D, date(2020, 9, 1), date(2026, 9, 1)):
        lignes = indicateurs.indicateurs_toutes_echelles(jour, url=url)
        assert len(lignes) == 150
        with db.session(url) as s:
            for ligne in lignes:
                argument = {filtres[ligne.echelle]: ligne.code} if ligne.echelle != "france" else {}
                page, _ = lecture.lister_campus(s, actif_le=jour, **argument)
                assert [c.id for c in page] == ligne.campus_ids, (jour, ligne.echelle, ligne.code)


def test_vers_table(url):
    lignes = indicateurs.indicateurs("academie", "08", D, url=url)
    colonnes, rangs = indicateurs.vers_table(lignes)
    assert colonnes[:7] == ["echelle", "code", "nom", "date", "nb_campus", "nb_excellence", "part_excellence"]
    assert colonnes[7:19] == list(filieres.codes())
    assert colonnes[19:] == [
        "nb_campus_membres_connus",
        "nb_campus_sans_date_debut",
        "nb_etablissements_membres",
        "nb_lycees",
        "nb_lycees_membres",
        "couverture_lycees",
        "campus_ids",
    ]
    assert rangs == [
        [
            "academie",
            "08",
            "Grenoble",
            D,
            2,
            1,
            0.5,
            0,
            0,
            0,
            0,
            0,
            1,
            0,
            0,
            0,
            0,
            0,
            1,
            2,  # nb_campus_membres_connus
            1,  # nb_campus_sans_date_debut
            2,
            1,
            1,
            1.0,
            ["cmq-bois-grenoble", "cmq-numerique-lyon"],
        ]
    ]


def test_campus_de_l_etablissement(url):
    assert [c.id for c in indicateurs.campus_de_l_etablissement(LYC_LYON, D, url=url)] == [
        "cmq-bois-grenoble",
        "cmq-numerique-lyon",
    ]
    assert indicateurs.campus_de_l_etablissement(LYC_ROUEN, D, url=url) == []
    assert [c.id for c in indicateurs.campus_de_l_etablissement(LYC_ROUEN.lower(), "2020-09-01", url=url)] == [
        "cmq-chimie-normandie"
    ]
    assert indicateurs.campus_de_l_etablissement(AGRI_ROUEN, D, url=url) == []
    with pytest.raises(CodeInvalide):
        indicateurs.campus_de_l_etablissement("0690001X", D, url=url)


def test_filiere_campus_et_territoires(url):
    resultat = indicateurs.filiere("numérique", D, url=url)
    assert (resultat.filiere, resultat.nb_campus, resultat.nb_excellence) == (NUMERIQUE, 1, 1)
    assert [c.id for c in resultat.campus] == ["cmq-numerique-lyon"]
    assert [(t.echelle, t.code, t.nb_campus) for t in resultat.territoires] == [
        ("region_academique", "84", 1),
        ("academie", "08", 1),
        ("academie", "10", 1),
        ("departement", "38", 1),
        ("departement", "69", 1),
    ]
    assert indicateurs.filiere(TOURISME, D, url=url).territoires == []
    assert [t.code for t in indicateurs.filiere(TOURISME, "2026-09-01", url=url).territoires] == ["11", "01", "75"]
    with pytest.raises(FiliereInconnue):
        indicateurs.filiere("astrophysique quantique", D, url=url)


def test_evolution_a_la_rentree(url):
    points = indicateurs.evolution(2019, 2026, url=url)
    assert [(p.annee, p.date, p.nb_campus) for p in points] == [
        (2019, date(2019, 9, 1), 2),
        (2020, date(2020, 9, 1), 3),
        (2021, date(2021, 9, 1), 3),
        (2022, date(2022, 9, 1), 3),
        (2023, date(2023, 9, 1), 3),
        (2024, date(2024, 9, 1), 3),
        (2025, date(2025, 9, 1), 3),
        (2026, date(2026, 9, 1), 4),
    ]
    normandie = indicateurs.evolution(2023, 2026, "academie", "Normandie", url=url)
    assert [(p.code, p.annee, p.nb_campus) for p in normandie] == [
        ("70", 2023, 1),
        ("70", 2024, 1),
        ("70", 2025, 0),
        ("70", 2026, 0),
    ]
    assert {p.nb_campus_sans_date_debut for p in points} == {1}  # cmq-bois-grenoble, counted every year
    toutes = indicateurs.evolution(2025, 2026, "academie", url=url)
    assert len(toutes) == 60
    assert [p.nb_campus for p in toutes if p.code == "10"] == [3, 3]
    assert [p.nb_campus for p in indicateurs.evolution(2025, 2025, jour_du_mois="01-01", url=url)] == [2]


@pytest.mark.parametrize(
    ("appel", "erreur", "message"),
    [
        (lambda u: indicateurs.indicateurs("canton", url=u), EntreeInvalide, "échelle inconnue : « canton »"),
        (lambda u: indicateurs.indicateurs("academie", "Atlantide", url=u), TerritoireInconnu, "territoire inconnu"),
        (lambda u: indicateurs.indicateurs("academie", "Lyonn", url=u), TerritoireInconnu, "Lyon (10)"),
        (
            lambda u: indicateurs.indicateurs("france", date="2025-02-30", url=u),
            EntreeInvalide,
            "date invalide : « 2025-02-30 » (format AAAA-MM-JJ attendu, ex. 2025-09-01)",
        ),
        (
            lambda u: indicateurs.evolution(2026, 2019, url=u),
            EntreeInvalide,
            "l'année de fin (2019) précède l'année de début (2026)",
        ),
        (lambda u: indicateurs.evolution(1900, 2026, url=u), EntreeInvalide, "période trop longue"),
        (
            lambda u: indicateurs.evolution(2019, 2020, jour_du_mois="02-30", url=u),
            EntreeInvalide,
            "date impossible : 2019-02-30",
        ),
    ],
)
def test_entrees_invalides(url, appel, erreur, message):
    with pytest.raises(erreur) as probleme:
        appel(url)
    assert message in str(probleme.value)


def test_base_non_initialisee(tmp_path):
    url = f"sqlite:///{tmp_path / 'absente.db'}"
    with pytest.raises(ErreurStockage, match="base non initialisée"):
        indicateurs.indicateurs("france", url=url)
    assert not (tmp_path / "absente.db").exists()


@pytest.mark.parametrize(
    ("type_", "attendu"),
    [
        ("LP", True),
        ("lgt", True),
        ("LPO", True),
        ("LEGTA", True),
        ("Lycée", True),
        ("lycée agricole", True),
        ("LYCEE POLYVALENT", True),
        ("SEP", False),
        ("SGT", False),
        ("EREA", False),
        ("CFA", False),
        ("Collège", False),
        ("école", False),
        (None, False),
        ("", False),
    ],
)
def test_est_lycee(type_, attendu):
    assert indicateurs.est_lycee(type_) is attendu


def test_college_et_cfa_membres_mais_pas_lycees(url):
    (lyon69,) = indicateurs.indicateurs("departement", "69", D, url=url)
    assert lyon69.nb_etablissements_membres == 2  # LYC_LYON and COLLEGE_LYON
    assert lyon69.nb_lycees_membres == 1


# --- Lycée counts: only the lycée types read, the same figures after every write --------------


def _nb_lycees(lignes) -> dict[tuple[str, str], int]:
    """{(échelle, code): nb_lycees} of the territories having lycées."""
    return {(lg.echelle, lg.code): lg.nb_lycees for lg in lignes if lg.nb_lycees}


def _les_deux_calculs(url: str) -> list[indicateurs.LigneIndicateurs]:
    """The full table from the snapshot (rebuilt after a write) and from SQL: they must be equal."""
    instantane = indicateurs.indicateurs_toutes_echelles(D, url=url)
    with db.session(url) as s:
        assert indicateurs.calculer(s, D, indicateurs.tous_les_territoires()) == instantane
    return instantane


LYCEES_EXEMPLE = {
    ("france", "FR"): 6,
    ("region_academique", "84"): 3,
    ("region_academique", "28"): 2,
    ("region_academique", "11"): 1,
    ("academie", "10"): 2,
    ("academie", "08"): 1,
    ("academie", "70"): 2,
    ("academie", "01"): 1,
    ("departement", "69"): 2,
    ("departement", "38"): 1,
    ("departement", "76"): 2,
    ("departement", "75"): 1,
}


def test_nombre_de_lycees_apres_un_import_et_une_restauration(url, tmp_path):
    """An import adds a lycée, turns a collège into a LGT and a LP into a SEP, moves a lycée to
    another département; restoring the backup taken before gives the first figures back."""
    from cmq import codes
    from cmq.importation.pipeline import importer_lignes
    from cmq.store.sauvegarde import restaurer, sauvegarder

    avant = _les_deux_calculs(url)
    assert _nb_lycees(avant) == LYCEES_EXEMPLE
    (rhone,) = (lg for lg in avant if (lg.echelle, lg.code) == ("departement", "69"))
    assert (rhone.nb_lycees, rhone.nb_lycees_membres, rhone.couverture_lycees) == (2, 1, 0.5)
    sauvegarder(tmp_path / "avant.zip", url)

    nouveau = "0690100" + codes.lettre_uai("0690100")
    lignes = [
        {"uai": nouveau, "nom": "Lycée professionnel Neuf", "type": "Lycée professionnel", "departement": "69"},
        {"uai": COLLEGE_LYON, "nom": "Lycée Ampère", "type": "LGT", "departement": "69"},
        {"uai": LP_PARIS, "nom": "Section Belleville", "type": "SEP", "departement": "75"},
        {"uai": LYC_ROUEN, "nom": "Lycée Corneille", "type": "Lycée", "departement": "27"},
    ]
    rapport = importer_lignes(
        lignes, colonnes=list(lignes[0]), source="lycees.csv", url=url, type_import="etablissements"
    )
    assert (rapport.statut, rapport.inserees, rapport.mises_a_jour) == ("ok", 1, 3)
    apres = _les_deux_calculs(url)
    assert _nb_lycees(apres) == {
        ("france", "FR"): 7,
        ("region_academique", "84"): 5,
        ("region_academique", "28"): 2,
        ("academie", "10"): 4,
        ("academie", "08"): 1,
        ("academie", "70"): 2,
        ("departement", "69"): 4,
        ("departement", "38"): 1,
        ("departement", "76"): 1,
        ("departement", "27"): 1,
    }
    (rhone,) = (lg for lg in apres if (lg.echelle, lg.code) == ("departement", "69"))
    # COLLEGE_LYON, a member of cmq-numerique-lyon, is now a lycée
    assert (rhone.nb_lycees, rhone.nb_lycees_membres, rhone.couverture_lycees) == (4, 2, 0.5)

    restaurer(tmp_path / "avant.zip", url, remplacer=True)
    assert _les_deux_calculs(url) == avant


def test_compte_des_lycees_sans_parcourir_la_table(tmp_path):
    """SQLite: the lycée count only searches the index (type, département, académie, région): no
    scan of the table, no temporary sort — whatever the number of establishments."""
    from sqlalchemy import event, insert

    from cmq.store import schema
    from cmq.store.tables import INDEX_TYPES, EtablissementTable

    url = f"sqlite:///{tmp_path / 'cmq.db'}"
    schema.mettre_a_jour(url)
    with db.moteur(url).begin() as connexion:
        connexion.execute(
            insert(EtablissementTable),
            [
                dict(uai=f"{i:07d}A", nom=f"E{i}", type=t, departement="69", academie="10", region_academique="84")
                for i, t in enumerate(["LP", "Collège", "Lycée", None, "École", "LPO"] * 50)
            ],
        )
    requetes = []
    moteur = db.moteur(url)

    def noter(connexion, curseur, sql, parametres, contexte, plusieurs):
        requetes.append((sql, parametres))

    event.listen(moteur, "before_cursor_execute", noter)
    try:
        with db.session(url) as s:
            assert indicateurs.lycees_par_territoire(s)["france"] == Counter({"FR": 150})
    finally:
        event.remove(moteur, "before_cursor_execute", noter)
    lues = [r for r in requetes if "etablissements" in r[0]]
    assert len(lues) == 2  # the distinct types, then the lycée types' groups
    with moteur.connect() as connexion:
        for sql, parametres in lues:
            plan = [ligne[-1] for ligne in connexion.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", parametres)]
            etapes = [p for p in plan if "etablissements" in p or "TEMP B-TREE" in p]  # no sort step allowed
            attendue = f"SEARCH etablissements USING COVERING INDEX {INDEX_TYPES}"
            assert etapes and all(p.startswith(attendue) for p in etapes), plan
    db.fermer_tout()


def test_etablissements_des_membres_cherches_par_uai(url):
    """The members' establishments are looked up by key, one probe per membership: the directory
    (a million rows at scale) is never read whole for them — PostgreSQL's planner would hash the
    memberships and scan it through a plain join."""
    with db.session(url) as s:
        connexion = s.connection()
        sql = str(indicateurs.membres_et_lieux(s).compile(connexion, compile_kwargs={"literal_binds": True}))
        if connexion.dialect.name == "postgresql":
            plan = [ligne for (ligne,) in connexion.exec_driver_sql(f"EXPLAIN {sql}")]
            assert plan[0].startswith("Nested Loop Left Join") and not any("Hash" in p for p in plan), plan
        else:
            plan = [ligne[-1] for ligne in connexion.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")]
            assert any(p.startswith("SEARCH etablissements USING") and "(uai=?)" in p for p in plan), plan
        assert len(s.execute(indicateurs.membres_et_lieux(s)).all()) == 8  # every membership, in the directory or not


TYPES_QUELCONQUES = st.sampled_from(
    [None, "", "LP", "lp", "LP ", "LPO", "Lycée", "Lycee", "LYCEE POLYVALENT", "lycée agricole", "Lycéen", "lycée"]
    + ["Collège", "SEP", "SGT", "CFA", "EREA", "École", "école", "Médico-social", "zz", "Ω"]
)
LIEUX = st.sampled_from(
    [("69", "10", "84"), ("38", "08", "84"), ("2A", "27", "94"), ("974", "28", "04"), ("75", "01", "11")]
    + [(None, "10", "84"), ("76", None, None), (None, None, None), ("69", "08", "28")]  # partial, inconsistent
)


MEMBRES_ANNUAIRE = [LYC_LYON, COLLEGE_LYON, LGT_GRENOBLE, CFA_GRENOBLE, LYC_ROUEN, LP_PARIS]  # then new UAIs


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(annuaire=st.lists(st.tuples(TYPES_QUELCONQUES, LIEUX), max_size=60))
def test_lycees_par_territoire_comme_un_comptage_de_toute_la_table(base_url, annuaire):
    """Any directory under the example campuses (their members' types and places drawn too): the
    lycée count from the lycée types only equals counting every row in Python with `est_lycee`,
    the types read are the distinct non-null types, and the snapshot gives the SQL rows."""
    from sqlalchemy import delete, func, insert, select

    from cmq.store.tables import CampusTable
    from cmq.store.tables import EtablissementTable as E

    with db.session(base_url) as s:
        vide = s.scalar(select(func.count()).select_from(CampusTable)) == 0
    if vide:  # first example: the campuses and memberships, kept for the next ones
        remplir(base_url)
    uais = MEMBRES_ANNUAIRE + [f"{i:07d}A" for i in range(len(annuaire))]
    lignes = [
        dict(uai=uai, nom=f"E{uai}", type=t, departement=d, academie=a, region_academique=r)
        for uai, (t, (d, a, r)) in zip(uais, annuaire, strict=False)
    ]
    with db.session(base_url) as s:
        s.execute(delete(E))
        if lignes:
            s.execute(insert(E), lignes)
    attendu = {echelle: Counter() for echelle in territoires.ECHELLES}
    with db.session(base_url) as s:
        for type_, dep, acad, region in s.execute(select(E.type, E.departement, E.academie, E.region_academique)):
            if indicateurs.est_lycee(type_):
                lieux = (("france", "FR"), ("region_academique", region), ("academie", acad), ("departement", dep))
                for echelle, code in lieux:
                    if code is not None:
                        attendu[echelle][code] += 1
        assert indicateurs.lycees_par_territoire(s) == attendu
        assert set(indicateurs.types_etablissements(s)) == {t for t, _ in annuaire if t is not None}
    _les_deux_calculs(base_url)

"""A small hand-built directory, inserted with plain SQLAlchemy Core (no cmq writer involved).

Campuses (académies: 08 Grenoble, 10 Lyon, 23 Nice, 70 Normandie; régions: 84 ARA, 93 PACA, 28 Normandie):

* cmq-aero-alpes      — académies 08 + 10, région 84, seat Grenoble (38185), no label dates,
                        excellence unknown; member in Savoie (73, académie 08).
* cmq-chimie-rouen    — académie 70, région 28, seat Rouen (76540), label 2015-01-01 → 2019-12-31.
* cmq-numerique-lyon  — académie 10, région 84, seat Lyon (69123), label 2020-01-01 → 2024-12-31,
                        excellence; support in Lyon (69), one member absent from the directory;
                        two partners.
* cmq-tourisme-nice   — académie 23, région 93, seat Nice (06088), label from 2023-09-01,
                        not excellence; member in Ardèche (07, académie 08, région 84).
"""

from datetime import UTC, date, datetime

from sqlalchemy import insert

from cmq.store import db
from cmq.store.tables import (
    CampusAcademieTable,
    CampusTable,
    EtablissementTable,
    ImportTable,
    MembreTable,
    PartenaireTable,
)

UAI_LYON = "0690026D"
UAI_SAVOIE = "0730001E"
UAI_ARDECHE = "0070002P"
UAI_ABSENT = "0761234D"  # member of cmq-numerique-lyon, not in `etablissements`
UAI_SANS_CAMPUS = "0381234K"

CAMPUS = [
    dict(
        id="cmq-aero-alpes",
        nom="Campus Aéronautique des Alpes",
        sigle="AERALP",
        filiere="mobilite-aeronautique-transports-terrestres-et-maritimes",
        excellence=None,
        region_academique="84",
        ville_siege="Grenoble",
        code_commune_siege="38185",
        source_nom="Annuaire test",
        source_url="https://exemple.gouv.fr/aero",
    ),
    dict(
        id="cmq-chimie-rouen",
        nom="Campus Chimie et Biotechnologies de Normandie",
        sigle=None,
        filiere="chimie-et-biotechnologies",
        excellence=True,
        region_academique="28",
        ville_siege="Rouen",
        code_commune_siege="76540",
        date_debut_label=date(2015, 1, 1),
        date_fin_label=date(2019, 12, 31),
    ),
    dict(
        id="cmq-numerique-lyon",
        nom="Campus Numérique Lyon Métropole",
        sigle="NUMLY",
        filiere="numerique-telecommunications",
        excellence=True,
        region_academique="84",
        ville_siege="Lyon",
        code_commune_siege="69123",
        date_debut_label=date(2020, 1, 1),
        date_fin_label=date(2024, 12, 31),
        uai_support=UAI_LYON,
        reference_arrete="Arrêté du 3 janvier 2020",
        source_nom="data.gouv.fr",
        source_url="https://www.data.gouv.fr/fr/datasets/cmq/",
        date_recuperation=date(2025, 3, 1),
    ),
    dict(
        id="cmq-tourisme-nice",
        nom="Campus Tourisme et Gastronomie Côte d'Azur",
        sigle="TGCA",
        filiere="tourisme-gastronomie",
        excellence=False,
        region_academique="93",
        ville_siege="Nice",
        code_commune_siege="06088",
        date_debut_label=date(2023, 9, 1),
    ),
]
ACADEMIES = [
    ("cmq-aero-alpes", "08"),
    ("cmq-aero-alpes", "10"),
    ("cmq-chimie-rouen", "70"),
    ("cmq-numerique-lyon", "10"),
    ("cmq-tourisme-nice", "23"),
]
ETABLISSEMENTS = [
    dict(
        uai=UAI_LYON,
        nom="Lycée La Martinière Diderot",
        type="LPO",
        secteur="public",
        code_commune="69381",
        nom_commune="Lyon 1er",
        code_postal="69001",
        departement="69",
        academie="10",
        region_academique="84",
    ),
    dict(
        uai=UAI_SAVOIE,
        nom="Lycée professionnel du Nivolet",
        type="LP",
        secteur="public",
        code_commune="73065",
        nom_commune="Chambéry",
        code_postal="73000",
        departement="73",
        academie="08",
        region_academique="84",
    ),
    dict(
        uai=UAI_ARDECHE,
        nom="Lycée hôtelier de Tournon",
        type="LP",
        secteur="public",
        code_commune="07324",
        nom_commune="Tournon-sur-Rhône",
        code_postal="07300",
        departement="07",
        academie="08",
        region_academique="84",
    ),
    dict(
        uai=UAI_SANS_CAMPUS,
        nom="CFA de l'Isère",
        type="CFA",
        secteur="privé",
        code_commune="38185",
        nom_commune="Grenoble",
        code_postal="38000",
        departement="38",
        academie="08",
        region_academique="84",
    ),
]
MEMBRES = [
    dict(campus_id="cmq-numerique-lyon", uai=UAI_LYON, role="support"),
    dict(campus_id="cmq-numerique-lyon", uai=UAI_ABSENT, role="membre"),
    dict(campus_id="cmq-aero-alpes", uai=UAI_SAVOIE, role="membre"),
    dict(campus_id="cmq-tourisme-nice", uai=UAI_ARDECHE, role="membre"),
]
PARTENAIRES = [
    dict(campus_id="cmq-numerique-lyon", nom="Orange", nature="entreprise", siret="38012986600006"),
    dict(campus_id="cmq-numerique-lyon", nom="Inria Lyon", nature="laboratoire", siret=None),
]
IMPORTS = [
    dict(
        source="annuaire.csv",
        type_import="etablissements",
        debut=datetime(2025, 3, 1, 9, 0, tzinfo=UTC),
        fin=datetime(2025, 3, 1, 9, 1, tzinfo=UTC),
        lignes_lues=4,
        inserees=4,
        mises_a_jour=0,
        rejetees=0,
        statut="ok",
        somme_controle="a" * 64,
        message=None,
    ),
    dict(
        source="https://www.data.gouv.fr/cmq.csv",
        type_import="campus",
        debut=datetime(2025, 3, 2, 10, 30, tzinfo=UTC),
        fin=None,
        lignes_lues=5,
        inserees=4,
        mises_a_jour=0,
        rejetees=1,
        statut="partiel",
        somme_controle=None,
        message="1 ligne rejetée : filière inconnue",
    ),
]


def inserer(url: str, *, campus, academies, etablissements, membres, partenaires=(), imports=()) -> None:
    """Insert a hand-built directory (rows as dicts; académies as (campus id, code) pairs)."""
    colonnes = [c.key for c in CampusTable.__table__.columns]
    with db.moteur(url).begin() as connexion:
        connexion.execute(insert(CampusTable), [{k: c.get(k) for k in colonnes} for c in campus])
        connexion.execute(insert(CampusAcademieTable), [dict(campus_id=c, academie=a) for c, a in academies])
        connexion.execute(insert(EtablissementTable), list(etablissements))
        connexion.execute(insert(MembreTable), list(membres))
        for table, lignes in ((PartenaireTable, partenaires), (ImportTable, imports)):
            if lignes:
                connexion.execute(insert(table), list(lignes))


def remplir(url: str) -> None:
    """Insert the example directory into the migrated database at `url`."""
    inserer(
        url,
        campus=CAMPUS,
        academies=ACADEMIES,
        etablissements=ETABLISSEMENTS,
        membres=MEMBRES,
        partenaires=PARTENAIRES,
        imports=IMPORTS,
    )

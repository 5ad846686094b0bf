"""A small hand-built directory for the indicator tests, inserted with SQLAlchemy Core.

Reference date D = 2025-09-01. Campuses:

* cmq-numerique-lyon   — numérique, excellence, région 84, académie 10, seat Lyon (69123), label from
                         2020-01-01; members: LYC_LYON (support, LPO 69), COLLEGE_LYON (69), LGT_GRENOBLE
                         (38, académie 08: the campus spans Lyon and Grenoble), UAI_ABSENT (not in the directory).
* cmq-bois-grenoble    — bâtiment, excellence unknown, région 84, académie 08, seat Grenoble (38185), no
                         label dates; members: CFA_GRENOBLE (38), LYC_LYON (69: counts in Lyon too).
* cmq-aero-lyon        — mobilité, not excellence, région 84, académie 10, seat Lyon, label from
                         2025-09-01 (valid on D: bound included); no member.
* cmq-chimie-normandie — chimie, excellence, région 28, académie 70, seat Rouen, label 2015-01-01 →
                         2024-12-31 (ended before D); member LYC_ROUEN.
* cmq-tourisme-paris   — tourisme, not excellence, région 11, académie 01, seat Paris, label from
                         2026-01-01 (starts after D); member LP_PARIS.

Establishments: 6 lycées (LYC_LYON LPO, LP_LYON LP, LGT_GRENOBLE LGT, LYC_ROUEN "Lycée",
AGRI_ROUEN "lycée agricole", LP_PARIS LP) and 2 others (COLLEGE_LYON "Collège", CFA_GRENOBLE "CFA").
"""

from datetime import date

from tests.annuaire_exemple import inserer

D = date(2025, 9, 1)
LYC_LYON, LP_LYON, COLLEGE_LYON = "0690001B", "0690002C", "0690003D"
LGT_GRENOBLE, CFA_GRENOBLE = "0380001V", "0380002W"
LYC_ROUEN, AGRI_ROUEN = "0760001N", "0760002P"
LP_PARIS = "0750001U"
UAI_ABSENT = "0761234D"

NUMERIQUE = "numerique-telecommunications"
BATIMENT = "infrastructures-batiment-eco-construction"
MOBILITE = "mobilite-aeronautique-transports-terrestres-et-maritimes"
CHIMIE = "chimie-et-biotechnologies"
TOURISME = "tourisme-gastronomie"

CAMPUS = [
    dict(
        id="cmq-numerique-lyon",
        nom="Campus Numérique Lyon",
        filiere=NUMERIQUE,
        excellence=True,
        region_academique="84",
        ville_siege="Lyon",
        code_commune_siege="69123",
        latitude=45.7578,
        longitude=4.832,
        date_debut_label=date(2020, 1, 1),
    ),
    dict(
        id="cmq-bois-grenoble",
        nom="Campus Bois des Alpes",
        filiere=BATIMENT,
        excellence=None,
        region_academique="84",
        ville_siege="Grenoble",
        code_commune_siege="38185",
    ),
    dict(
        id="cmq-aero-lyon",
        nom="Campus Aéro Lyon",
        filiere=MOBILITE,
        excellence=False,
        region_academique="84",
        ville_siege="Lyon",
        code_commune_siege="69123",
        date_debut_label=date(2025, 9, 1),
    ),
    dict(
        id="cmq-chimie-normandie",
        nom="Campus Chimie Normandie",
        filiere=CHIMIE,
        excellence=True,
        region_academique="28",
        ville_siege="Rouen",
        code_commune_siege="76540",
        latitude=49.443,
        longitude=1.0999,
        date_debut_label=date(2015, 1, 1),
        date_fin_label=date(2024, 12, 31),
    ),
    dict(
        id="cmq-tourisme-paris",
        nom="Campus Tourisme Paris",
        filiere=TOURISME,
        excellence=False,
        region_academique="11",
        ville_siege="Paris",
        code_commune_siege="75056",
        date_debut_label=date(2026, 1, 1),
    ),
]
ACADEMIES = [
    ("cmq-numerique-lyon", "10"),
    ("cmq-bois-grenoble", "08"),
    ("cmq-aero-lyon", "10"),
    ("cmq-chimie-normandie", "70"),
    ("cmq-tourisme-paris", "01"),
]


def _etab(uai, nom, type_, dep, acad, region, lat=None, lon=None):
    return dict(
        uai=uai,
        nom=nom,
        type=type_,
        departement=dep,
        academie=acad,
        region_academique=region,
        latitude=lat,
        longitude=lon,
    )


ETABLISSEMENTS = [
    _etab(LYC_LYON, "Lycée La Martinière", "LPO", "69", "10", "84", 45.767, 4.834),
    _etab(LP_LYON, "Lycée professionnel Lumière", "LP", "69", "10", "84"),
    _etab(COLLEGE_LYON, "Collège Ampère", "Collège", "69", "10", "84", 45.76, 4.83),
    _etab(LGT_GRENOBLE, "Lycée Champollion", "LGT", "38", "08", "84", 45.188, 5.724),
    _etab(CFA_GRENOBLE, "CFA du BTP de l'Isère", "CFA", "38", "08", "84"),
    _etab(LYC_ROUEN, "Lycée Corneille", "Lycée", "76", "70", "28", 49.44, 1.09),
    _etab(AGRI_ROUEN, "Lycée agricole d'Yvetot", "lycée agricole", "76", "70", "28"),
    _etab(LP_PARIS, "Lycée professionnel Belleville", "LP", "75", "01", "11", 48.87, 2.38),
]
MEMBRES = [
    ("cmq-numerique-lyon", LYC_LYON, "support"),
    ("cmq-numerique-lyon", COLLEGE_LYON, "membre"),
    ("cmq-numerique-lyon", LGT_GRENOBLE, "membre"),
    ("cmq-numerique-lyon", UAI_ABSENT, "membre"),
    ("cmq-bois-grenoble", CFA_GRENOBLE, "support"),
    ("cmq-bois-grenoble", LYC_LYON, "membre"),
    ("cmq-chimie-normandie", LYC_ROUEN, "support"),
    ("cmq-tourisme-paris", LP_PARIS, "support"),
]


def remplir(url: str) -> None:
    """Insert the example directory into the migrated database at `url`."""
    inserer(
        url,
        campus=CAMPUS,
        academies=ACADEMIES,
        etablissements=ETABLISSEMENTS,
        membres=[dict(campus_id=c, uai=u, role=r) for c, u, r in MEMBRES],
    )

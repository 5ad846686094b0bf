"""A small directory for the edition and review tests: two campuses (académies 10 and 01), one
member by UAI, one named member, one partner, two lycées in the establishments table."""

from datetime import date

from sqlalchemy import func, select

from cmq.models import Acteur, Campus
from cmq.store import db, ecriture
from cmq.store.tables import ChampChangeTable, ChangementTable

LYON, AIN = "btp-lyon", "plasturgie-ain"
FILIERE = "mobilite-aeronautique-transports-terrestres-et-maritimes"
UAI_MEMBRE, UAI_LIBRE = "0690010L", "0010001W"  # both in the establishments table
UAI_HORS_ANNUAIRE = "0699999U"
SIRET = "13002526500013"  # DINUM
SOURCE = "https://www.ac-lyon.fr/arrete-2026"

ADMIN = Acteur(nom="Administratrice", role="administrateur")
EDITEUR_LYON = Acteur(nom="Éditeur Lyon", role="editeur", perimetres=("academie:10",))
RELU = Acteur(nom="Relu", role="editeur", perimetres=("academie:10",), relecture=True)
ADMIN_LYON = Acteur(nom="Admin Lyon", role="administrateur", perimetres=("academie:10",))
ADMIN_AIN = Acteur(nom="Admin Ain", role="administrateur", perimetres=("academie:01",))


def remplir(url: str) -> None:
    with db.session(url, ecriture=True) as s:
        ecriture.ecrire_campus(
            s,
            [
                Campus(
                    id=LYON,
                    nom="Campus BTP Lyon",
                    filiere=FILIERE,
                    region_academique="84",
                    academies=["10"],
                    date_debut_label=date(2020, 1, 1),
                    site_web="https://btp-lyon.example.fr",
                ),
                Campus(id=AIN, nom="Campus Plasturgie Ain", filiere=FILIERE, region_academique="84", academies=["01"]),
            ],
        )
        ecriture.ecrire_etablissements(
            s,
            [
                {"uai": UAI_MEMBRE, "nom": "Lycée La Martinière", "academie": "10", "type": "LP"},
                {"uai": UAI_LIBRE, "nom": "Lycée de l'Ain", "academie": "01", "type": "LP"},
            ],
        )
        ecriture.ecrire_membres(
            s, [{"campus_id": LYON, "uai": UAI_MEMBRE, "role": "support", "libelle_role": None, "source_url": None}]
        )
        ecriture.ecrire_membres_nommes(
            s,
            [
                {
                    "campus_id": LYON,
                    "nom": "Université Lyon 1",
                    "nature": "universite",
                    "role": "membre",
                    "libelle_role": None,
                    "commune": None,
                    "code_commune": None,
                    "source_url": None,
                }
            ],
        )
        ecriture.ecrire_partenaires(
            s, [{"campus_id": LYON, "nom": "Fédération BTP", "nature": "branche", "siret": None}]
        )


def compter_changements(url: str) -> tuple[int, int]:
    with db.session(url) as s:
        return (
            s.scalar(select(func.count()).select_from(ChangementTable)),
            s.scalar(select(func.count()).select_from(ChampChangeTable)),
        )


def jeton_de(url: str, acteur: Acteur) -> str:
    """Create `acteur` as a user of the database at `url`; their token."""
    from cmq.store import db, utilisateurs

    with db.session(url) as s:
        _, jeton = utilisateurs.creer(s, acteur.nom, acteur.role, acteur.perimetres, relecture=acteur.relecture)
    return jeton

"""Import of members without UAI (named organisations), roles as sources write them, source pages."""

import pytest

from cmq import extraction
from cmq.errors import ErreurImport
from cmq.importation.fichier import importer_fichier
from cmq.models import Campus
from cmq.store import db, ecriture, lecture
from tests.import_outils import instantane

ENTETE = "campus_id;uai;nom du membre;nature;role;commune;source\n"


@pytest.fixture
def base(base_vide):
    with db.session(base_vide, ecriture=True) as s:
        ecriture.ecrire_campus(
            s,
            [
                Campus(
                    id="cmq-mer",
                    nom="Campus de la mer",
                    filiere="mobilite-aeronautique-transports-terrestres-et-maritimes",
                )
            ],
        )
    yield base_vide
    db.fermer_tout()


def _fichier(tmp_path, lignes: str):
    chemin = tmp_path / "membres.csv"
    chemin.write_text(ENTETE + lignes, encoding="utf-8")
    return chemin


def test_membres_avec_et_sans_uai(base, tmp_path):
    chemin = _fichier(
        tmp_path,
        "cmq-mer;0290001U;Lycée de la mer;;chef de file;;https://www.ac-rennes.fr/mer\n"
        "cmq-mer;;IUT de Brest;IUT;partenaire historique (supérieur);Brest;https://www.univ-brest.fr/x\n"
        "cmq-mer;;Chantiers de l'Atlantique;;membre;;\n",
    )
    rapport = importer_fichier(chemin, url=base)
    assert (rapport.type_import, rapport.inserees, rapport.rejetees) == ("membres", 3, 0)
    with db.session(base) as s:
        ((membre, _),) = lecture.membres(s, "cmq-mer")
        assert (membre.uai, membre.role.value, membre.libelle_role, membre.source_url) == (
            "0290001U",
            "support",
            "chef de file",
            "https://www.ac-rennes.fr/mer",
        )
        nommes = [
            (m.nom, m.nature.value, m.role.value, m.commune, m.source_url) for m in lecture.membres_nommes(s, "cmq-mer")
        ]
        assert nommes == [
            ("Chantiers de l'Atlantique", "autre", "membre", None, None),
            ("IUT de Brest", "iut", "partenaire", "Brest", "https://www.univ-brest.fr/x"),
        ]
        assert lecture.campus_avec_membres(s) == {"cmq-mer"}
    with db.session(base) as s:
        colonnes, lignes = extraction.table_membres(s)
    exportees = [dict(zip(colonnes, ligne, strict=True)) for ligne in lignes]
    assert [
        (e["uai"], e["nom"], e["role"], e["libelle_role"], e["nature_membre"], e["nom_commune"]) for e in exportees
    ] == [
        ("0290001U", None, "support", "chef de file", None, None),  # UAI absent from the directory: no name
        (None, "Chantiers de l'Atlantique", "membre", "membre", "autre", None),
        (None, "IUT de Brest", "partenaire", "partenaire historique (supérieur)", "iut", "Brest"),
    ]
    assert exportees[2]["source_url"] == "https://www.univ-brest.fr/x"
    encore = importer_fichier(chemin, url=base)
    assert (encore.inserees, encore.mises_a_jour, encore.inchangees) == (0, 0, 3)


@pytest.mark.parametrize(
    ("ligne", "motif"),
    [
        (
            "cmq-mer;;IUT de Brest;IUT;financeur;;\n",
            "rôle inconnu « financeur » : support, membre ou partenaire attendu",
        ),
        ("cmq-mer;;IUT de Brest;fondation;membre;;\n", "nature inconnue « fondation »"),
        ("cmq-mer;;;;membre;;\n", "UAI"),
    ],
)
def test_ligne_de_membre_invalide_rien_ecrit(base, tmp_path, ligne, motif):
    chemin = _fichier(tmp_path, "cmq-mer;;GRETA de Brest;;membre;;\n" + ligne)
    avant = instantane(base)
    with pytest.raises(ErreurImport) as erreur:
        importer_fichier(chemin, url=base)
    assert motif in str(erreur.value)
    assert instantane(base) == avant


@pytest.mark.parametrize("lien", ["javascript:alert(1)", "data:text/html,x", "ftp://exemple.fr/a"])
def test_lien_de_source_d_un_membre_http_seulement(lien):
    from pydantic import ValidationError

    from cmq.models import Membre, MembreNomme

    for modele, champs in ((Membre, {"uai": "0690001B"}), (MembreNomme, {"nom": "IUT de Lannion"})):
        with pytest.raises(ValidationError, match="http"):
            modele(campus_id="cmq-x", source_url=lien, **champs)
    assert Membre(campus_id="cmq-x", uai="0690001B", source_url="https://www.ac-lyon.fr/a").source_url

"""`cmq.curation`: campus fields, members and partners edited with their source, traced in the
history (before/after), refused outside the actor's scope or on bad input — nothing written then."""

from datetime import date

import pytest

from cmq import curation
from cmq.errors import CodeInvalide, EntreeInvalide, Interdit, IntrouvableError
from cmq.store import db, historique, lecture, version
from tests.curation_exemple import (
    ADMIN,
    AIN,
    EDITEUR_LYON,
    LYON,
    SIRET,
    SOURCE,
    UAI_HORS_ANNUAIRE,
    UAI_LIBRE,
    UAI_MEMBRE,
    compter_changements,
    remplir,
)


@pytest.fixture
def base(base_vide) -> str:
    remplir(base_vide)
    return base_vide


def _campus(url, id=LYON):
    with db.session(url) as s:
        return lecture.campus(s, id)


def _membres(url, id=LYON):
    with db.session(url) as s:
        return (
            sorted(m.uai for m, _ in lecture.membres(s, id)),
            sorted(m.nom for m in lecture.membres_nommes(s, id)),
            sorted((p.nom, p.siret) for p in lecture.partenaires(s, id)),
        )


def test_modifier_campus_applique_et_trace(base):
    avant = version.version(base)
    resultat = curation.modifier_campus(
        LYON,
        {"excellence": "oui", "date_fin_label": "2030-12-31", "site_web": "https://nouveau.example.fr", "sigle": ""},
        acteur=EDITEUR_LYON,
        source=f"  {SOURCE} ",
        url=base,
    )
    assert resultat.statut == "applique"
    campus = _campus(base)
    assert (campus.excellence, campus.date_fin_label, campus.site_web) == (
        True,
        date(2030, 12, 31),
        "https://nouveau.example.fr",
    )
    [changement] = resultat.changements
    assert (changement.objet, changement.action, changement.operation, changement.statut) == (
        "campus",
        "modification",
        "edition",
        "applique",
    )
    assert (changement.auteur, changement.source, changement.campus_id) == ("Éditeur Lyon", SOURCE, LYON)
    assert [(v.champ, v.avant, v.apres) for v in changement.champs] == [
        ("date_fin_label", None, "2030-12-31"),
        ("excellence", None, True),
        ("site_web", "https://btp-lyon.example.fr", "https://nouveau.example.fr"),
    ]
    with db.session(base) as s:
        assert [c.id for c in historique.lire(s, campus_id=LYON)] == [changement.id]
    assert version.version(base) != avant


def test_excellence_inconnue_et_rien_a_changer(base):
    curation.modifier_campus(LYON, {"excellence": True}, acteur=ADMIN, source=SOURCE, url=base)
    resultat = curation.modifier_campus(LYON, {"excellence": "inconnue"}, acteur=ADMIN, source=SOURCE, url=base)
    assert _campus(base).excellence is None
    assert [(v.champ, v.avant, v.apres) for v in resultat.changements[0].champs] == [("excellence", True, None)]
    inchange = curation.modifier_campus(LYON, {"excellence": None}, acteur=ADMIN, source=SOURCE, url=base)
    assert (inchange.statut, inchange.changements) == ("inchange", [])
    assert compter_changements(base) == (2, 2)


def test_membres_et_partenaires(base):
    ajout = curation.ajouter_membre(
        LYON, uai=" 0010001w ", role="chef de file", acteur=ADMIN, source="Arrêté rectoral du 3 mars 2026", url=base
    )
    assert ajout.statut == "applique" and ajout.avertissements == []
    [c] = ajout.changements
    assert (c.objet, c.action, c.cle) == ("membre", "creation", UAI_LIBRE)
    assert {v.champ: v.apres for v in c.champs} == {
        "campus_id": LYON,
        "uai": UAI_LIBRE,
        "role": "support",
        "libelle_role": "chef de file",
    }
    hors = curation.ajouter_membre(LYON, uai=UAI_HORS_ANNUAIRE, acteur=ADMIN, source=SOURCE, url=base)
    assert hors.avertissements == [
        f"UAI {UAI_HORS_ANNUAIRE} absent de l'annuaire chargé : membre gardé « hors annuaire »"
    ]
    nomme = curation.ajouter_membre(LYON, nom="IUT Lyon 1", acteur=ADMIN, source=SOURCE, url=base)
    assert {v.champ: v.apres for v in nomme.changements[0].champs}["nature"] == "iut"
    retrait = curation.retirer_membre(LYON, "université lyon 1", acteur=ADMIN, source=SOURCE, url=base)
    assert (retrait.changements[0].objet, retrait.changements[0].action) == ("membre_nomme", "suppression")
    assert {v.champ: v.avant for v in retrait.changements[0].champs}["nom"] == "Université Lyon 1"
    curation.retirer_membre(LYON, UAI_MEMBRE.lower(), acteur=ADMIN, source=SOURCE, url=base)
    curation.ajouter_partenaire(LYON, "Vinci", nature="entreprise", siret=SIRET, acteur=ADMIN, source=SOURCE, url=base)
    curation.retirer_partenaire(LYON, "Fédération BTP", acteur=ADMIN, source=SOURCE, url=base)
    assert _membres(base) == ([UAI_LIBRE, UAI_HORS_ANNUAIRE], ["IUT Lyon 1"], [("Vinci", SIRET)])
    with db.session(base) as s:
        assert [(c.objet, c.action) for c in historique.lire(s, campus_id=LYON)] == [
            ("partenaire", "suppression"),
            ("partenaire", "creation"),
            ("membre", "suppression"),
            ("membre_nomme", "suppression"),
            ("membre_nomme", "creation"),
            ("membre", "creation"),
            ("membre", "creation"),
        ]


def test_hors_perimetre_rien_ecrit(base):
    with pytest.raises(Interdit, match="« Éditeur Lyon » ne peut pas modifier le campus « plasturgie-ain »"):
        curation.modifier_campus(AIN, {"description": "x"}, acteur=EDITEUR_LYON, source=SOURCE, url=base)
    with pytest.raises(Interdit):
        curation.ajouter_membre(AIN, uai=UAI_LIBRE, acteur=EDITEUR_LYON, source=SOURCE, url=base)
    assert _campus(base, AIN).description is None
    assert _membres(base, AIN) == ([], [], [])
    assert compter_changements(base) == (0, 0)


@pytest.mark.parametrize(
    ("operation", "erreur", "message"),
    [
        (
            lambda u: curation.modifier_campus(
                LYON, {"date_fin_label": "2019-01-01"}, acteur=ADMIN, source=SOURCE, url=u
            ),
            EntreeInvalide,
            "dates du label dans le mauvais ordre : fin 2019-01-01 avant début 2020-01-01",
        ),
        (
            lambda u: curation.modifier_campus(
                LYON, {"site_web": "javascript:alert(1)"}, acteur=ADMIN, source=SOURCE, url=u
            ),
            EntreeInvalide,
            "seules les adresses http:// ou https:// sont acceptées",
        ),
        (
            lambda u: curation.modifier_campus(
                LYON, {"date_debut_label": "1er mars"}, acteur=ADMIN, source=SOURCE, url=u
            ),
            EntreeInvalide,
            "date invalide : « 1er mars »",
        ),
        (
            lambda u: curation.modifier_campus(LYON, {"filiere": "x"}, acteur=ADMIN, source=SOURCE, url=u),
            EntreeInvalide,
            "champ(s) non modifiable(s) : filiere",
        ),
        (
            lambda u: curation.modifier_campus(LYON, {"excellence": "peut-être"}, acteur=ADMIN, source=SOURCE, url=u),
            EntreeInvalide,
            "valeur « peut-être » non reconnue",
        ),
        (
            lambda u: curation.modifier_campus(LYON, {"note": "x"}, acteur=ADMIN, source="  ", url=u),
            EntreeInvalide,
            "source obligatoire",
        ),
        (
            lambda u: curation.modifier_campus(LYON, {"note": "x"}, acteur=ADMIN, source="ftp://x.fr/a", url=u),
            EntreeInvalide,
            "source refusée",
        ),
        (
            lambda u: curation.modifier_campus("inconnu", {"note": "x"}, acteur=ADMIN, source=SOURCE, url=u),
            IntrouvableError,
            "campus inconnu : inconnu",
        ),
        (
            lambda u: curation.ajouter_membre(LYON, uai="0690010A", acteur=ADMIN, source=SOURCE, url=u),
            CodeInvalide,
            "0690010A",
        ),
        (
            lambda u: curation.ajouter_membre(LYON, uai=UAI_LIBRE, nom="X", acteur=ADMIN, source=SOURCE, url=u),
            EntreeInvalide,
            "soit l'UAI de l'établissement membre, soit le nom",
        ),
        (
            lambda u: curation.ajouter_membre(LYON, nom="X", nature="fusée", acteur=ADMIN, source=SOURCE, url=u),
            EntreeInvalide,
            "membre « X » refusé : nature",
        ),
        (
            lambda u: curation.ajouter_membre(LYON, uai=UAI_LIBRE, role="sponsor", acteur=ADMIN, source=SOURCE, url=u),
            EntreeInvalide,
            "sponsor",
        ),
        (
            lambda u: curation.retirer_membre(LYON, UAI_LIBRE, acteur=ADMIN, source=SOURCE, url=u),
            IntrouvableError,
            f"« {UAI_LIBRE} » n'est pas membre du campus « {LYON} »",
        ),
        (
            lambda u: curation.ajouter_partenaire(
                LYON, "Vinci", siret="13002526500014", acteur=ADMIN, source=SOURCE, url=u
            ),
            CodeInvalide,
            "13002526500014",
        ),
        (
            lambda u: curation.retirer_partenaire(LYON, "Inconnu SA", acteur=ADMIN, source=SOURCE, url=u),
            IntrouvableError,
            f"« Inconnu SA » n'est pas partenaire du campus « {LYON} »",
        ),
    ],
)
def test_entrees_invalides_rien_ecrit(base, operation, erreur, message):
    avant = (_campus(base), _membres(base))
    with pytest.raises(erreur) as refus:
        operation(base)
    assert message in str(refus.value)
    assert (_campus(base), _membres(base)) == avant
    assert compter_changements(base) == (0, 0)


def test_version_vue_des_autres_processus(base):
    """PostgreSQL's data version (read by other processes) changes with a field edition, which
    changes no count: the last change id is part of it."""
    with db.session(base) as s:
        avant = tuple(s.execute(version._VERSION_BASE).one())
    curation.modifier_campus(LYON, {"note": "vue ailleurs"}, acteur=ADMIN, source=SOURCE, url=base)
    with db.session(base) as s:
        assert tuple(s.execute(version._VERSION_BASE).one()) != avant

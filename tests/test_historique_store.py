"""`cmq.store.historique`: bulk recording of changes with their fields before/after, read back newest first."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from cmq.models import Acteur
from cmq.store import db, historique
from cmq.store.tables import ChampChangeTable, ChangementTable

ALICE = Acteur(nom="Alice", role="editeur", perimetres=("academie:10",))
QUAND = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)


def _compter(url: str) -> tuple[int, int]:
    with db.session(url) as s:
        return (
            s.scalar(select(func.count()).select_from(ChangementTable)),
            s.scalar(select(func.count()).select_from(ChampChangeTable)),
        )


def test_differences_ne_garde_que_les_champs_changes():
    assert historique.differences({"a": 1, "b": None, "c": "x"}, {"a": 1, "b": "y", "d": False}) == {
        "b": (None, "y"),
        "c": ("x", None),
        "d": (None, False),
    }
    assert historique.differences(None, {"a": 1}) == {"a": (None, 1)}
    assert historique.differences({"a": 1}, {"a": 1}) == {}


def test_enregistrer_puis_lire(base_vide):
    changements = [
        historique.Nouveau(
            "campus", "c1", None, None, {"nom": "Campus « un »", "excellence": None, "academies": ["10"]}
        ),
        historique.Nouveau("campus", "c2", None, {"nom": "Deux"}, {"nom": "Deux"}),  # nothing changes: not kept
        historique.Nouveau("membre", "c1", "0690001A", {"role": "membre"}, None),
        historique.Nouveau("campus", "c1", None, {"excellence": None}, {"excellence": True}),
    ]
    with db.session(base_vide, ecriture=True) as s:
        ids = historique.enregistrer(
            s, changements, acteur=ALICE, source=" https://ac-lyon.fr/arrete ", operation="edition", quand=QUAND
        )
    assert len(ids) == 3 and ids == sorted(ids)
    with db.session(base_vide) as s:
        lus = historique.lire(s, campus_id="c1")
    assert [(c.id, c.objet, c.action, c.cle) for c in lus] == [
        (ids[2], "campus", "modification", None),
        (ids[1], "membre", "suppression", "0690001A"),
        (ids[0], "campus", "creation", None),
    ]
    assert all(c.auteur == "Alice" and c.source == "https://ac-lyon.fr/arrete" and c.quand == QUAND for c in lus)
    assert [(v.champ, v.avant, v.apres) for v in lus[0].champs] == [("excellence", None, True)]
    assert [(v.champ, v.avant, v.apres) for v in lus[2].champs] == [
        ("academies", None, ["10"]),
        ("nom", None, "Campus « un »"),
    ]
    with db.session(base_vide) as s:
        assert historique.lire(s, campus_id="c2") == []
        assert [c.id for c in historique.lire(s, depuis=ids[0])] == [ids[2], ids[1]]
        assert historique.lire(s, statuts=("a_valider",)) == []
        assert [c.id for c in historique.lire(s, limite=1)] == [ids[2]]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"source": "  ", "operation": "edition"}, "source obligatoire"),
        ({"source": "x", "operation": "bricolage"}, "opération ou statut inconnu"),
        ({"source": "x", "operation": "edition", "statut": "peut-etre"}, "opération ou statut inconnu"),
    ],
)
def test_refus_sans_rien_ecrire(base_vide, arguments, message):
    with pytest.raises(ValueError, match=message), db.session(base_vide, ecriture=True) as s:
        historique.enregistrer(
            s, [historique.Nouveau("campus", "c1", None, None, {"nom": "X"})], acteur=ALICE, **arguments
        )
    assert _compter(base_vide) == (0, 0)

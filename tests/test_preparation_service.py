"""`serveur.preparer`, run by `cmq serve` before it listens: the resolution index and the indicator
snapshot are built, and the objects then alive are out of the garbage collector's generations."""

import gc

import pytest

from cmq import indicateurs, resolve, serveur
from cmq.store import db


@pytest.fixture
def gel():
    """Undo `gc.freeze` after the test: the test process keeps collecting its objects."""
    yield
    gc.unfreeze()


def test_preparer_construit_les_index_et_gele(base_embarquee, gel):
    resolve.vider_cache()
    indicateurs.vider_instantanes()
    url = db.ouvrir(base_embarquee)
    assert resolve.index_courant(url) is None
    assert indicateurs.instantane_courant(url) is None
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    serveur.preparer(base_embarquee)
    index = resolve.index_courant(url)
    assert index is not None
    assert indicateurs.instantane_courant(url) is not None
    assert gc.get_freeze_count() > 0
    # the index built is the one the requests use: a known campus resolves without a rebuild
    assert resolve.resolve("Mobicampus", url=base_embarquee).statut == "trouve"
    assert resolve.index_courant(url) is index

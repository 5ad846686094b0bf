"""`serveur.preparer`, run by `cmq serve` before it listens: the resolution index and the indicator
snapshot are built, so the first requests do not wait for them."""

from cmq import indicateurs, resolve, serveur
from cmq.store import db


def test_preparer_construit_les_index(base_embarquee):
    resolve.vider_cache()
    indicateurs.vider_instantanes()
    url = db.ouvrir(base_embarquee)
    assert resolve.index_courant(url) is None
    assert indicateurs.instantane_courant(url) is None
    serveur.preparer(base_embarquee)
    index = resolve.index_courant(url)
    assert index is not None
    assert indicateurs.instantane_courant(url) is not None
    # the index built is the one the requests use: a known campus resolves without a rebuild
    assert resolve.resolve("Mobicampus", url=base_embarquee).statut == "trouve"
    assert resolve.index_courant(url) is index

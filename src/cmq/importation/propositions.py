"""After a members import: the lycées it left named (no UAI) go to the review queue with their
candidate UAIs (`cmq.relecture.proposer_rapprochements`); the import's own rows are unchanged."""

from typing import Any

from sqlalchemy.orm import Session

from cmq import relecture
from cmq.models import Acteur, MembreNomme
from cmq.rapprochement import IndexEtablissements


def proposer(
    s: Session, url: str, nommes: list[dict[str, Any]], *, source: str, import_id: int | None, acteur: Acteur
) -> int:
    """Queue the candidates of the named lycées written by an import (as proposed by `acteur`, who
    imports); the number of proposals."""
    lycees = [MembreNomme.model_validate(n) for n in nommes if n.get("nature") == "lycee"]
    if not lycees:
        return 0
    index = IndexEtablissements.de_la_base_en_cache(url)
    return relecture.proposer_rapprochements(s, lycees, index, source=source, import_id=import_id, acteur=acteur)

"""The review queue: changes recorded « à valider », accepted or rejected by an administrator.

A pending change is not applied, so public reads, indicators and the default history ignore it.
It is shown to its author and to the administrators whose scopes cover its campus. Accepting
re-reads the object: its stored fields must still be the change's « before » (else `Conflit`,
nothing applied); the change is then applied and marked `applique` (who, when). Rejecting needs a
reason (`motif`). Both act on a whole proposal: an import's candidate UAI for a member known by
name (`proposer_rapprochements`) is a member creation and, recorded just after it, the removal
of the named member.
"""

from typing import Any

from sqlalchemy.orm import Session

from cmq import droits, perimetres
from cmq.errors import Conflit, EntreeInvalide, Interdit, IntrouvableError
from cmq.models import Acteur, Campus, Changement, MembreNomme, Role
from cmq.rapprochement import IndexEtablissements
from cmq.store import db, edition, historique, lecture
from cmq.store.tables import EtablissementTable

ID_MAX = 2**31 - 1  # largest change id (an INTEGER column)
CANDIDATS_MAX = 3  # candidate UAIs proposed for one named member
_MOITIES = {("membre", "creation"), ("membre_nomme", "suppression")}


def _auteur(acteur: Acteur, c: Changement) -> bool:
    return c.auteur == acteur.nom


def _couvre(s: Session, acteur: Acteur, campus_id: str | None, cache: dict[str, Campus | None]) -> bool:
    if acteur.role is not Role.administrateur:
        return False
    if perimetres.FRANCE in acteur.perimetres:
        return True
    if campus_id is None:
        return False
    if campus_id not in cache:
        try:
            cache[campus_id] = lecture.campus(s, campus_id)
        except IntrouvableError:
            cache[campus_id] = None
    campus = cache[campus_id]
    return campus is not None and droits.couvre_campus(acteur, campus)


def en_attente(acteur: Acteur, *, campus_id: str | None = None, url: str | None = None) -> list[Changement]:
    """Pending changes the actor may see (theirs, or of a campus they review), oldest first."""
    with db.session(url) as s:
        cache: dict[str, Campus | None] = {}
        attente = historique.lire(s, campus_id=campus_id, statuts=("a_valider",))
        return [c for c in reversed(attente) if _auteur(acteur, c) or _couvre(s, acteur, c.campus_id, cache)]


def _verifier_relecteur(s: Session, acteur: Acteur, c: Changement) -> None:
    if acteur.role is not Role.administrateur or acteur.relecture:
        raise Interdit(
            f"« {acteur.nom} » ne peut pas décider des changements à valider : réservé aux administrateurs "
            "dont les changements ne sont pas eux-mêmes relus"
        )
    if c.campus_id is None:
        droits.verifier_administrateur(acteur)
    elif not _couvre(s, acteur, c.campus_id, {}):
        raise Interdit(
            f"« {acteur.nom} » ne peut pas décider du changement {c.id} : campus « {c.campus_id} » hors de son "
            f"périmètre ({', '.join(acteur.perimetres)})"
        )


def _lie(c: Changement, autre: Changement) -> bool:
    """True for the two halves of an import's proposal (module docstring)."""
    return (
        autre.statut == "a_valider"
        and c.operation == autre.operation == "import"
        and c.import_id is not None
        and (c.import_id, c.campus_id, c.quand, c.source)
        == (autre.import_id, autre.campus_id, autre.quand, autre.source)
        and {(c.objet, c.action), (autre.objet, autre.action)} == _MOITIES
    )


def _proposition(s: Session, id: int) -> list[Changement]:
    """The pending change `id` and the other half of its proposal, if any."""
    trouves = historique.par_ids(s, [i for i in (id - 1, id, id + 1) if 0 < i <= ID_MAX])
    c = next((x for x in trouves if x.id == id), None)
    if c is None:
        raise IntrouvableError(f"changement inconnu : {id}")
    if c.statut != "a_valider":
        etat = "appliqué" if c.statut == "applique" else "rejeté"
        raise Conflit(f"changement {id} déjà {etat} par {c.decide_par or c.auteur} : rien n'a été modifié")
    voisin = id + 1 if c.objet == "membre" else id - 1  # the member's creation is recorded first
    return sorted([c, *(x for x in trouves if x.id == voisin and _lie(c, x))], key=lambda x: x.id)


def _cible(c: Changement, actuel: dict[str, Any] | None) -> dict[str, Any] | None:
    """The object's state once `c` is applied; Conflit when it no longer starts from `c`'s « before »."""
    objet = f"{c.objet} « {c.cle} »" if c.cle else f"campus « {c.campus_id} »"
    if c.action == "creation":
        if actuel is not None:
            raise Conflit(f"changement {c.id} en conflit : {objet} existe déjà ; rien n'a été modifié")
        return {v.champ: v.apres for v in c.champs}
    if actuel is None:
        raise Conflit(f"changement {c.id} en conflit : {objet} n'existe plus ; rien n'a été modifié")
    changes = [v.champ for v in c.champs if actuel.get(v.champ) != v.avant]
    if changes:
        raise Conflit(
            f"changement {c.id} en conflit : {objet} a changé depuis la proposition ({', '.join(changes)}) ; "
            "rien n'a été modifié"
        )
    return None if c.action == "suppression" else {**actuel, **{v.champ: v.apres for v in c.champs}}


def accepter(id: int, *, acteur: Acteur, url: str | None = None) -> list[Changement]:
    """Apply a pending change (and the other half of its proposal) and mark it `applique`."""
    with db.session(url, ecriture=True) as s:
        groupe = _proposition(s, id)
        _verifier_relecteur(s, acteur, groupe[0])
        cibles = [(c, _cible(c, edition.etat(s, c.objet, c.campus_id, c.cle))) for c in groupe]
        for c, cible in cibles:
            if c.objet == "campus":
                droits.verifier_campus(s, acteur, c.campus_id, edition.modele("campus", cible))
            elif cible is not None:
                edition.modele(c.objet, cible)  # still a valid object
        for c, cible in cibles:
            edition.appliquer(s, c.objet, c.campus_id, c.cle, cible)
        if historique.decider(s, [c.id for c in groupe], "applique", par=acteur.nom) != len(groupe):
            raise Conflit(f"changement {id} décidé entre-temps par quelqu'un d'autre : rien n'a été modifié")
        return historique.par_ids(s, [c.id for c in groupe])


def rejeter(id: int, motif: str, *, acteur: Acteur, url: str | None = None) -> list[Changement]:
    """Mark a pending change (and the other half of its proposal) `rejete`, with the reason."""
    motif = (motif or "").strip()
    if not motif:
        raise EntreeInvalide("motif obligatoire pour rejeter un changement : expliquez pourquoi il est refusé")
    with db.session(url, ecriture=True) as s:
        groupe = _proposition(s, id)
        _verifier_relecteur(s, acteur, groupe[0])
        if historique.decider(s, [c.id for c in groupe], "rejete", par=acteur.nom, motif=motif) != len(groupe):
            raise Conflit(f"changement {id} décidé entre-temps par quelqu'un d'autre : rien n'a été modifié")
        return historique.par_ids(s, [c.id for c in groupe])


# --- Candidates of an import ------------------------------------------------------------------


def _dans_la_region(s: Session, uai: str, region: str | None) -> bool:
    """True unless the establishment is known to be outside the campus's région académique."""
    etablissement = s.get(EtablissementTable, uai)
    return region is None or etablissement is None or etablissement.region_academique in (None, region)


def proposer_rapprochements(
    s: Session,
    nommes: list[MembreNomme],
    index: IndexEtablissements,
    *,
    source: str,
    import_id: int | None,
    acteur: Acteur,
) -> int:
    """Queue, for each lycée an import left named (no UAI given), its candidate establishments
    (`cmq.rapprochement`, in the campus's région académique) as pending proposals: add the member
    by UAI, remove the named one. A candidate already a member, or already proposed (pending or
    rejected), is skipped. Returns the number of proposals queued."""
    proposees = 0
    regions: dict[str, str | None] = {}
    for nomme in nommes:
        if nomme.nature.value != "lycee":
            continue
        if nomme.campus_id not in regions:
            regions[nomme.campus_id] = lecture.campus(s, nomme.campus_id).region_academique
        resultat = index.rapprocher(nomme.nom, nomme.commune)
        uais = [resultat.uai] if resultat.statut == "trouve" else [c.uai for c in resultat.candidats]
        for uai in [u for u in uais if _dans_la_region(s, u, regions[nomme.campus_id])][:CANDIDATS_MAX]:
            if edition.etat(s, "membre", nomme.campus_id, uai) is not None or historique.existe(
                s, objet="membre", campus_id=nomme.campus_id, cle=uai, statuts=("a_valider", "rejete")
            ):
                continue
            apres = {"campus_id": nomme.campus_id, "uai": uai, "role": nomme.role.value}
            apres |= {"libelle_role": nomme.libelle_role, "source_url": nomme.source_url}
            paire = [
                historique.Nouveau("membre", nomme.campus_id, uai, None, apres),
                historique.Nouveau("membre_nomme", nomme.campus_id, nomme.nom, nomme.model_dump(mode="json"), None),
            ]
            historique.enregistrer(
                s, paire, acteur=acteur, source=source, operation="import", statut="a_valider", import_id=import_id
            )
            proposees += 1
    return proposees

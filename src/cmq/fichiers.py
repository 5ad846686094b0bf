"""Atomic file output: every export is written to a temporary file, then renamed over the target."""

import errno
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Literal

from cmq.errors import EntreeInvalide, ErreurEcriture


def _droits(chemin: Path) -> int:
    """Permissions of the final file: those of the file replaced, else the usual 0666 minus umask."""
    try:
        return chemin.stat().st_mode & 0o7777
    except FileNotFoundError:
        masque = os.umask(0)
        os.umask(masque)
        return 0o666 & ~masque


@contextmanager
def ecriture_atomique(
    chemin: Path | str, mode: Literal["w", "wb"] = "w", encoding: str = "utf-8", newline: str | None = None
) -> Iterator[IO]:
    """Open a temporary file beside `chemin`; on success it replaces `chemin`, on error it is removed.

    Readers never see a half-written file and a failed export leaves the previous file untouched.
    ErreurEcriture (French message) when the folder is missing or not writable, or the target is a folder.
    """
    chemin = Path(chemin)
    dossier = chemin.parent
    if not dossier.is_dir():
        raise ErreurEcriture(f"impossible d'écrire « {chemin} » : le dossier « {dossier} » n'existe pas")
    if chemin.is_dir():
        raise ErreurEcriture(f"impossible d'écrire « {chemin} » : c'est un dossier")
    try:
        fd, temporaire = tempfile.mkstemp(dir=dossier, prefix=f".{chemin.name}.", suffix=".tmp")
    except OSError as erreur:
        raise ErreurEcriture(
            f"impossible d'écrire « {chemin} » : dossier non accessible en écriture ({erreur.strerror})"
        ) from None
    try:
        texte = {} if "b" in mode else {"encoding": encoding, "newline": newline}
        with os.fdopen(fd, mode, **texte) as flux:
            yield flux
            flux.flush()
            os.fsync(flux.fileno())
        os.chmod(temporaire, _droits(chemin))
        os.replace(temporaire, chemin)
    except BaseException as erreur:
        Path(temporaire).unlink(missing_ok=True)
        if isinstance(erreur, OSError):  # disk full, target locked…
            raison = "disque plein" if erreur.errno == errno.ENOSPC else (erreur.strerror or erreur)
            raise ErreurEcriture(f"impossible d'écrire « {chemin} » : {raison}") from erreur
        raise


def a_cote(entree: Path | str, suffixe: str, extension: str | None = None) -> Path:
    """Default output beside an input file: `<name><suffixe><extension>` (the input's extension by default)."""
    entree = Path(entree)
    return entree.with_name(f"{entree.stem}{suffixe}{entree.suffix if extension is None else extension}")


def sortie_distincte(entree: Path | str, sortie: Path | str) -> Path:
    """`sortie`, refused (EntreeInvalide, nothing written) when it is the input file itself — same path,
    or the same file through a link: an input file is never overwritten."""
    entree, sortie = Path(entree), Path(sortie)
    if entree.resolve() == sortie.resolve() or (sortie.exists() and entree.exists() and entree.samefile(sortie)):
        raise EntreeInvalide(
            f"le fichier de sortie « {sortie} » est le fichier d'entrée : choisissez un autre nom "
            "(l'entrée n'est jamais modifiée)"
        )
    return sortie

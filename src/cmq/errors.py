"""cmq's own errors: every message is in French and meant for the end user."""


class CmqError(Exception):
    """Base of every error cmq raises on purpose (bad input, unknown code, I/O…)."""

    exit_code = 1


class EntreeInvalide(CmqError, ValueError):
    """A value given by the user is malformed (code, date, text…); a ValueError for pydantic."""


class CodeInvalide(EntreeInvalide):
    """A UAI, SIREN/SIRET, département or commune code fails validation."""


class FiliereInconnue(EntreeInvalide):
    """No filière matches a code or a text."""


class NsfInconnu(EntreeInvalide):
    """No NSF group (formation domain) matches a code or a label."""


class TerritoireInconnu(EntreeInvalide):
    """No territory matches a code or a name."""


class FichierIllisible(CmqError):
    """A file cannot be read (missing, wrong encoding, wrong format, truncated…)."""


class ColonneManquante(FichierIllisible):
    """A required column is absent from a table."""


class ErreurEcriture(CmqError):
    """An output file cannot be written (missing folder, no permission, disk full…); nothing is left behind."""


class ErreurImport(CmqError):
    """An import was rejected; the store is unchanged."""


class ImportEnCours(ErreurImport):
    """Another import held the database's import lock for longer than the wait; nothing was written."""


class ErreurReseau(CmqError):
    """A remote portal failed (timeout, HTTP error, truncated body) after retries."""


class RefusPortail(ErreurReseau):
    """The portal refused the request (4xx other than 429): retrying is useless."""

    def __init__(self, message: str, *, statut: int, code: str | None = None):
        super().__init__(message)
        self.statut = statut
        self.code = code


class ErreurStockage(CmqError):
    """The database cannot be opened, migrated or written."""


class IntrouvableError(CmqError):
    """An object (campus, établissement, alias…) does not exist in the store."""


class Conflit(CmqError):
    """The object changed since the change was proposed (or the change was already decided): nothing is applied."""

    exit_code = 4


class Interdit(CmqError):
    """The acting person may not make this change (outside their scope, or not an administrator)."""

    exit_code = 3

"""cmq — référentiel et indicateurs des Campus des Métiers et des Qualifications."""

__version__ = "0.1.0"

"""The import pipeline: column matching, conversion and validation of rows, all-or-nothing write and
report of rejected rows; from files (`fichier`), portals (`distant`) and the annuaire (`annuaire`).
"""

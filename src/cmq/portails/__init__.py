"""Clients of the remote open-data portals (Opendatasoft Explore API, data.gouv.fr tabular API).

They fetch rows, with bounded retries, and write nothing: `cmq.importation.distant` imports them.
"""

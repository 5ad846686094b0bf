"""Remote open-data sources: clients fetching raw rows from Opendatasoft and data.gouv.fr portals."""

"""REST API of cmq (FastAPI), attached by `cmq.serveur.creer_app` to the application of `cmq serve`."""

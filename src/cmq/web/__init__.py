"""Web pages of `cmq serve`: server-rendered Jinja2 templates styled with the DSFR, a Leaflet map
and a Chart.js chart, every asset served locally (`static/`). Entry point: `routes.inclure(app)`."""

/* Swagger UI of /docs, from the vendored bundle (no inline script: works under a strict CSP). */
(function () {
  'use strict';
  const cible = document.getElementById('swagger-ui');
  if (!cible || typeof SwaggerUIBundle === 'undefined') return;
  SwaggerUIBundle({
    url: cible.dataset.openapi,
    dom_id: '#swagger-ui',
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
    onComplete: () => { cible.dataset.etat = 'pret'; },
  });
}());

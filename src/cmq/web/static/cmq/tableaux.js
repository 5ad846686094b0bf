/* A table wider than the screen scrolls inside its container: that container becomes a keyboard
   stop named after the table's caption, so it can be scrolled without a mouse (WCAG 2.1.1). */
(function () {
  'use strict';
  function marquer() {
    document.querySelectorAll('.fr-table__container').forEach((conteneur) => {
      const deborde = conteneur.scrollWidth > conteneur.clientWidth + 1;
      const legende = conteneur.querySelector('caption');
      if (deborde) {
        conteneur.setAttribute('tabindex', '0');
        conteneur.setAttribute('role', 'region');
        conteneur.setAttribute('aria-label', `${legende ? legende.textContent.trim() : 'Tableau'} (défilement horizontal)`);
      } else if (conteneur.getAttribute('role') === 'region') {
        ['tabindex', 'role', 'aria-label'].forEach((nom) => conteneur.removeAttribute(nom));
      }
    });
  }
  marquer();
  window.addEventListener('resize', marquer);
}());

/* Campus list: linked territory filters and collapsible filters on small screens.
   - choosing a région académique keeps only its académies and départements in their lists
     (options carry data-region); a choice outside the région is cleared;
   - on a small screen the filters start folded when none is active. */
(function () {
  'use strict';
  const region = document.getElementById('region_academique');

  function restreindre() {
    const choisie = region.value;
    ['academie', 'departement'].forEach((id) => {
      const liste = document.getElementById(id);
      if (!liste) return;
      Array.from(liste.options).forEach((option) => {
        const garder = !option.value || !choisie || option.dataset.region === choisie;
        option.hidden = !garder;
        option.disabled = !garder;
        if (!garder && option.selected) liste.value = '';
      });
    });
  }

  if (region) {
    region.addEventListener('change', restreindre);
    restreindre();
  }
  const details = document.getElementById('filtres-details');
  if (details && details.dataset.actifs === 'non' && window.matchMedia('(max-width: 47.99em)').matches) {
    details.open = false;
  }
}());

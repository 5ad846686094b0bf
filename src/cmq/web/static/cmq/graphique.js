/* Chart.js charts of the dashboard (each has its data table right after it on the page):
   - #graphique-filieres: horizontal bars, number of campuses per filière (a click opens the filière);
   - #graphique-evolution: stacked bars, campuses per year (rentrée) and filière. */
(function () {
  'use strict';
  if (typeof Chart === 'undefined') return;
  Chart.defaults.font.family = 'Marianne, arial, sans-serif';
  Chart.defaults.color = '#3a3a3a';
  // 12 distinct colours of the DSFR illustrative palette, one per filière.
  const COULEURS = ['#000091', '#e1000f', '#18753c', '#b34000', '#6e445a', '#009081', '#a558a0', '#c3992a',
    '#417dc4', '#8d533e', '#3a3a3a', '#ce614a'];

  function lire(id) {
    const source = document.getElementById(id);
    return source ? JSON.parse(source.textContent) : null;
  }

  function filieres() {
    const canvas = document.getElementById('graphique-filieres');
    const donnees = lire('donnees-filieres');
    if (!canvas || !donnees) return;
    new Chart(canvas, {
      type: 'bar',
      data: {
        labels: donnees.map((f) => f.libelle_court),
        datasets: [{
          label: 'Campus',
          data: donnees.map((f) => f.nb),
          backgroundColor: '#000091',
          hoverBackgroundColor: '#6a6af4',
          borderRadius: 2,
        }],
      },
      options: {
        indexAxis: 'y',
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              title: (elements) => donnees[elements[0].dataIndex].libelle,
              label: (element) => `${element.raw} campus`,
            },
          },
        },
        scales: {
          x: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: 'Nombre de campus' } },
          y: { grid: { display: false } },
        },
        onClick: (_evenement, elements) => {
          if (elements.length) window.location.href = `/filieres/${donnees[elements[0].index].code}`;
        },
      },
    });
    canvas.dataset.etat = 'pret';
  }

  function evolution() {
    const canvas = document.getElementById('graphique-evolution');
    const donnees = lire('donnees-evolution');
    if (!canvas || !donnees) return;
    new Chart(canvas, {
      type: 'bar',
      data: {
        labels: donnees.annees.map(String),
        datasets: donnees.series.map((serie, rang) => ({
          label: serie.libelle_court,
          data: serie.nb,
          backgroundColor: COULEURS[rang % COULEURS.length],
        })),
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: {
          legend: { position: 'bottom' },
          tooltip: { callbacks: { label: (element) => `${element.dataset.label} : ${element.raw} campus` } },
        },
        scales: {
          x: { stacked: true, title: { display: true, text: 'Rentrée' } },
          y: { stacked: true, beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: 'Nombre de campus' } },
        },
      },
    });
    canvas.dataset.etat = 'pret';
  }

  filieres();
  evolution();
}());

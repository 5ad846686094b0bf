/* Chart.js horizontal bar chart of the dashboard: number of campuses per filière (12 bars). */
(function () {
  'use strict';
  const canvas = document.getElementById('graphique-filieres');
  const source = document.getElementById('donnees-filieres');
  if (!canvas || !source || typeof Chart === 'undefined') return;
  const filieres = JSON.parse(source.textContent);
  Chart.defaults.font.family = 'Marianne, arial, sans-serif';
  Chart.defaults.color = '#3a3a3a';
  new Chart(canvas, {
    type: 'bar',
    data: {
      labels: filieres.map((f) => f.libelle_court),
      datasets: [{
        label: 'Campus',
        data: filieres.map((f) => f.nb),
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
            title: (elements) => filieres[elements[0].dataIndex].libelle,
            label: (element) => `${element.raw} campus`,
          },
        },
      },
      scales: {
        x: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: 'Nombre de campus' } },
        y: { grid: { display: false } },
      },
      onClick: (_evenement, elements) => {
        if (elements.length) window.location.href = `/filieres/${filieres[elements[0].index].code}`;
      },
    },
  });
  canvas.dataset.etat = 'pret';
}());

/* Leaflet maps of cmq, without any tile layer (everything is served locally):
   - choropleth (#carte, data in #donnees-carte; dashboard and filière pages): number of campuses
     by région académique, académie or département, overseas insets, campus seats as points; the
     scale switch (radios name="echelle") redraws without reloading; legend below the map;
   - points ([data-carte="points"], data in the element named by data-donnees; campus and
     establishment pages): seats and establishments over the départements.
   Controls and popups are in French. Territories and the dashboard's points are not Tab stops
   (a « Passer la carte » link skips the map; the tables below give the same figures and links);
   on the point maps each point is a Tab stop and Enter opens its popup like a click.
   When a map has drawn its shapes, its element gets data-etat="prete" (and data-echelle). */
(function () {
  'use strict';

  const PALETTE = ['#c1c1fb', '#9a9af8', '#6a6af4', '#3737d6', '#000091'];
  const VIDE = '#ffffff';
  const BORDURE = '#a6a6a6';
  const SIEGE = '#e1000f';
  const MEMBRE = '#0063cb';
  const ETABLISSEMENT = '#18753c';
  const COULEURS = { siege: SIEGE, membre: MEMBRE, etablissement: ETABLISSEMENT };
  const METROPOLE = [[41.3, -5.2], [51.1, 9.6]];
  const OUTRE_MER = [['01', 'Guadeloupe'], ['02', 'Martinique'], ['03', 'Guyane'], ['04', 'La Réunion'], ['06', 'Mayotte']];
  const LIBELLES = { region_academique: 'région académique', academie: 'académie', departement: 'département' };
  const ATTRIBUTION = 'Contours : Natural Earth, INSEE (COG)';
  const FERMER = 'Fermer la fenêtre';
  const POPUP = { autoPanPaddingTopLeft: [60, 100], autoPanPadding: [20, 20] };
  const BORD_POPUP = 50; // what a popup adds to its text's width: margins, border, close button (Leaflet's style)
  const LARGEUR_POPUP = 300; // Leaflet's default maxWidth of a popup's text

  function lireJson(id) {
    const element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function texte(balise, contenu, classe) {
    const element = document.createElement(balise);
    if (classe) element.className = classe;
    element.textContent = contenu;
    return element;
  }

  /* Popup of a point: its name as a link to its page, then a detail line (built with the DOM, never innerHTML). */
  function popup(point) {
    const bloc = document.createElement('div');
    const lien = texte('a', point.nom);
    lien.href = point.lien;
    const fort = document.createElement('strong');
    fort.appendChild(lien);
    bloc.appendChild(fort);
    if (point.detail) {
      bloc.appendChild(document.createElement('br'));
      bloc.appendChild(document.createTextNode(point.detail));
    }
    return bloc;
  }

  /* A point; `clavier`: a Tab stop whose Enter (or Space) opens the popup like a click. */
  function marqueur(point, clavier) {
    const cercle = L.circleMarker([point.lat, point.lon], {
      pane: 'campus', radius: 6, color: '#ffffff', weight: 1, fillColor: COULEURS[point.nature] || SIEGE, fillOpacity: 0.9,
      className: `cmq-point cmq-point--${point.nature}`,
    }).bindPopup(() => popup(point), POPUP);
    cercle.on('add', () => {
      const chemin = cercle.getElement();
      if (!chemin) return;
      if (!clavier) {
        chemin.setAttribute('tabindex', '-1');
        return;
      }
      chemin.setAttribute('tabindex', '0');
      chemin.setAttribute('role', 'button');
      chemin.setAttribute('aria-label', `${point.nom}${point.detail ? ` (${point.detail})` : ''}`);
      chemin.addEventListener('keydown', (evenement) => {
        if (evenement.key === 'Enter' || evenement.key === ' ') {
          evenement.preventDefault();
          cercle.openPopup();
        }
      });
    });
    return cercle;
  }

  /* Up to 5 classes of equal width over 1..max, as [min, max] pairs. */
  function classes(max) {
    const nombre = Math.min(PALETTE.length, max);
    const bornes = [];
    let debut = 1;
    for (let i = 1; i <= nombre; i += 1) {
      const fin = Math.round((max * i) / nombre);
      if (fin >= debut) {
        bornes.push([debut, fin]);
        debut = fin + 1;
      }
    }
    return bornes;
  }

  function couleurClasse(rang, total) {
    return PALETTE[total === 1 ? 2 : Math.round((rang * (PALETTE.length - 1)) / (total - 1))];
  }

  function couleur(valeur, bornes) {
    if (!valeur) return VIDE;
    const rang = bornes.findIndex(([, fin]) => valeur <= fin);
    return couleurClasse(rang < 0 ? bornes.length - 1 : rang, bornes.length);
  }

  /* The widest popup text that keeps the whole popup, close button included, inside the map beside
     the autopan paddings: a phone's map is narrower than Leaflet's default popup. */
  function largeurPopup(carte) {
    const libre = carte.getSize().x - POPUP.autoPanPaddingTopLeft[0] - POPUP.autoPanPadding[0] - BORD_POPUP;
    return Math.max(120, Math.min(LARGEUR_POPUP, libre));
  }

  /* A map with French controls: zoom titles, popup close button, attribution; popups as wide as
     the map allows (`largeurPopup`). */
  function nouvelleCarte(element, options) {
    const avecZoom = !options || options.zoomControl !== false;
    const carte = L.map(element, Object.assign({ zoomSnap: 0.25 }, options, { zoomControl: false }));
    if (avecZoom) {
      L.control.zoom({ zoomInTitle: 'Zoom avant', zoomOutTitle: 'Zoom arrière' }).addTo(carte);
    }
    carte.createPane('campus');
    carte.getPane('campus').style.zIndex = 450;
    if (carte.attributionControl) {
      carte.attributionControl.setPrefix('Leaflet');
      carte.attributionControl.addAttribution(ATTRIBUTION);
    }
    const ajusterPopup = (calque) => {
      const bulle = calque.getPopup && calque.getPopup();
      if (bulle) bulle.options.maxWidth = largeurPopup(carte);
    };
    carte.on('layeradd', (evenement) => ajusterPopup(evenement.layer));
    carte.on('resize', () => carte.eachLayer(ajusterPopup));
    carte.on('popupopen', (evenement) => {
      const bouton = evenement.popup.getElement().querySelector('.leaflet-popup-close-button');
      if (bouton) {
        bouton.setAttribute('aria-label', FERMER);
        bouton.setAttribute('title', FERMER);
      }
    });
    return carte;
  }

  /* Shapes are not Tab stops: the tables of the page give the same figures and links. */
  function horsTabulation(couche) {
    couche.eachLayer((calque) => {
      const chemin = calque.getElement && calque.getElement();
      if (chemin) chemin.setAttribute('tabindex', '-1');
    });
    return couche;
  }

  function charger(url) {
    return fetch(url).then((reponse) => {
      if (!reponse.ok) throw new Error(`contours introuvables : ${url} (${reponse.status})`);
      return reponse.json();
    });
  }

  /* --- Choropleth (dashboard, filière) ---------------------------------------------------------- */

  function choroplethe(element) {
    const donnees = lireJson('donnees-carte');
    const carte = nouvelleCarte(element, { minZoom: 3, maxZoom: 11 });
    carte.fitBounds(METROPOLE);
    const conteneur = document.getElementById('encarts');
    const encarts = OUTRE_MER.map(([code, nom]) => {
      const figure = texte('figure', '', 'cmq-encart');
      const zone = texte('div', '', 'cmq-encart__carte');
      figure.append(zone, texte('figcaption', nom, 'cmq-encart__nom'));
      conteneur.appendChild(figure);
      const petite = nouvelleCarte(zone, {
        zoomControl: false, attributionControl: false, dragging: false, scrollWheelZoom: false,
        doubleClickZoom: false, boxZoom: false, keyboard: false, touchZoom: false, zoomSnap: 0.1,
      });
      return { code, carte: petite, cadre: null };
    });
    const legende = document.getElementById('carte-legende');
    donnees.campus.forEach((point) => marqueur(point, false).addTo(carte));
    const contours = {};
    let couches = [];

    function ligneLegende(couleurCase, libelle, point) {
      const ligne = document.createElement('li');
      const cas = texte('span', '', `cmq-legende__case${point ? ' cmq-legende__point' : ''}`);
      cas.style.background = couleurCase;
      ligne.append(cas, document.createTextNode(libelle));
      return ligne;
    }

    function majLegende(bornes, echelle) {
      const liste = texte('ul', '', 'cmq-legende__liste');
      liste.appendChild(ligneLegende(VIDE, 'aucun campus'));
      bornes.forEach(([debut, fin], rang) => {
        const libelle = debut === fin ? `${debut} campus` : `${debut} à ${fin} campus`;
        liste.appendChild(ligneLegende(couleurClasse(rang, bornes.length), libelle));
      });
      liste.appendChild(ligneLegende(SIEGE, 'siège d’un campus', true));
      legende.replaceChildren(texte('p', `Campus par ${LIBELLES[echelle]}`, 'cmq-legende__titre'), liste);
    }

    function couche(geo, echelle, valeurs, bornes, filtre) {
      return L.geoJSON(geo, {
        filter: filtre,
        style: (f) => ({
          color: BORDURE, weight: 0.6, fillOpacity: 1, className: 'cmq-territoire',
          fillColor: couleur((valeurs[f.properties.code] || {}).nb, bornes),
        }),
        onEachFeature: (f, calque) => {
          const ligne = valeurs[f.properties.code] || { nom: f.properties.nom, nb: 0 };
          calque.bindTooltip(() => texte('span', `${ligne.nom} : ${ligne.nb} campus`), { sticky: true });
          calque.on('mouseover', () => calque.setStyle({ color: '#161616', weight: 2 }));
          calque.on('mouseout', () => calque.setStyle({ color: BORDURE, weight: 0.6 }));
          calque.on('click', () => {
            const parametres = new URLSearchParams(Object.assign({ [echelle]: f.properties.code }, donnees.filtres));
            window.location.href = `/campus?${parametres}`;
          });
        },
      });
    }

    function dansEncart(encart, echelle) {
      return (f) => (echelle === 'region_academique' ? f.properties.code : f.properties.region) === encart.code;
    }

    function placerEncarts(geo, echelle) {
      encarts.forEach((encart) => {
        if (encart.cadre) return;
        const cadre = L.geoJSON(geo, { filter: dansEncart(encart, echelle) }).getBounds();
        if (!cadre.isValid()) return;
        encart.cadre = cadre;
        encart.carte.fitBounds(encart.cadre, { padding: [4, 4] });
        donnees.campus
          .filter((p) => encart.cadre.pad(0.2).contains([p.lat, p.lon]))
          .forEach((p) => marqueur(p, false).addTo(encart.carte));
      });
    }

    async function afficher(echelle) {
      element.dataset.etat = 'chargement';
      contours[echelle] = contours[echelle] || await charger(donnees.geo[echelle]);
      const geo = contours[echelle];
      const valeurs = donnees.territoires[echelle];
      const bornes = classes(Math.max(0, ...Object.values(valeurs).map((v) => v.nb)));
      couches.forEach((c) => c.remove());
      placerEncarts(geo, echelle);
      couches = [horsTabulation(couche(geo, echelle, valeurs, bornes, null).addTo(carte))];
      encarts.forEach((encart) => {
        couches.push(horsTabulation(couche(geo, echelle, valeurs, bornes, dansEncart(encart, echelle)).addTo(encart.carte)));
      });
      majLegende(bornes, echelle);
      const libelle = document.getElementById('echelle-libelle');
      if (libelle) libelle.textContent = LIBELLES[echelle];
      element.dataset.echelle = echelle;
      element.dataset.etat = 'prete';
    }

    document.querySelectorAll('input[name="echelle"]').forEach((choix) => {
      choix.addEventListener('change', () => {
        if (!choix.checked) return;
        const adresse = new URL(window.location.href);
        adresse.searchParams.set('echelle', choix.value);
        window.history.replaceState(null, '', adresse);
        afficher(choix.value).catch(erreur);
      });
    });

    function erreur(e) {
      element.dataset.etat = 'erreur';
      element.replaceChildren(texte('p', `La carte n’a pas pu être dessinée : ${e.message}`, 'fr-error-text'));
    }

    afficher(donnees.echelle).catch(erreur);
  }

  /* --- Points (campus, establishment) ------------------------------------------------------------ */

  function cartePoints(element) {
    const donnees = lireJson(element.dataset.donnees);
    const carte = nouvelleCarte(element, { maxZoom: 12 });
    const cadre = L.latLngBounds(donnees.points.map((p) => [p.lat, p.lon]));
    carte.fitBounds(cadre.pad(0.3), { maxZoom: 8 });
    donnees.points.forEach((p) => marqueur(p, true).addTo(carte));
    charger(donnees.geo).then((geo) => {
      L.geoJSON(geo, {
        interactive: false,
        style: { color: '#929292', weight: 1, fillColor: '#f6f6f6', fillOpacity: 1, className: 'cmq-territoire' },
      }).addTo(carte);
      element.dataset.etat = 'prete';
    }).catch((e) => {
      element.dataset.etat = 'erreur';
      element.appendChild(texte('p', `Contours non chargés : ${e.message}`, 'fr-error-text'));
    });
  }

  if (typeof L === 'undefined') return;
  const principale = document.getElementById('carte');
  if (principale) choroplethe(principale);
  document.querySelectorAll('[data-carte="points"]').forEach(cartePoints);
}());

// Editing pages: the establishment field proposes the directory's matches while typing
// (GET /api/etablissements/recherche); the value sent is "UAI — name (town)", read by its UAI.
(function () {
  "use strict";
  var champ = document.getElementById("etablissement");
  var liste = document.getElementById("etablissements-proposes");
  if (!champ || !liste) { return; }
  var attente = null;
  var derniere = "";
  champ.addEventListener("input", function () {
    var q = champ.value.trim();
    if (attente) { clearTimeout(attente); }
    if (q.length < 2 || q === derniere || /^[0-9]{7}[A-Z] /.test(q)) { return; }
    attente = setTimeout(function () {
      derniere = q;
      fetch("/api/etablissements/recherche?limite=10&q=" + encodeURIComponent(q), {headers: {Accept: "application/json"}})
        .then(function (reponse) { return reponse.ok ? reponse.json() : {resultats: []}; })
        .then(function (donnees) {
          liste.replaceChildren();
          donnees.resultats.forEach(function (r) {
            var option = document.createElement("option");
            option.value = r.uai + " — " + r.nom + (r.commune ? " (" + r.commune + ")" : "");
            liste.appendChild(option);
          });
        })
        .catch(function () { liste.replaceChildren(); });
    }, 200);
  });
}());

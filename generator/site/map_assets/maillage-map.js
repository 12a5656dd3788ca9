/* Maillage maps: shared behaviour of every folium map of the site.
 * Loaded right after leaflet.js and before the maps' own scripts.
 * The basemap is a layer the visitor turns on (no tile leaves the site before that);
 * the choice is remembered in localStorage and applied to every map. */
(function () {
  "use strict";
  var KEY = "maillage-basemap";
  var maps = [];
  var current = null;

  function remembered() {
    try { return window.localStorage.getItem(KEY) === "on"; } catch (e) { return false; }
  }
  function remember(on) {
    try { window.localStorage.setItem(KEY, on ? "on" : "off"); } catch (e) { /* private mode */ }
  }

  L.Map.addInitHook(function () {
    var map = this;
    current = map;
    maps.push(map);
    map.on("overlayadd", function (e) { if (e.layer.options.className === KEY) { remember(true); } });
    map.on("overlayremove", function (e) { if (e.layer.options.className === KEY) { remember(false); } });
  });
  // folium creates a map, then its layers: a basemap belongs to the last map created.
  L.TileLayer.addInitHook(function () {
    if (this.options.className === KEY && current) { current.maillageBasemap = this; }
  });

  function restore() {
    if (!remembered()) { return; }
    maps.forEach(function (map) {
      if (map.maillageBasemap && !map.hasLayer(map.maillageBasemap)) { map.addLayer(map.maillageBasemap); }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", restore);
  } else {
    window.setTimeout(restore, 0);
  }
})();

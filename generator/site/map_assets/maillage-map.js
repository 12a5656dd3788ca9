/* Maillage maps: shared behaviour of every map of the site (folium maps and service maps).
 * Loaded right after leaflet.js and before the maps' own scripts.
 *
 * - The base layer: land and country borders (Natural Earth, from the npm package
 *   world-atlas, written by the build as base.json next to this file), drawn under
 *   everything in a pane of its own, from the site itself: nothing leaves it.
 * - The basemap (tiles) is a layer the visitor turns on (no tile leaves the site before
 *   that); the choice is remembered in localStorage and applied to every map.
 * - Leaflet's words (its zoom buttons' "Zoom in"/"Zoom out") in the page's language, from
 *   the map block's data-zoom-in and data-zoom-out (the build writes them from the catalogues).
 * - A popup never opens under a control: it keeps clear of the zoom buttons (top left).
 * - Markers open their popup with Space as well as Enter (Leaflet: Enter only); Escape
 *   closes it and gives focus back to its marker.
 * window.maillageMaps lists the page's maps (for the tests and the page's scripts). */
(function () {
  "use strict";
  var KEY = "maillage-basemap";
  var maps = window.maillageMaps = window.maillageMaps || [];
  var current = null;
  var script = document.currentScript;
  var here = script && script.src ? script.src : null;
  var base = null;  // promise of the base layer's GeoJSON (or null)

  function remembered() {
    try { return window.localStorage.getItem(KEY) === "on"; } catch (e) { return false; }
  }
  function remember(on) {
    try { window.localStorage.setItem(KEY, on ? "on" : "off"); } catch (e) { /* private mode */ }
  }

  function fetchJSON(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (response) {
      return response.ok ? response.json() : null;
    }).catch(function () { return null; });
  }

  function baseLayer() {
    if (!base) { base = here ? fetchJSON(new URL("base.json", here).href) : Promise.resolve(null); }
    return base;
  }

  // Popups keep clear of the zoom control (top left: 10 px margin, two 30 px buttons).
  L.Popup.mergeOptions({ autoPanPaddingTopLeft: L.point(56, 88), autoPanPaddingBottomRight: L.point(12, 12) });
  L.Marker.mergeOptions({ alt: "" });

  /* The zoom buttons named in the page's language: the words are on the map's block
   * (data-zoom-in, data-zoom-out), written by the build from the catalogues. */
  function nameButtons(map) {
    var holder = map.getContainer().closest("[data-zoom-in]");
    if (!holder) { return; }
    var names = {
      "leaflet-control-zoom-in": holder.getAttribute("data-zoom-in"),
      "leaflet-control-zoom-out": holder.getAttribute("data-zoom-out")
    };
    Object.keys(names).forEach(function (name) {
      var button = map.getContainer().querySelector("." + name);
      if (button && names[name]) {
        button.title = names[name];
        button.setAttribute("aria-label", names[name]);
      }
    });
  }

  L.Map.addInitHook(function () {
    var map = this;
    current = map;
    maps.push(map);
    map.on("overlayadd", function (e) { if (e.layer.options.className === KEY) { remember(true); } });
    map.on("overlayremove", function (e) { if (e.layer.options.className === KEY) { remember(false); } });
    // Under the tiles (200) and every mark (400): land, sea and borders only.
    var pane = map.createPane("maillageBase");
    pane.style.zIndex = 150;
    pane.style.pointerEvents = "none";
    baseLayer().then(function (data) {
      if (!data) { return; }
      L.geoJSON(data, {
        pane: "maillageBase",
        renderer: L.canvas({ pane: "maillageBase", padding: 0.5 }),
        interactive: false,
        style: { color: "#8d99a3", weight: 0.8, fillColor: "#f6f4ef", fillOpacity: 1 }
      }).addTo(map);
      map.getContainer().classList.add("maillage-has-base");
    });
    // Escape closes the open popup wherever focus is in the map (Leaflet: only when the map
    // itself has focus), and focus goes back to the mark that opened it.
    map.getContainer().addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || !map._popup || !map.hasLayer(map._popup)) { return; }
      var source = map._popup._source;
      map.closePopup();
      if (source && source._icon) { source._icon.focus({ preventScroll: true }); }
    });
    // Leaflet's own init hook (registered first) has added the zoom control.
    nameButtons(map);
  });
  // Space opens a focused marker's popup too (Leaflet reads Enter only). Clusters are
  // markers too: theirs is map-page.js's (expand).
  L.Marker.addInitHook(function () {
    this.on("keydown", function (e) {
      var key = e.originalEvent.key;
      if ((key === " " || key === "Spacebar") && this.getPopup() && !this.getChildCount) {
        e.originalEvent.preventDefault();
        this.openPopup();
      }
    });
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

/* Maillage: the small map of a service page, drawn from the page's data block.
 *
 * A service page carries its map as data, not code: a <script type="application/json"
 * class="maillage-map-data"> (sites, areas, bounds, the opt-in basemap) next to the map's
 * <div class="maillage-map-canvas">. This one shared file (loaded after leaflet.js and
 * maillage-map.js) draws every such block, so 30,000 service pages do not each carry a
 * folium script, and the Content-Security-Policy needs no hash for them.
 *
 * Data: {"bounds": [[s, w], [n, e]], "sites": [[lat, lon, text]],
 *        "areas": [{"name", "dots": [[lat, lon, name]]} | {"name", "point": [lat, lon]}
 *                  | {"name", "outline": GeoJSON geometry} | {"src": url of such an object}],
 *        "basemap": {"url", "attribution", "name"} (absent when the directory has no tiles)}
 * Names are plain text, shown with textContent (never as HTML). A large area is a shared
 * file of the site, fetched here: the page stays small.
 *
 * Leaflet's own words (its zoom buttons' "Zoom in", "Zoom out") are replaced by the page
 * language's, from the site's assets/maillage/words/<lang>.json (compiled from the
 * catalogues at each build), fetched once a map is drawn; without it (file://) Leaflet's stay.
 */
(function () {
  "use strict";
  // The styles of generator/maps.py's _area_style (the folium maps), kept alike.
  var OUTLINE = { color: "#1f5f99", weight: 2, fillColor: "#1f5f99", fillOpacity: 0.12 };
  var DOT = { color: "#1f5f99", weight: 1, fillColor: "#1f5f99", fillOpacity: 0.35, radius: 4 };
  var CENTROID = { color: "#1f5f99", weight: 1, fillColor: "#1f5f99", fillOpacity: 0.35, radius: 14 };

  var drawn = [];  // the maps of the page
  var words = null;  // promise of {key: text}

  function siteBase() {
    var config = document.getElementById("__config");
    var base = ".";
    if (config) {
      try { base = JSON.parse(config.textContent).base || "."; } catch (e) { /* keep "." */ }
    }
    return new URL(base.replace(/\/?$/, "/"), location.href);
  }

  function loadWords() {
    if (!words) {
      var lang = (document.documentElement.lang || "fr").slice(0, 2).toLowerCase();
      words = fetch(new URL("assets/maillage/words/" + lang + ".json", siteBase()).href).then(function (response) {
        return response.ok ? response.json() : {};
      }).catch(function () { return {}; });
    }
    return words;
  }

  /* The zoom buttons of `map` named in the page's language (title and accessible name). */
  function nameButtons(map, found) {
    function t(key) { return found[key] || ""; }
    var names = { "leaflet-control-zoom-in": t("js.map.zoom_in"), "leaflet-control-zoom-out": t("js.map.zoom_out") };
    Object.keys(names).forEach(function (name) {
      var button = map.getContainer().querySelector("." + name);
      if (button && names[name]) {
        button.title = names[name];
        button.setAttribute("aria-label", names[name]);
      }
    });
  }

  function text(value) {
    var span = document.createElement("span");
    span.textContent = value;
    return span;
  }

  function drawArea(map, area) {
    if (area.outline) {
      L.geoJSON(area.outline, { style: OUTLINE }).bindTooltip(text(area.name)).addTo(map);
    } else if (area.dots) {
      area.dots.forEach(function (dot) {
        L.circleMarker([dot[0], dot[1]], DOT).bindTooltip(text(dot[2] + " (" + area.name + ")")).addTo(map);
      });
    } else if (area.point) {
      L.circleMarker(area.point, CENTROID).bindTooltip(text(area.name)).addTo(map);
    }
  }

  function draw(source) {
    var block = source.parentNode;
    var canvas = block && block.querySelector(".maillage-map-canvas");
    if (!canvas || canvas.getAttribute("data-drawn")) { return; }
    canvas.setAttribute("data-drawn", "1");
    var data;
    try { data = JSON.parse(source.textContent); } catch (e) { return; }
    var map = L.map(canvas, {
      center: [(data.bounds[0][0] + data.bounds[1][0]) / 2, (data.bounds[0][1] + data.bounds[1][1]) / 2],
      zoom: 6,
      preferCanvas: true,
      scrollWheelZoom: false,
      // Without a tile layer Leaflet knows no zoom limits.
      minZoom: 2,
      maxZoom: 18
    });
    L.control.scale().addTo(map);
    drawn.push(map);
    map.fitBounds(data.bounds, { maxZoom: 12, padding: [12, 12] });
    if (data.basemap) {
      // Created, not added: no tile is requested until the visitor ticks the layer
      // (maillage-map.js remembers that choice and restores it on every map).
      var basemap = L.tileLayer(data.basemap.url, {
        attribution: data.basemap.attribution, maxZoom: 19, className: "maillage-basemap"
      });
      var overlays = {};
      overlays[data.basemap.name] = basemap;
      L.control.layers(null, overlays, { collapsed: false }).addTo(map);
    }
    (data.areas || []).forEach(function (area) {
      if (area.src) {
        fetch(area.src, { credentials: "same-origin" })
          .then(function (response) { return response.ok ? response.json() : null; })
          .then(function (loaded) { if (loaded) { drawArea(map, loaded); } })
          .catch(function () { /* the text version below the map says the same */ });
      } else {
        drawArea(map, area);
      }
    });
    (data.sites || []).forEach(function (site) {
      L.marker([site[0], site[1]]).bindTooltip(text(site[2])).addTo(map);
    });
  }

  function drawAll() {
    Array.prototype.forEach.call(document.querySelectorAll("script.maillage-map-data"), draw);
  }

  function nameAll() {
    drawAll();
    if (drawn.length) {
      loadWords().then(function (found) {
        drawn.forEach(function (map) { nameButtons(map, found); });
      });
    }
  }
  // The page's data blocks precede this script; blocks further down are drawn once parsed,
  // and the words are fetched then (the site's base is in Material's __config, at the end).
  drawAll();
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", nameAll); } else { nameAll(); }
})();

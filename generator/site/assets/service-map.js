/* Maillage: the small map of a service page, drawn from the page's data block.
 *
 * A service page carries its map as data, not code: a <script type="application/json"
 * class="maillage-map-data"> (sites, areas, bounds, the opt-in basemap) next to the map's
 * <div class="maillage-map-canvas">. This one shared file (loaded after leaflet.js and
 * maillage-map.js) draws every such block, so 30,000 service pages do not each carry a
 * folium script, and the Content-Security-Policy needs no hash for them.
 *
 * Data: {"bounds": [[s, w], [n, e]], "sites": [[lat, lon, text]],
 *        "areas": [{"name", "label", "hull": [[lat, lon]…]} | {"name", "label", "point": [lat, lon],
 *                   "radius"?: metres} | {"name", "label", "outline": GeoJSON geometry}
 *                  | {"src": url of such an object}],
 *        "basemap": {"url", "attribution", "name"} (absent when the directory has no tiles)}
 * Names are plain text, shown with textContent (never as HTML). A large area is a shared
 * file of the site, fetched here: the page stays small.
 *
 * An area is drawn as an area (a shaded shape, labelled "Zone d'intervention : …"), never
 * as dots that would read as places. Leaflet's own words (zoom buttons), the base layer
 * and keyboard access are maillage-map.js's, shared with every map of the site.
 */
(function () {
  "use strict";
  // An area served is a shaded shape with a dashed edge, never a pin or a dot: a place is
  // a pin. The legend under the map (maillage-swatch-area) draws the same.
  var AREA = { color: "#1f5f99", weight: 2, dashArray: "6 4", fillColor: "#1f5f99", fillOpacity: 0.15 };
  var RING = { color: "#1f5f99", weight: 2, dashArray: "6 4", fillColor: "#1f5f99", fillOpacity: 0.15, radius: 14 };

  function text(value) {
    var span = document.createElement("span");
    span.textContent = value;
    return span;
  }

  function drawArea(map, area) {
    var label = text(area.label || area.name);
    if (area.outline) {
      L.geoJSON(area.outline, { style: AREA }).bindTooltip(label).addTo(map);
    } else if (area.hull && area.hull.length >= 3) {
      L.polygon(area.hull, AREA).bindTooltip(label).addTo(map);
    } else if (area.point && area.radius) {
      L.circle(area.point, L.extend({ radius: area.radius }, AREA)).bindTooltip(label).addTo(map);
    } else if (area.point) {
      L.circleMarker(area.point, RING).bindTooltip(label).addTo(map);
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
  // The page's data blocks precede this script; blocks further down are drawn once parsed.
  drawAll();
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", drawAll); }
})();

/* Maillage: the map page. Every site is created here from the compact data file
 * (window.maillageSites), FastMarkerCluster-style, instead of one folium Marker each:
 * 10,000 sites then weigh a few hundred kilobytes, not megabytes.
 * Popups are built with DOM methods (textContent), never from HTML strings. */
(function () {
  "use strict";

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  window.maillageSiteMap = function (map, options) {
    var data = window.maillageSites;
    var texts = data.texts;
    var services = data.services;
    var needSelect = document.getElementById(options.needSelect);
    var functionSelect = document.getElementById(options.functionSelect);
    var status = document.getElementById(options.status);

    function popup(point) {
      var box = el("div", "maillage-popup");
      point[4].forEach(function (index) {
        var service = services[index];
        var title = el("h3");
        var link = el("a", null, texts[service[1]]);
        link.href = options.serviceBase + service[0] + "/";
        title.appendChild(link);
        box.appendChild(title);
        if (service[2] >= 0) { box.appendChild(el("p", null, texts[service[2]])); }
        if (service[3]) {
          var phone = el("p");
          var call = el("a", null, service[3]);
          call.href = "tel:" + service[3].replace(/[^0-9+]/g, "");
          phone.appendChild(document.createTextNode(options.labels.phone + " : "));
          phone.appendChild(call);
          box.appendChild(phone);
        }
      });
      var where = texts[point[2]] + (point[3] >= 0 ? " — " + texts[point[3]] : "");
      box.appendChild(el("p", "maillage-where", where));
      if (point[5] > 0) { box.appendChild(el("p", "maillage-where", options.labels.precision[point[5]])); }
      return box;
    }

    var markers = data.points.map(function (point) {
      var marker;
      if (point[5] === 2) {
        marker = L.circleMarker([point[0], point[1]], {radius: 8, color: "#1f5f99", weight: 2, fillOpacity: 0.2});
      } else {
        marker = L.marker([point[0], point[1]], {title: texts[point[2]], alt: texts[point[2]]});
      }
      marker.bindPopup(function () { return popup(point); }, {maxWidth: 320});
      marker.maillagePoint = point;
      return marker;
    });

    var cluster = L.markerClusterGroup({chunkedLoading: true, showCoverageOnHover: false, maxClusterRadius: 50});
    map.addLayer(cluster);

    function wanted(point, column, value) {
      if (value < 0) { return true; }
      return point[4].some(function (index) { return services[index][column].indexOf(value) >= 0; });
    }

    function apply() {
      var need = needSelect ? parseInt(needSelect.value, 10) : -1;
      var fn = functionSelect ? parseInt(functionSelect.value, 10) : -1;
      var kept = markers.filter(function (marker) {
        return wanted(marker.maillagePoint, 4, need) && wanted(marker.maillagePoint, 5, fn);
      });
      cluster.clearLayers();
      cluster.addLayers(kept);
      if (status) { status.textContent = options.labels.shown.replace("{n}", kept.length.toLocaleString(options.lang)); }
    }

    [needSelect, functionSelect].forEach(function (select) {
      if (select) { select.disabled = false; select.addEventListener("change", apply); }
    });
    apply();
  };
})();

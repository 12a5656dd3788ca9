/* Maillage: the map page. Every site is created here from a compact index
 * (window.maillageSites), FastMarkerCluster-style, instead of one folium Marker each;
 * a popup's text (service, who it is for, phone) comes from a detail file loaded when
 * the popup first opens. 10,000 sites then load a few hundred kilobytes, not megabytes.
 * Popups are built with DOM methods (textContent), never from HTML strings. */
(function () {
  "use strict";
  window.maillageSiteDetails = window.maillageSiteDetails || {};

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  window.maillageSiteMap = function (map, options) {
    var data = window.maillageSites;
    var details = window.maillageSiteDetails;
    var loading = {};
    var labels = options.labels;
    var needSelect = document.getElementById(options.needSelect);
    var functionSelect = document.getElementById(options.functionSelect);
    var status = document.getElementById(options.status);

    function servicesOf(point) { return typeof point[2] === "number" ? [point[2]] : point[2]; }

    function load(chunk, done) {
      if (details[chunk]) { done(); return; }
      if (!loading[chunk]) {
        loading[chunk] = [];
        var script = document.createElement("script");
        script.src = options.details + chunk + ".js";
        script.onload = function () { loading[chunk].forEach(function (f) { f(); }); };
        document.head.appendChild(script);
      }
      loading[chunk].push(done);
    }

    function popup(index) {
      var point = data.points[index];
      var chunk = details[Math.floor(index / data.chunk)];
      var texts = chunk.texts;
      var box = el("div", "maillage-popup");
      servicesOf(point).forEach(function (s) {
        var service = chunk.services[s];
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
          phone.appendChild(document.createTextNode(labels.phone + " : "));
          phone.appendChild(call);
          box.appendChild(phone);
        }
      });
      var names = chunk.points[index % data.chunk];
      var where = texts[names[0]] + (names[1] >= 0 ? " — " + texts[names[1]] : "");
      box.appendChild(el("p", "maillage-where", where));
      if (point[3] > 0) { box.appendChild(el("p", "maillage-where", labels.precision[point[3]])); }
      return box;
    }

    var markers = data.points.map(function (point, index) {
      var marker;
      if (point[3] === 2) {
        marker = L.circleMarker([point[0], point[1]], {radius: 8, color: "#1f5f99", weight: 2, fillOpacity: 0.2});
      } else {
        marker = L.marker([point[0], point[1]], {keyboard: true});
      }
      marker.bindPopup(function () {
        var chunk = Math.floor(index / data.chunk);
        if (details[chunk]) { return popup(index); }
        load(chunk, function () { marker.setPopupContent(popup(index)); });
        return el("p", null, labels.loading);
      }, {maxWidth: 320});
      marker.maillagePoint = point;
      return marker;
    });

    var cluster = L.markerClusterGroup({chunkedLoading: true, showCoverageOnHover: false, maxClusterRadius: 50});
    map.addLayer(cluster);

    function wanted(point, column, value) {
      if (value < 0) { return true; }
      return servicesOf(point).some(function (s) {
        return data.profiles[data.services[s]][column].indexOf(value) >= 0;
      });
    }

    function apply() {
      var need = needSelect ? parseInt(needSelect.value, 10) : -1;
      var fn = functionSelect ? parseInt(functionSelect.value, 10) : -1;
      var kept = markers.filter(function (marker) {
        return wanted(marker.maillagePoint, 0, need) && wanted(marker.maillagePoint, 1, fn);
      });
      cluster.clearLayers();
      cluster.addLayers(kept);
      if (status) { status.textContent = labels.shown.replace("{n}", kept.length.toLocaleString(options.lang)); }
    }

    [needSelect, functionSelect].forEach(function (select) {
      if (select) { select.disabled = false; select.addEventListener("change", apply); }
    });
    apply();
  };
})();

/* Maillage: the map page. Every site is created here from a compact index
 * (window.maillageSites), FastMarkerCluster-style, instead of one folium Marker each;
 * a popup's text (service, who it is for, phone, current alerts) comes from a detail file
 * loaded when the popup first opens. 10,000 sites then load a few hundred kilobytes.
 * Popups are built with DOM methods (textContent), never from HTML strings.
 *
 * Keyboard and screen readers: every mark is a focusable button with a name (a place, an
 * area served, "14 lieux, développer" for a cluster); a cluster expands with Enter or
 * Space, and focus goes to the nearest mark drawn after it; a mark redrawn while it has
 * focus hands it to the mark drawn in its place. The text version under the map
 * (places and services per territory) follows the filters, and each row lists its places
 * with what their popups say. The buttons above the map move to the start view or to a
 * far territory (overseas départements). */
(function () {
  "use strict";
  window.maillageSiteDetails = window.maillageSiteDetails || {};
  var ALERT_SOON_DAYS = 15;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  function isoDay(date) {
    var m = date.getMonth() + 1, d = date.getDate();
    return date.getFullYear() + "-" + (m < 10 ? "0" : "") + m + "-" + (d < 10 ? "0" : "") + d;
  }

  window.maillageSiteMap = function (map, options) {
    var data = window.maillageSites;
    var details = window.maillageSiteDetails;
    var loading = {};
    var labels = options.labels;
    var needSelect = document.getElementById(options.needSelect);
    var functionSelect = document.getElementById(options.functionSelect);
    var status = document.getElementById(options.status);
    var text = null;  // the text version, after the map in the page: found once parsed

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

    function loadAll(chunks, done) {
      var left = chunks.length;
      if (!left) { done(); return; }
      chunks.forEach(function (chunk) { load(chunk, function () { left -= 1; if (!left) { done(); } }); });
    }

    /* The current alerts of a service (from <= today <= until), and those starting within
     * 15 days ("à partir du …"), decided from the visitor's clock: a page built last week stays right. */
    function alerts(list) {
      var today = new Date();
      var now = isoDay(today);
      var soon = isoDay(new Date(today.getTime() + ALERT_SOON_DAYS * 86400000));
      var shown = [];
      (list || []).forEach(function (alert) {
        if (alert[2] < now || alert[1] > soon) { return; }
        var line = el("p", "maillage-alert maillage-alert-" + alert[0]);
        var head = labels.alerts[alert[0]] || "";
        if (alert[1] > now) {
          var day = new Date(alert[1] + "T12:00:00");
          head += " (" + labels.alertFrom.replace("{date}", day.toLocaleDateString(options.lang)) + ")";
        }
        line.appendChild(el("strong", null, head));
        if (alert[3]) { line.appendChild(document.createTextNode(" : " + alert[3])); }
        shown.push(line);
      });
      return shown;
    }

    /* What a place's popup says; also each entry of the text version's lists. */
    function describe(index, headingLevel) {
      var point = data.points[index];
      var chunk = details[Math.floor(index / data.chunk)];
      var texts = chunk.texts;
      var box = el("div", "maillage-popup");
      servicesOf(point).forEach(function (s) {
        var service = chunk.services[s];
        var title = el("h" + headingLevel);
        var link = el("a", null, texts[service[1]]);
        var french = options.french && chunk.french && chunk.french[s];
        link.href = (french ? options.french.base : options.serviceBase) + service[0] + "/";
        title.appendChild(link);
        if (french) {
          /* No page in this language (docs/national-scale.md): its French page, said so. */
          link.hreflang = link.lang = options.french.lang;
          title.appendChild(document.createTextNode(" "));
          title.appendChild(el("small", "maillage-french-only", "(" + options.french.hint + ")"));
        }
        box.appendChild(title);
        alerts(service[4]).forEach(function (line) { box.appendChild(line); });
        if (service[2] >= 0) { box.appendChild(el("p", null, texts[service[2]])); }
        if (service[3]) {
          /* A number, or [number, extension] (RFC 3966's ";ext=", as the service's page). */
          var number = Array.isArray(service[3]) ? service[3][0] : service[3];
          var extension = Array.isArray(service[3]) ? service[3][1] : "";
          var phone = el("p");
          var call = el("a", null, number);
          call.href = "tel:" + number.replace(/[^0-9+]/g, "") + (extension ? ";ext=" + extension : "");
          phone.appendChild(document.createTextNode(labels.phone + " : "));
          phone.appendChild(call);
          if (extension) {
            phone.appendChild(document.createTextNode(", " + labels.extension.replace("{extension}", extension)));
          }
          box.appendChild(phone);
        }
      });
      var names = chunk.points[index % data.chunk];
      var where = texts[names[0]] + (names[1] >= 0 ? " — " + texts[names[1]] : "");
      box.appendChild(el("p", "maillage-where", where));
      alerts(names[2]).forEach(function (line) { box.appendChild(line); });  // the place's own
      if (point[3] > 0) { box.appendChild(el("p", "maillage-where", labels.precision[point[3]])); }
      return box;
    }

    function markName(point) { return point[3] === 2 ? labels.area : labels.place; }

    // An area served (a service with no site, at its area's centre) is a dashed ring, a
    // place a pin: both are buttons (focusable, named), unlike marks drawn on a canvas.
    var areaIcon = L.divIcon({ className: "maillage-area-mark", iconSize: [22, 22], iconAnchor: [11, 11], popupAnchor: [0, -8] });

    var markers = data.points.map(function (point, index) {
      var marker = point[3] === 2 ?
        L.marker([point[0], point[1]], { icon: areaIcon, keyboard: true }) :
        L.marker([point[0], point[1]], { keyboard: true });
      marker.bindPopup(function () {
        var chunk = Math.floor(index / data.chunk);
        if (details[chunk]) { return describe(index, 3); }
        load(chunk, function () { marker.setPopupContent(describe(index, 3)); });
        return el("p", null, labels.loading);
      }, { maxWidth: 300 });
      marker.on("add", function () {
        if (marker._icon) { marker._icon.setAttribute("aria-label", markName(point)); }
      });
      marker.maillagePoint = point;
      marker.maillageIndex = index;
      return marker;
    });

    function clusterName(cluster) {
      return labels.cluster.replace("{n}", cluster.getChildCount().toLocaleString(options.lang));
    }

    var cluster = L.markerClusterGroup({
      chunkedLoading: true,
      showCoverageOnHover: false,
      maxClusterRadius: 50
    });
    // A cluster is a button named after what it holds; Enter and Space expand it.
    map.getContainer().addEventListener("keydown", function (event) {
      var target = event.target;
      if (!(event.key === "Enter" || event.key === " " || event.key === "Spacebar")) { return; }
      if (!target.classList || !target.classList.contains("marker-cluster")) { return; }
      var found = null;
      cluster._featureGroup.eachLayer(function (layer) { if (layer._icon === target) { found = layer; } });
      if (!found) { return; }
      event.preventDefault();
      event.stopPropagation();
      expand(found);
    });

    /* What a click does (markercluster's _zoomOrSpiderfy), then focus on the nearest mark. */
    function expand(group) {
      var centre = group.getLatLng();
      var bottom = group;
      while (bottom._childClusters.length === 1) { bottom = bottom._childClusters[0]; }
      map.getContainer().focus({ preventScroll: true });  // the cluster's icon is about to go
      var settle = function () { window.setTimeout(function () { focusNearest(centre); }, 300); };
      if (bottom._zoom === cluster._maxZoom && bottom._childCount === group._childCount) {
        group.spiderfy();
        settle();
      } else {
        map.once("moveend", settle);
        group.zoomToBounds();
      }
    }

    function focusNearest(latlng) {
      var best = null, bestDistance = Infinity;
      var centre = map.latLngToContainerPoint(latlng);
      Array.prototype.forEach.call(map.getContainer().querySelectorAll(".leaflet-marker-icon"), function (icon) {
        var box = icon.getBoundingClientRect();
        var origin = map.getContainer().getBoundingClientRect();
        var d = Math.pow(box.left + box.width / 2 - origin.left - centre.x, 2) + Math.pow(box.top + box.height / 2 - origin.top - centre.y, 2);
        if (d < bestDistance) { best = icon; bestDistance = d; }
      });
      if (best) { best.focus({ preventScroll: true }); }
    }

    // Name the cluster icons as they are drawn (Leaflet makes them role=button, tabindex=0).
    var createIcon = L.MarkerCluster.prototype.createIcon;
    L.MarkerCluster.include({
      createIcon: function (old) {
        var icon = createIcon.call(this, old);
        icon.setAttribute("aria-label", clusterName(this));
        return icon;
      }
    });
    map.addLayer(cluster);

    // A mark redrawn while it has focus (the clusters are drawn again as the marks load in
    // chunks during the first second, and when a filter changes) would leave focus on the
    // page's body, and the next key would act on nothing: focus goes to the mark drawn in
    // its place. A click elsewhere is the person's choice, and is left alone.
    var focused = null;  // the mark that has focus, and where it is on the map
    map.getContainer().addEventListener("focusin", function (event) {
      var icon = event.target;
      if (!icon.classList || !icon.classList.contains("leaflet-marker-icon")) { focused = null; return; }
      var box = icon.getBoundingClientRect(), origin = map.getContainer().getBoundingClientRect();
      var point = L.point(box.left + box.width / 2 - origin.left, box.top + box.height / 2 - origin.top);
      focused = { icon: icon, at: map.containerPointToLatLng(point) };
    });
    document.addEventListener("mousedown", function () { focused = null; }, true);
    if (window.MutationObserver) {
      new MutationObserver(function () {
        if (!focused || focused.icon.isConnected) { return; }
        var active = document.activeElement;
        if (active && active !== document.body) { focused = null; return; }
        focusNearest(focused.at);
      }).observe(map.getPane("markerPane"), { childList: true });
    }

    function wanted(point, column, value) {
      if (value < 0) { return true; }
      return servicesOf(point).some(function (s) {
        return data.profiles[data.services[s]][column].indexOf(value) >= 0;
      });
    }

    var kept = [];
    function apply() {
      var need = needSelect ? parseInt(needSelect.value, 10) : -1;
      var fn = functionSelect ? parseInt(functionSelect.value, 10) : -1;
      kept = markers.filter(function (marker) {
        return wanted(marker.maillagePoint, 0, need) && wanted(marker.maillagePoint, 1, fn);
      });
      cluster.clearLayers();
      cluster.addLayers(kept);
      if (status) { status.textContent = labels.shown.replace("{n}", kept.length.toLocaleString(options.lang)); }
      recount();
    }

    /* The text version: each territory's row counts the places and services the filters keep. */
    var shownIn = {};
    function recount() {
      if (!text) { return; }
      var keptIndex = {};
      kept.forEach(function (marker) { keptIndex[marker.maillageIndex] = true; });
      shownIn = {};
      (data.groups || []).forEach(function (run) {
        var places = [], services = {};
        for (var i = run[1]; i < run[2]; i += 1) {
          if (keptIndex[i]) {
            places.push(i);
            servicesOf(data.points[i]).forEach(function (s) { services[s] = true; });
          }
        }
        var row = text.querySelector('tr[data-group="' + run[0] + '"]');
        if (!row) { return; }
        shownIn[run[0]] = places;
        row.hidden = !places.length;
        var cells = row.querySelectorAll("td.maillage-num");
        cells[0].textContent = places.length.toLocaleString(options.lang);
        cells[1].textContent = Object.keys(services).length.toLocaleString(options.lang);
      });
      var none = text.querySelector(".maillage-map-none");
      if (none) { none.hidden = kept.length > 0; }
      var list = document.getElementById("maillage-map-list");
      if (list && list.getAttribute("data-group")) { listPlaces(list.getAttribute("data-group"), false); }
    }

    function listPlaces(group, moveFocus) {
      var list = document.getElementById("maillage-map-list");
      var row = text.querySelector('tr[data-group="' + group + '"]');
      var places = shownIn[group] || [];
      if (!list || !row) { return; }
      list.setAttribute("data-group", group);
      var chunks = {};
      places.forEach(function (i) { chunks[Math.floor(i / data.chunk)] = true; });
      loadAll(Object.keys(chunks).map(Number), function () {
        list.textContent = "";
        var title = el("h2", null, labels.listTitle.replace("{name}", row.querySelector("th a").textContent));
        title.id = "maillage-map-list-title";
        title.tabIndex = -1;
        list.appendChild(title);
        var items = el("ul", "maillage-map-places");
        places.forEach(function (i) {
          var item = el("li");
          item.appendChild(describe(i, 3));
          var show = el("button", "md-button", labels.showOnMap);
          show.type = "button";
          show.addEventListener("click", function () { showOnMap(i); });
          item.appendChild(show);
          items.appendChild(item);
        });
        list.appendChild(items);
        if (moveFocus) { title.focus(); }
      });
    }

    function showOnMap(index) {
      var marker = markers[index];
      var done = false;
      // A popup of its own at the place: markercluster may redraw the marker (and close
      // its popup) as the map settles, so the bound popup is a first try only.
      function standalone() {
        if (map._popup && map.hasLayer(map._popup)) { return; }
        L.popup({ maxWidth: 300, offset: [0, -30] }).setLatLng(marker.getLatLng()).setContent(describe(index, 3)).openOn(map);
      }
      function open() {
        if (done) { return; }
        done = true;
        if (marker._map) {
          marker.openPopup();
          if (marker._icon) { marker._icon.focus({ preventScroll: true }); }
        }
        window.setTimeout(standalone, 400);
      }
      map.getContainer().scrollIntoView({ block: "center" });
      // Straight to the place, without animation, then markercluster shows it (spiderfied
      // when it shares its spot); after a while, open it whatever markercluster did.
      map.setView(marker.getLatLng(), Math.max(map.getZoom(), 12), { animate: false });
      cluster.zoomToShowLayer(marker, open);
      window.setTimeout(open, 1500);
    }

    function textReady() {
      text = document.getElementById(options.text);
      if (!text) { return; }
      text.addEventListener("click", function (event) {
        var button = event.target.closest ? event.target.closest(".maillage-map-list-button") : null;
        if (!button) { return; }
        var row = button.closest("tr");
        listPlaces(row.getAttribute("data-group"), true);
      });
      recount();
    }
    if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", textReady); } else { textReady(); }

    var views = document.getElementById(options.views);
    if (views) {
      views.addEventListener("click", function (event) {
        var button = event.target.closest ? event.target.closest("button[data-bounds]") : null;
        if (button) { map.fitBounds(JSON.parse(button.getAttribute("data-bounds")), { maxZoom: 12, padding: [12, 12] }); }
      });
    }

    [needSelect, functionSelect].forEach(function (select) {
      if (select) { select.disabled = false; select.addEventListener("change", apply); }
    });
    apply();

  };
})();

/* Station maps: pins, clusters, popups, a filter control that is also the legend, the
   review number, and "nearest station". Rows come from site_builder/maps.py::point_row:
   [lat, lon, kind, name, url, address, hours, services, [alliances], gcjLat, gcjLon,
    bdLat, bdLon, (wgsLat, wgsLon when the tiles are not WGS-84)]. Text from content is
   always set with textContent, never parsed as HTML. */
(function () {
  "use strict";

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null && text !== "") node.textContent = text;
    return node;
  }

  function navUrl(template, row) {
    return template.replace("{glat}", row[9]).replace("{glon}", row[10])
      .replace("{blat}", row[11]).replace("{blon}", row[12])
      .replace("{name}", encodeURIComponent(row[3]));
  }

  function popup(row, opts) {
    var box = el("div", "sb-popup");
    var title = el("a", "sb-popup-title", row[3]);
    title.href = opts.root + row[4];
    box.appendChild(title);
    box.appendChild(el("p", "sb-popup-type", opts.legend[row[2]].name));
    var facts = [[opts.labels.address, row[5]], [opts.labels.hours, row[6]],
                 [opts.labels.services, row[7]]];
    for (var i = 0; i < facts.length; i++) {
      if (!facts[i][1]) continue;
      var p = el("p", "sb-popup-fact");
      p.appendChild(el("span", "sb-popup-label", facts[i][0] + "："));
      p.appendChild(document.createTextNode(facts[i][1]));
      box.appendChild(p);
    }
    var nav = el("p", "sb-popup-nav");
    nav.appendChild(el("span", "sb-popup-label", opts.labels.navigate + "："));
    ["amap", "baidu"].forEach(function (app) {
      var a = el("a", "sb-nav sb-nav-" + app, opts.labels[app]);
      a.href = navUrl(opts.nav[app], row);
      a.target = "_blank";
      a.rel = "noopener";
      nav.appendChild(a);
    });
    box.appendChild(nav);
    return box;
  }

  function marker(row, opts) {
    var colour = opts.legend[row[2]].colour;
    var icon = L.divIcon({
      className: "sb-pin" + (row[2] >= opts.stationKinds ? " sb-pin-member" : ""),
      html: '<span style="background:' + colour + '"></span>',
      iconSize: [22, 22], iconAnchor: [11, 11], popupAnchor: [0, -10]
    });
    var m = L.marker([row[0], row[1]], { icon: icon, title: row[3], alt: row[3], keyboard: true });
    m.bindPopup(function () { return popup(row, opts); }, { maxWidth: 280 });
    m.sbRow = row;
    return m;
  }

  function filterControl(map, opts, onChange) {
    var control = L.control({ position: "topright" });
    control.onAdd = function () {
      var box = el("div", "sb-filter leaflet-bar");
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      var toggle = el("button", "sb-filter-toggle", opts.labels.filter);
      toggle.type = "button";
      toggle.setAttribute("aria-expanded", "false");
      var panel = el("div", "sb-filter-panel");
      panel.hidden = true;
      toggle.addEventListener("click", function () {
        panel.hidden = !panel.hidden;
        toggle.setAttribute("aria-expanded", String(!panel.hidden));
      });
      // entries: [{value, name, colour?}]; each checkbox carries data-<key>=value.
      function group(title, key, entries) {
        if (!entries.length) return;
        var fs = el("fieldset", "sb-filter-group");
        fs.appendChild(el("legend", "", title));
        entries.forEach(function (entry) {
          var label = el("label", "sb-filter-item");
          var input = el("input");
          input.type = "checkbox";
          input.checked = true;
          input.setAttribute("data-" + key, String(entry.value));
          input.addEventListener("change", onChange);
          label.appendChild(input);
          if (entry.colour) {
            var sw = el("span", "sb-swatch");
            sw.style.background = entry.colour;
            label.appendChild(sw);
          }
          label.appendChild(document.createTextNode(entry.name));
          fs.appendChild(label);
        });
        panel.appendChild(fs);
      }
      group(opts.labels.types, "kind", opts.present.map(function (kind) {
        return { value: kind, name: opts.legend[kind].name, colour: opts.legend[kind].colour };
      }));
      group(opts.labels.alliances, "alliance", (opts.alliances || []).map(function (name, i) {
        return { value: i, name: name };
      }));
      box.appendChild(toggle);
      box.appendChild(panel);
      return box;
    };
    control.addTo(map);
    return control;
  }

  function textControl(map, position, cls, text) {
    if (!text) return;
    var c = L.control({ position: position });
    c.onAdd = function () { return el("div", cls, text); };
    c.addTo(map);
  }

  function distance(a, b) {
    var r = 6371008.8, rad = Math.PI / 180;
    var dLat = (b[0] - a[0]) * rad, dLon = (b[1] - a[1]) * rad;
    var h = Math.pow(Math.sin(dLat / 2), 2) +
            Math.cos(a[0] * rad) * Math.cos(b[0] * rad) * Math.pow(Math.sin(dLon / 2), 2);
    return 2 * r * Math.asin(Math.sqrt(h));
  }

  function locateControl(map, rows, opts, status) {
    if (!navigator.geolocation || !rows.length) return;
    var c = L.control({ position: "topleft" });
    c.onAdd = function () {
      var b = el("button", "sb-locate leaflet-bar", opts.labels.locate);
      b.type = "button";
      L.DomEvent.disableClickPropagation(b);
      b.addEventListener("click", function () {
        status(opts.labels.locating);
        navigator.geolocation.getCurrentPosition(function (pos) {
          var me = [pos.coords.latitude, pos.coords.longitude];  // WGS-84 from the device
          var best = null, bestD = Infinity;
          rows.forEach(function (row) {
            if (row[2] >= opts.stationKinds) return;
            var wgs = row.length > 13 ? [row[13], row[14]] : [row[0], row[1]];
            var d = distance(me, wgs);
            if (d < bestD) { bestD = d; best = row; }
          });
          if (!best) return;
          // Draw "me" on the tiles' datum: shift by the nearest station's own offset.
          var shift = best.length > 13 ? [best[0] - best[13], best[1] - best[14]] : [0, 0];
          L.circleMarker([me[0] + shift[0], me[1] + shift[1]], { radius: 7, color: "#1d4ed8" })
            .addTo(map);
          map.setView([best[0], best[1]], 15);
          var km = (bestD / 1000).toFixed(bestD < 10000 ? 1 : 0);
          status(opts.labels.nearest.replace("{name}", best[3]).replace("{km}", km));
        }, function () { status(opts.labels.locateFailed); }, { timeout: 10000 });
      });
      return b;
    };
    c.addTo(map);
  }

  function addStations(map, rows, opts) {
    var container = map.getContainer();
    // Leaflet 1.9's default prefix carries a flag icon; keep the credit, plainly.
    if (map.attributionControl) {
      map.attributionControl.setPrefix('<a href="https://leafletjs.com/">Leaflet</a>');
    }
    container.setAttribute("role", "region");
    container.setAttribute("aria-label", opts.labels.region);
    var block = container.closest(".map-block");
    var status = block && block.querySelector(".map-status[role=status]");
    function say(text) { if (status) status.textContent = text; }

    var layer = (opts.cluster && L.markerClusterGroup) ?
      L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 50 }) : L.layerGroup();
    var markers = rows.map(function (row) { return marker(row, opts); });
    opts.present = [];
    rows.forEach(function (row) {
      if (opts.present.indexOf(row[2]) < 0) opts.present.push(row[2]);
    });
    opts.present.sort(function (a, b) { return a - b; });

    function apply() {
      var kinds = {}, alliances = {}, anyAlliance = false;
      var boxes = container.querySelectorAll(".sb-filter input");
      for (var i = 0; i < boxes.length; i++) {
        var k = boxes[i].getAttribute("data-kind"), a = boxes[i].getAttribute("data-alliance");
        if (k !== null && boxes[i].checked) kinds[k] = true;
        if (a !== null) { anyAlliance = true; if (boxes[i].checked) alliances[a] = true; }
      }
      var shown = markers.filter(function (m) {
        var row = m.sbRow;
        if (boxes.length && !kinds[String(row[2])]) return false;
        if (!anyAlliance || !row[8].length) return true;
        return row[8].some(function (x) { return alliances[String(x)]; });
      });
      layer.clearLayers();
      if (layer.addLayers) layer.addLayers(shown); else shown.forEach(function (m) { layer.addLayer(m); });
      say(opts.labels.shown.replace("{n}", shown.length));
    }

    if (opts.filter) filterControl(map, opts, apply);
    textControl(map, "bottomleft", "sb-review", opts.review ? opts.labels.review + opts.review : "");
    if (opts.locate) locateControl(map, rows, opts, say);
    layer.addTo(map);
    apply();
    if (opts.fit) {
      var b = opts.fit;
      if (b[0][0] === b[1][0] && b[0][1] === b[1][1]) map.setView(b[0], opts.zoom || 15);
      else map.fitBounds(b, { padding: [24, 24], maxZoom: 15 });
    }
  }

  window.SiteBuilderMap = { addStations: addStations };
})();

/* The workbench's forms: lists (add, remove, reorder), live Markdown preview, file names
   from pinyin, pasted positions and the map picker, photos dropped on a field or the body.
   Plain inputs only, so Chinese input methods work as everywhere. */
(function () {
  "use strict";
  var csrf = document.body.getAttribute("data-csrf");

  function post(url, data, extraHeaders) {
    var headers = { "X-CSRF-Token": csrf };
    var body = data;
    if (!(data instanceof Blob)) {
      headers["Content-Type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(data).toString();
    }
    Object.keys(extraHeaders || {}).forEach(function (k) { headers[k] = extraHeaders[k]; });
    return fetch(url, { method: "POST", headers: headers, body: body, credentials: "same-origin" });
  }

  /* ---- search on the home page ---- */
  var search = document.getElementById("wb-search");
  if (search) {
    search.addEventListener("input", function () {
      var q = search.value.trim().toLowerCase();
      document.querySelectorAll("[data-search]").forEach(function (li) {
        li.hidden = q !== "" && li.getAttribute("data-search").indexOf(q) < 0;
      });
    });
  }

  /* ---- lists ---- */
  function renumber(list) {
    var name = list.getAttribute("data-list");
    var items = list.querySelectorAll(":scope > ol > li.wb-item");
    items.forEach(function (li, i) {
      var old = li.getAttribute("data-n");
      if (String(old) === String(i)) { return; }
      var from = name + "." + old, to = name + "." + i;
      li.querySelectorAll("[name],[id],[for],[aria-describedby],[data-for]").forEach(function (el) {
        ["name", "id", "for", "aria-describedby", "data-for"].forEach(function (attr) {
          var v = el.getAttribute(attr);
          if (v && v.indexOf(from) >= 0) { el.setAttribute(attr, v.split(from).join(to)); }
        });
      });
      li.setAttribute("data-n", i);
    });
  }

  document.addEventListener("click", function (ev) {
    var button = ev.target.closest("button[data-act]");
    if (!button) { return; }
    var act = button.getAttribute("data-act");
    var list = button.closest("[data-list]");
    if (act === "add" && list) {
      var ol = list.querySelector(":scope > ol");
      var n = ol.children.length;
      var html = list.querySelector(":scope > template").innerHTML.split("__N__").join("x" + n);
      ol.insertAdjacentHTML("beforeend", html);
      renumber(list);
      var added = ol.lastElementChild.querySelector("input:not([type=hidden]),select,textarea");
      if (added) { added.focus(); }
      bind(ol.lastElementChild);
    } else if (list && (act === "remove" || act === "up" || act === "down")) {
      var li = button.closest("li.wb-item");
      if (act === "remove") { li.remove(); }
      if (act === "up" && li.previousElementSibling) { li.parentNode.insertBefore(li, li.previousElementSibling); }
      if (act === "down" && li.nextElementSibling) { li.parentNode.insertBefore(li.nextElementSibling, li); }
      renumber(list);
      button.focus();
    } else if (act === "paste") {
      pastePosition(button.closest("[data-location]"));
    }
  });

  /* ---- Markdown preview ---- */
  function preview(area) {
    var box = area.parentNode.querySelector(".wb-md-preview");
    if (!box) { return; }
    post("/_edit/_markdown", { text: area.value }).then(function (r) { return r.text(); })
      .then(function (html) { box.innerHTML = html; });
  }
  var timers = new WeakMap();
  function bindMarkdown(area) {
    area.addEventListener("input", function () {
      clearTimeout(timers.get(area));
      timers.set(area, setTimeout(function () { preview(area); }, 250));
    });
    preview(area);
  }

  /* ---- file names from the name's pinyin ---- */
  var slug = document.querySelector("[data-slug]");
  var nameInput = document.getElementById("i-name") || document.getElementById("i-title");
  if (slug && nameInput) {
    var kind = location.pathname.split("/").pop();
    slug.addEventListener("input", function () { slug.setAttribute("data-typed", "1"); });
    var propose = function () {
      if (slug.getAttribute("data-typed")) { return; }
      post("/_edit/_slug", { kind: kind, name: nameInput.value })
        .then(function (r) { return r.json(); })
        .then(function (d) { if (!slug.getAttribute("data-typed")) { slug.value = d.slug; } });
    };
    nameInput.addEventListener("change", propose);
    nameInput.addEventListener("compositionend", propose);
    if (nameInput.value && !slug.value) { propose(); }
  }

  /* ---- positions: pasted, or picked on the map ---- */
  var mapConfig = null;
  var cfg = document.getElementById("wb-map-config");
  if (cfg) { mapConfig = JSON.parse(cfg.textContent); }

  function fields(box) {
    var name = box.getAttribute("data-location");
    function byName(n) { return box.querySelector('[name="' + name + "." + n + '"]'); }
    return { lat: byName("lat"), lon: byName("lon"), datum: byName("coord_system") };
  }
  function fileDatum(f) { return (f.datum && f.datum.value) || "wgs84"; }

  function pastePosition(box) {
    var f = fields(box);
    var err = box.querySelector("[data-paste-error]");
    post("/_edit/_position", {
      text: box.querySelector("[data-paste]").value,
      source: box.querySelector("[data-source]").value, to: fileDatum(f)
    }).then(function (r) { return r.json(); }).then(function (d) {
      if (d.error) { err.textContent = d.error; err.hidden = false; return; }
      err.hidden = true;
      f.lat.value = d.lat; f.lon.value = d.lon;
      if (box._place) { box._place(); }
    });
  }

  function convert(lat, lon, from, to) {
    if (from === to) { return Promise.resolve({ lat: lat, lon: lon }); }
    return post("/_edit/_position", { lat: lat, lon: lon, from: from, to: to })
      .then(function (r) { return r.json(); });
  }

  function bindMap(box) {
    var el = box.querySelector("[data-map]");
    if (!el || !window.L || !mapConfig) { return; }
    var f = fields(box);
    var map = L.map(el, { scrollWheelZoom: false });
    L.tileLayer(mapConfig.tiles, {
      attribution: mapConfig.attribution, subdomains: mapConfig.subdomains,
      maxZoom: mapConfig.maxZoom
    }).addTo(map);
    var marker = null;
    function setInputs(latlng) {
      convert(latlng.lat, latlng.lng, mapConfig.datum, fileDatum(f)).then(function (d) {
        f.lat.value = d.lat; f.lon.value = d.lon;
        f.lat.dispatchEvent(new Event("change", { bubbles: true }));
      });
    }
    function put(latlng) {
      if (!marker) {
        marker = L.marker(latlng, { draggable: true, title: "拖动到准确位置" }).addTo(map);
        marker.on("dragend", function () { setInputs(marker.getLatLng()); });
      } else { marker.setLatLng(latlng); }
    }
    box._place = function () {
      var lat = parseFloat(f.lat.value), lon = parseFloat(f.lon.value);
      if (isNaN(lat) || isNaN(lon)) { map.setView([32.06, 118.79], 5); return; }
      convert(lat, lon, fileDatum(f), mapConfig.datum).then(function (d) {
        put([d.lat, d.lon]); map.setView([d.lat, d.lon], Math.max(map.getZoom() || 0, 14));
      });
    };
    map.on("click", function (ev) { put(ev.latlng); setInputs(ev.latlng); });
    box._place();
    el._map = map;
  }

  /* ---- photos ---- */
  function upload(file) {
    var rel = location.pathname.replace(/^\/_edit\//, "");
    return post("/_edit/_upload?record=" + encodeURIComponent(rel), file,
      { "X-File-Name": encodeURIComponent(file.name), "Content-Type": "application/octet-stream" })
      .then(function (r) { return r.json(); });
  }
  function showError(near, message) {
    var p = near.querySelector(".wb-upload-error");
    if (!p) {
      p = document.createElement("p"); p.className = "wb-error wb-upload-error";
      p.setAttribute("role", "alert"); near.appendChild(p);
    }
    p.textContent = message;
  }
  function bindImage(box) {
    var input = box.querySelector("input:not([type=file])");
    function take(file) {
      upload(file).then(function (d) {
        if (d.error) { showError(box, d.error); return; }
        input.value = d.reference;
        var p = box.querySelector(".wb-upload-error"); if (p) { p.remove(); }
      });
    }
    box.querySelector("[data-upload]").addEventListener("change", function (ev) {
      if (ev.target.files[0]) { take(ev.target.files[0]); }
    });
    box.addEventListener("dragover", function (ev) { ev.preventDefault(); });
    box.addEventListener("drop", function (ev) {
      ev.preventDefault();
      if (ev.dataTransfer.files[0]) { take(ev.dataTransfer.files[0]); }
    });
  }
  function bindBodyDrop(box) {
    var area = box.querySelector("textarea");
    box.addEventListener("dragover", function (ev) { ev.preventDefault(); });
    box.addEventListener("drop", function (ev) {
      var file = ev.dataTransfer.files[0];
      if (!file) { return; }
      ev.preventDefault();
      upload(file).then(function (d) {
        if (d.error) { showError(box.parentNode, d.error); return; }
        var alt = "";
        while (!alt) {
          alt = window.prompt("请写一句图片说明（给看不见图片的读者，必填）：", "");
          if (alt === null) { return; }
          alt = alt.trim();
        }
        var text = "\n![" + alt.replace(/[\[\]]/g, "") + "](" + d.reference + ")\n";
        var at = area.selectionStart || area.value.length;
        area.value = area.value.slice(0, at) + text + area.value.slice(at);
        area.dispatchEvent(new Event("input"));
      });
    });
  }

  /* ---- references: show the chosen record's name ---- */
  function bindRef(input) {
    var out = input.parentNode.querySelector("[data-ref-name]");
    function show() {
      var list = document.getElementById(input.getAttribute("list"));
      var found = list && Array.prototype.find.call(list.options, function (o) {
        return o.value === input.value.trim();
      });
      if (out) { out.textContent = found ? found.textContent.split(" ")[0] : ""; }
    }
    input.addEventListener("input", show);
    show();
  }

  function bind(root) {
    root.querySelectorAll("textarea[data-markdown]").forEach(bindMarkdown);
    root.querySelectorAll("[data-drop=image]").forEach(bindImage);
    root.querySelectorAll("[data-drop=body]").forEach(bindBodyDrop);
    root.querySelectorAll("input[data-ref]").forEach(bindRef);
    root.querySelectorAll("[data-location]").forEach(bindMap);
  }
  bind(document);

  /* Before sending, number every list's items 0, 1, 2… as the server reads them. */
  var form = document.querySelector("form.wb-form");
  if (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("[data-list]").forEach(renumber);
    });
    var first = document.querySelector(".wb-error[data-for]");
    if (first) {
      var field = document.getElementById("i-" + first.getAttribute("data-for"));
      if (field) { field.focus(); }
    }
  }
})();

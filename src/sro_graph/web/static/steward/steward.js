/* The steward page: a thin client of /submissions. The token lives in this tab's
   sessionStorage and travels only in the Authorization header. Every text shown comes from
   the page (#steward-texts) or the service, and is set with textContent, never as HTML. */
(function () {
  "use strict";
  var KEY = "sro-steward-token";
  var T = JSON.parse(document.getElementById("steward-texts").textContent);
  var MEDIA = {
    xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    csv: "text/csv",
    ttl: "text/turtle",
    jsonld: "application/ld+json",
    json: "application/ld+json",
    rdf: "application/rdf+xml",
    xml: "application/rdf+xml",
    nt: "application/n-triples",
    nq: "application/n-quads",
    trig: "application/trig"
  };
  var $ = function (id) { return document.getElementById(id); };
  var checked = null; // {bytes, type, publish, replaces} of the last check that could be submitted
  var replacing = null; // {id, etag}

  function el(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }

  function pick(text) {
    if (!text) return "";
    var lang = document.documentElement.lang === "en" ? "en" : "nl";
    return text[lang] || text.nl || text.en || "";
  }

  function token() { return sessionStorage.getItem(KEY); }

  function call(method, path, options) {
    options = options || {};
    var headers = Object.assign({ Accept: "application/json" }, options.headers || {});
    if (token()) headers.Authorization = "Bearer " + token();
    return fetch(path, { method: method, headers: headers, body: options.body }).then(function (r) {
      return r.text().then(function (text) {
        var body = null;
        try { body = text ? JSON.parse(text) : null; } catch (e) { body = { detail: text }; }
        return { status: r.status, ok: r.ok, body: body, etag: r.headers.get("ETag") };
      });
    });
  }

  function problem(container, response) {
    var body = response.body || {};
    var p = el("p", T.error + " " + response.status + ": " + (body.detail || ""), { class: "problem", role: "alert", "data-error": body.error || "" });
    container.appendChild(p);
    if (body.dependents && body.dependents.length) {
      container.appendChild(el("p", T.dependents));
      var ul = el("ul", null, { class: "list", "data-dependents": "" });
      body.dependents.forEach(function (d) {
        var li = el("li");
        li.appendChild(el("a", d.submission, { href: d.href }));
        li.appendChild(document.createTextNode(": " + d.subject + " → " + d.object));
        ul.appendChild(li);
      });
      container.appendChild(ul);
    }
  }

  // -- signing in --------------------------------------------------------------------------

  function signIn(value) {
    sessionStorage.setItem(KEY, value);
    return call("GET", "/submissions/me").then(function (r) {
      if (!r.ok) {
        sessionStorage.removeItem(KEY);
        $("signin-error").hidden = false;
        $("signin-error").textContent = T.signinFailed + " " + ((r.body && r.body.detail) || r.status);
        return;
      }
      $("signin-error").hidden = true;
      $("signin").hidden = true;
      $("workspace").hidden = false;
      $("who-name").textContent = r.body.name;
      $("who-id").textContent = r.body.id;
      $("who-organisation").textContent = r.body.organisation;
      $("who-organisation").href = /^https?:/.test(r.body.organisation) ? r.body.organisation : "#";
      $("who-admin").hidden = !r.body.admin;
      loadMine();
    });
  }

  function signOut() {
    sessionStorage.removeItem(KEY);
    $("workspace").hidden = true;
    $("signin").hidden = false;
    $("token").value = "";
    $("outcome").textContent = "";
  }

  // -- the report --------------------------------------------------------------------------

  function table(headers, rows, attrs) {
    var t = el("table", null, attrs);
    var head = el("tr");
    headers.forEach(function (h) { head.appendChild(el("th", h)); });
    t.appendChild(el("thead")).appendChild(head);
    var body = el("tbody");
    rows.forEach(function (cells) {
      var tr = el("tr");
      cells.forEach(function (c) { tr.appendChild(el("td", c)); });
      body.appendChild(tr);
    });
    t.appendChild(body);
    return t;
  }

  function renderReport(container, report) {
    var counts = report.counts || {};
    container.appendChild(el("p", [counts.violation || 0, counts.warning || 0, counts.info || 0].join(" · ") + " " + T.counts, { "data-counts": "" }));
    if (report.cells && report.cells.length) {
      container.appendChild(el("h3", T.cells));
      container.appendChild(table([T.cell, T.column, T.value, T.message], report.cells.map(function (c) {
        return [c.cell || ("" + c.row), c.column || "", c.value || "", pick(c.message)];
      }), { "data-report": "cells" }));
    }
    if (report.results && report.results.length) {
      container.appendChild(el("h3", T.results));
      container.appendChild(table([T.severity, T.cell, T.subject, T.property, T.value, T.message], report.results.map(function (r) {
        return [r.severity, r.cell || (r.row ? "" + r.row : ""), pick(r.focusLabel) || r.focus, pick(r.pathLabel) || r.path || "", r.value || "", pick(r.message)];
      }), { "data-report": "results" }));
    }
    if (report.initiatives && report.initiatives.length) {
      container.appendChild(el("h3", T.initiatives));
      var ul = el("ul", null, { class: "list", "data-report": "initiatives" });
      report.initiatives.forEach(function (i) {
        var missing = (i.missing || []).map(function (m) { return pick(m.label) || m.code; }).join(", ");
        ul.appendChild(el("li", (pick(i.label) || i.iri) + ": " + (T[i.category] || i.category) + (missing ? " (" + T.missing + ": " + missing + ")" : "")));
      });
      container.appendChild(ul);
    }
    if (report.datasets && report.datasets.length) {
      container.appendChild(el("h3", T.datasets));
      var dl = el("ul", null, { class: "list", "data-report": "datasets" });
      report.datasets.forEach(function (d) {
        dl.appendChild(el("li", (d.title || d.iri) + ": " + pick(d.how), { "data-published": d.published ? "true" : "false" }));
      });
      container.appendChild(dl);
    }
  }

  // -- check and submit -------------------------------------------------------------------

  function extension(name) { var i = name.lastIndexOf("."); return i < 0 ? "" : name.slice(i + 1).toLowerCase(); }

  function query(publish, replaces) {
    var parts = [];
    if (publish) parts.push("publish=all");
    if (replaces) parts.push("replaces=" + encodeURIComponent(replaces));
    return parts.length ? "?" + parts.join("&") : "";
  }

  function check(event) {
    event.preventDefault();
    var file = $("file").files[0];
    var out = $("outcome");
    out.textContent = "";
    $("submit").disabled = true;
    checked = null;
    if (!file) return;
    var type = MEDIA[extension(file.name)] || file.type || "application/octet-stream";
    var publish = $("publish").checked;
    var replaces = replacing ? replacing.id : null;
    file.arrayBuffer().then(function (bytes) {
      return call("POST", "/submissions/check" + query(publish, replaces), {
        headers: { "Content-Type": type }, body: bytes
      }).then(function (r) {
        if (!r.ok) { problem(out, r); return; }
        out.appendChild(el("p", r.body.accepted ? T.wouldAccept : T.wouldRefuse, { "data-verdict": r.body.accepted ? "accepted" : "refused", class: r.body.accepted ? "ok" : "problem" }));
        renderReport(out, r.body);
        if (r.body.accepted) {
          checked = { bytes: bytes, type: type, publish: publish, replaces: replaces };
          $("submit").disabled = false;
        }
      });
    });
  }

  function submit() {
    if (!checked) return;
    var out = $("outcome");
    var path = checked.replaces ? "/submissions/" + checked.replaces : "/submissions";
    var headers = { "Content-Type": checked.type };
    if (checked.replaces) headers["If-Match"] = replacing.etag;
    $("submit").disabled = true;
    call(checked.replaces ? "PUT" : "POST", path + query(checked.publish, null), { headers: headers, body: checked.bytes }).then(function (r) {
      out.textContent = "";
      if (r.status === 422) {
        out.appendChild(el("p", T.refused, { "data-verdict": "refused", class: "problem" }));
        renderReport(out, r.body.report);
        return;
      }
      if (!r.ok) { problem(out, r); return; }
      var p = el("p", (checked.replaces ? T.replaced : T.stored) + " ", { "data-verdict": "stored", class: "ok" });
      p.appendChild(el("a", r.body.id, { href: r.body.href, "data-submission": r.body.id }));
      out.appendChild(p);
      renderReport(out, r.body.report);
      checked = null;
      stopReplacing();
      loadMine();
    });
  }

  // -- my submissions ---------------------------------------------------------------------

  function startReplacing(item) {
    call("GET", "/submissions/" + item.id).then(function (r) {
      if (!r.ok) { problem($("outcome"), r); return; }
      replacing = { id: item.id, etag: (r.etag || "").replace(/^W\//, "") };
      $("replacing").hidden = false;
      $("replacing-id").textContent = item.id;
      $("outcome").textContent = T.chooseReplacement;
      $("file").focus();
    });
  }

  function stopReplacing() {
    replacing = null;
    $("replacing").hidden = true;
  }

  function withdraw(item) {
    if (!window.confirm(T.confirmWithdraw)) return;
    call("GET", "/submissions/" + item.id).then(function (r) {
      if (!r.ok) { problem($("outcome"), r); return; }
      return call("DELETE", "/submissions/" + item.id, { headers: { "If-Match": r.etag } }).then(function (d) {
        var out = $("outcome");
        out.textContent = "";
        if (!d.ok) { problem(out, d); return; }
        out.appendChild(el("p", T.withdrawn + " " + item.id, { "data-verdict": "withdrawn", class: "ok" }));
        loadMine();
      });
    });
  }

  function history(item) {
    call("GET", "/submissions/" + item.id).then(function (r) {
      var box = $("history");
      box.textContent = "";
      if (!r.ok) { problem(box, r); return; }
      box.appendChild(el("h3", T.history + ": " + ((r.body.titles || []).join("; ") || item.id)));
      var ol = el("ol", null, { "data-history": item.id });
      (r.body.provenance || []).forEach(function (rev) {
        var steward = rev.steward && (rev.steward.name || rev.steward.id);
        ol.appendChild(el("li", rev.time.slice(0, 19).replace("T", " ") + " · " + T.revision + " " + rev.etag.slice(0, 8) + (steward ? " · " + T.by + " " + steward : "") + " · " + (rev.current ? T.current : (rev.invalidated ? rev.invalidated.slice(0, 10) : ""))));
      });
      box.appendChild(ol);
    });
  }

  function loadMine() {
    call("GET", "/submissions?mine=true&per_page=200").then(function (r) {
      var body = $("mine").querySelector("tbody");
      body.textContent = "";
      if (!r.ok) { problem($("history"), r); return; }
      $("mine-empty").hidden = r.body.items.length > 0;
      r.body.items.forEach(function (item) {
        var tr = el("tr", null, { "data-id": item.id });
        tr.appendChild(el("td", (item.titles || []).join("; ") || item.id, { "data-title": "" }));
        tr.appendChild(el("td", item.status === "withdrawn" ? T.withdrawnStatus : T.current, { "data-status": item.status }));
        tr.appendChild(el("td", (item.created || "").slice(0, 10)));
        var revisions = el("td");
        var show = el("button", T.history, { type: "button", "data-action": "history" });
        show.addEventListener("click", function () { history(item); });
        revisions.appendChild(show);
        tr.appendChild(revisions);
        var actions = el("td");
        if (item.status !== "withdrawn") {
          var rep = el("button", T.replace, { type: "button", "data-action": "replace" });
          rep.addEventListener("click", function () { startReplacing(item); });
          var wd = el("button", T.withdraw, { type: "button", "data-action": "withdraw" });
          wd.addEventListener("click", function () { withdraw(item); });
          actions.appendChild(rep);
          actions.appendChild(wd);
        }
        tr.appendChild(actions);
        body.appendChild(tr);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    $("signin-form").addEventListener("submit", function (event) {
      event.preventDefault();
      signIn($("token").value.trim());
    });
    $("signout").addEventListener("click", signOut);
    $("upload-form").addEventListener("submit", check);
    $("submit").addEventListener("click", submit);
    $("refresh").addEventListener("click", loadMine);
    $("replace-cancel").addEventListener("click", stopReplacing);
    $("file").addEventListener("change", function () { $("submit").disabled = true; checked = null; });
    $("publish").addEventListener("change", function () { $("submit").disabled = true; checked = null; });
    if (token()) signIn(token());
  });
})();

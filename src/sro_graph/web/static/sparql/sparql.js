// The query page: a highlighting textarea, the named queries as examples, a results table.
// No framework, no CDN: served by the app itself.
(function () {
  "use strict";
  var KW = /^(BASE|PREFIX|SELECT|DISTINCT|REDUCED|AS|CONSTRUCT|DESCRIBE|ASK|FROM|NAMED|WHERE|ORDER|BY|ASC|DESC|LIMIT|OFFSET|VALUES|OPTIONAL|GRAPH|UNION|MINUS|FILTER|BIND|SERVICE|SILENT|GROUP|HAVING|EXISTS|NOT|IN|UNDEF|COUNT|SUM|MIN|MAX|AVG|SAMPLE|GROUP_CONCAT|SEPARATOR|STR|LANG|LANGMATCHES|DATATYPE|BOUND|IF|COALESCE|REGEX|CONTAINS|LCASE|UCASE|CONCAT|REPLACE|a|true|false)$/i;
  var TOKEN = /("""[\s\S]*?"""|'''[\s\S]*?'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')|(<[^<>"{}|^`\\\s]*>)|(#[^\n]*)|([?$][\w]+)|([A-Za-z][\w.-]*)?:[\w.-]*|([A-Za-z_][\w]*)/g;
  function esc(s) { return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;"); }
  function highlight(text) {
    var out = "", last = 0, m;
    TOKEN.lastIndex = 0;
    while ((m = TOKEN.exec(text)) !== null) {
      out += esc(text.slice(last, m.index));
      var cls = m[1] ? "str" : m[2] ? "iri" : m[3] ? "com" : m[4] ? "var" : m[6] ? (KW.test(m[6]) ? "kw" : "") : "pn";
      out += cls ? '<span class="tok-' + cls + '">' + esc(m[0]) + "</span>" : esc(m[0]);
      last = TOKEN.lastIndex;
    }
    return out + esc(text.slice(last)) + "\n";
  }
  function cell(term) {
    if (!term) { return ""; }
    if (term.type === "uri") { return '<a href="' + esc(term.value).replace(/"/g, "&quot;") + '">' + esc(term.value) + "</a>"; }
    return esc(term.value) + (term["xml:lang"] ? ' <small>@' + esc(term["xml:lang"]) + "</small>" : "");
  }
  document.addEventListener("DOMContentLoaded", function () {
    var area = document.getElementById("query"), code = document.getElementById("highlight");
    var form = document.getElementById("sparql-form"), status = document.getElementById("status");
    var results = document.getElementById("results"), downloads = document.getElementById("downloads");
    var examples = JSON.parse(document.getElementById("examples-data").textContent);
    function sync() { code.innerHTML = highlight(area.value); code.parentNode.scrollTop = area.scrollTop; }
    area.addEventListener("input", sync);
    area.addEventListener("scroll", sync);
    document.getElementById("example").addEventListener("change", function (ev) {
      var ex = examples[ev.target.value];
      if (ex) { area.value = ex.text; sync(); }
    });
    sync();
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      status.textContent = "…";
      results.innerHTML = "";
      var body = new URLSearchParams({ query: area.value });
      fetch("/sparql", { method: "POST", body: body,
        headers: { "Accept": "application/sparql-results+json, text/turtle;q=0.9" } })
        .then(function (resp) {
          var truncated = resp.headers.get("X-SRO-Truncated") === "true";
          var type = resp.headers.get("Content-Type") || "";
          return resp.text().then(function (text) { return { resp: resp, text: text, type: type, truncated: truncated }; });
        })
        .then(function (r) {
          downloads.hidden = false;
          downloads.querySelectorAll("a").forEach(function (a) {
            a.href = "/sparql?" + new URLSearchParams({ query: area.value, _format: a.dataset.format });
          });
          if (!r.resp.ok) {
            var detail = r.text;
            try { detail = JSON.parse(r.text).detail; } catch (e) { /* not JSON */ }
            status.textContent = r.resp.status + ": " + detail;
            return;
          }
          if (r.type.indexOf("sparql-results+json") < 0) {
            status.textContent = "";
            results.innerHTML = "<pre>" + esc(r.text) + "</pre>";
            return;
          }
          var data = JSON.parse(r.text);
          if (typeof data.boolean === "boolean") { status.textContent = String(data.boolean); return; }
          var vars = data.head.vars, rows = data.results.bindings;
          var html = "<table><thead><tr>" + vars.map(function (v) { return "<th>" + esc(v) + "</th>"; }).join("") + "</tr></thead><tbody>";
          rows.forEach(function (row) {
            html += "<tr>" + vars.map(function (v) { return "<td>" + cell(row[v]) + "</td>"; }).join("") + "</tr>";
          });
          results.innerHTML = html + "</tbody></table>";
          status.innerHTML = rows.length + " rows" + (r.truncated ? ' <span class="warn">(truncated)</span>' : "");
        })
        .catch(function (err) { status.textContent = String(err); });
    });
  });
}());

/*
 * cairn static search: results as you type from the JSON index under
 * search/ (term shards by two-letter prefix, documents in small files of a
 * few each, the filter table only when a filter is used). `/` focuses the search box.
 * Without JavaScript the box submits to the search page, which explains
 * the `cairn search` command instead.
 */
(function () {
  "use strict";

  var LIMIT = 10;
  var cache = {};

  function fetchJson(url) {
    if (!cache[url]) {
      cache[url] = fetch(url).then(function (r) {
        return r.ok ? r.json() : null;
      }).catch(function () {
        return null;
      });
    }
    return cache[url];
  }

  function words(text) {
    return text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(function (w) {
      return w.length > 0 && w.length <= 40;
    });
  }

  // Same key as `shard_key` in src/outputs/search.rs.
  function shardKey(term) {
    var k = term.slice(0, 2);
    return /^[a-z0-9]{1,2}$/.test(k) ? k : "x" + term.codePointAt(0).toString(16);
  }

  function escapeHtml(s) {
    return s.replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  // Postings of `word`: the exact term, plus every term it starts if it is the word being typed.
  function lookup(root, word, prefix) {
    return fetchJson(root + "search/t/" + shardKey(word) + ".json").then(function (shard) {
      var lists = [];
      if (!shard) return lists;
      Object.keys(shard).forEach(function (term) {
        if (term === word || (prefix && word.length >= 2 && term.indexOf(word) === 0)) {
          lists.push({ term: term, list: shard[term] });
        }
      });
      return lists;
    });
  }

  function passes(row, filters) {
    if (!row) return false;
    if (filters.kind && row[0] !== filters.kind) return false;
    if (filters.severity && row[1] !== filters.severity) return false;
    if (filters.year && String(row[2]) !== filters.year) return false;
    if (filters.component && row[3].indexOf(filters.component) < 0) return false;
    return true;
  }

  // Ranked document ids: most query words matched first, then summed weight × idf.
  function rank(root, query, filters) {
    var ws = words(query);
    var typing = !/\s$/.test(query);
    var active = Object.keys(filters).some(function (k) { return filters[k]; });
    return Promise.all([
      fetchJson(root + "search/meta.json"),
      active ? fetchJson(root + "search/filters.json") : Promise.resolve(null),
      Promise.all(ws.map(function (w, i) { return lookup(root, w, typing && i === ws.length - 1); }))
    ]).then(function (got) {
      var n = (got[0] && got[0].docs) || 1;
      var table = got[1];
      var scores = {};
      var hits = {};
      got[2].forEach(function (lists, wi) {
        lists.forEach(function (entry) {
          var list = entry.list;
          var idf = Math.log(1 + n / list[0]);
          var partial = entry.term !== ws[wi] ? 0.5 : 1;
          var id = 0;
          for (var i = 1; i < list.length; i += 2) {
            id += list[i];
            scores[id] = (scores[id] || 0) + list[i + 1] * idf * partial;
            hits[id] = (hits[id] || 0) | (1 << Math.min(wi, 30));
          }
        });
      });
      var ids = Object.keys(scores).map(Number).filter(function (id) {
        return !active || passes(table && table[id], filters);
      });
      function bits(x) {
        var c = 0;
        for (; x; x &= x - 1) c++;
        return c;
      }
      ids.sort(function (a, b) {
        return bits(hits[b]) - bits(hits[a]) || scores[b] - scores[a] || a - b;
      });
      return { ids: ids, words: ws, chunk: got[0] && got[0].chunk };
    });
  }

  // A window of the document's text around the first match, matched words in <mark>.
  function excerpt(text, ws) {
    var lower = text.toLowerCase();
    var at = -1;
    ws.forEach(function (w) {
      var i = lower.indexOf(w);
      if (i >= 0 && (at < 0 || i < at)) at = i;
    });
    // Cut at spaces so no word is shown in part.
    var start = Math.max(0, at - 60);
    if (start > 0) start = text.indexOf(" ", start) + 1;
    var end = text.indexOf(" ", start + 180);
    if (end < 0) end = text.length;
    var piece = text.slice(start, end);
    var html = escapeHtml(piece);
    if (ws.length) {
      var pattern = ws.map(function (w) {
        return escapeHtml(w).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      }).join("|");
      html = html.replace(new RegExp("(^|[^\\p{L}\\p{N}])(" + pattern + ")", "giu"), "$1<mark>$2</mark>");
    }
    return (start > 0 ? "… " : "") + html + (end < text.length ? " …" : "");
  }

  function render(root, docs, ws, list, compact) {
    list.innerHTML = docs.map(function (d) {
      var facts = [d.k];
      if (d.s) facts.push(d.s);
      if (d.y) facts.push(d.y);
      return '<li class="search-result" data-kind="' + escapeHtml(d.k) + '">' +
        '<a class="search-result-title" href="' + escapeHtml(root + d.u) + '">' + escapeHtml(d.t) + "</a>" +
        '<span class="search-result-facts">' + escapeHtml(facts.join(" · ")) + "</span>" +
        (compact ? "" : '<p class="search-excerpt">' + excerpt(d.x, ws) + "</p>") +
        "</li>";
    }).join("");
  }

  function attach(form) {
    var root = form.getAttribute("data-search-root") || "";
    var input = form.querySelector("input[type=search]");
    var page = form.hasAttribute("data-search-page");
    var list = page ? document.getElementById("cairn-search-results") : form.querySelector(".search-dropdown");
    var status = page ? document.getElementById("cairn-search-status") : null;
    var selects = form.querySelectorAll("select[data-filter]");
    var generation = 0;

    function filters() {
      var out = {};
      selects.forEach(function (s) { out[s.getAttribute("data-filter")] = s.value; });
      return out;
    }

    function update() {
      var q = input.value;
      var mine = ++generation;
      if (page) {
        var params = new URLSearchParams();
        if (q) params.set("q", q);
        var f = filters();
        Object.keys(f).forEach(function (k) { if (f[k]) params.set(k, f[k]); });
        var search = params.toString();
        history.replaceState(null, "", search ? "?" + search : location.pathname);
      }
      if (!words(q).length) {
        list.innerHTML = "";
        if (!page) list.hidden = true;
        if (status) status.textContent = "";
        return;
      }
      rank(root, q, filters()).then(function (r) {
        var top = r.ids.slice(0, page ? LIMIT : 6);
        return Promise.all(top.map(function (id) {
          // meta.json says how many documents each file of search/d/ holds.
          var per = r.chunk || 1;
          return fetchJson(root + "search/d/" + Math.floor(id / per) + ".json").then(function (part) {
            return part && part[id % per];
          });
        })).then(function (docs) {
          if (mine !== generation) return;
          render(root, docs.filter(Boolean), r.words, list, false);
          if (!page) list.hidden = top.length === 0;
          if (status) {
            status.textContent = r.ids.length === 0 ? "No results." :
              r.ids.length + (r.ids.length === 1 ? " result" : " results") +
              (r.ids.length > top.length ? ", showing the best " + top.length : "") + ".";
          }
        });
      });
    }

    input.addEventListener("input", update);
    selects.forEach(function (s) { s.addEventListener("change", update); });
    form.addEventListener("submit", function (e) {
      if (page) e.preventDefault();
    });
    if (page) {
      // The page ships the form hidden and a no-JavaScript explanation shown.
      form.hidden = false;
      var nojs = document.getElementById("cairn-search-nojs");
      if (nojs) nojs.hidden = true;
      var params = new URLSearchParams(location.search);
      input.value = params.get("q") || "";
      selects.forEach(function (s) { s.value = params.get(s.getAttribute("data-filter")) || ""; });
      if (input.value) update();
    } else {
      // Escape closes the results; arrow keys move between the box and the result links.
      form.addEventListener("keydown", function (e) {
        var links = Array.prototype.slice.call(list.querySelectorAll("a"));
        var at = links.indexOf(document.activeElement);
        if (e.key === "Escape") {
          // Results of a query still in flight must not open the list again.
          generation++;
          list.hidden = true;
          input.focus();
        } else if (e.key === "ArrowDown" && links.length) {
          e.preventDefault();
          links[Math.min(at + 1, links.length - 1)].focus();
        } else if (e.key === "ArrowUp" && at >= 0) {
          e.preventDefault();
          (at === 0 ? input : links[at - 1]).focus();
        }
      });
      form.addEventListener("focusout", function () {
        window.setTimeout(function () {
          if (!form.contains(document.activeElement)) {
            generation++;
            list.hidden = true;
          }
        }, 150);
      });
    }
  }

  document.querySelectorAll("form[data-search-root]").forEach(attach);

  document.addEventListener("keydown", function (e) {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    var box = document.getElementById("cairn-search-q") || document.getElementById("cairn-site-search");
    if (box) {
      e.preventDefault();
      box.focus();
    }
  });
})();

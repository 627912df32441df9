/*
 * cairn static search: results as you type from the JSON index under
 * search/ (term shards by two-letter prefix, documents in small files of a
 * few each, the filter table only when a filter is used). `/` focuses the search box.
 * Typing is debounced (nothing is fetched until the typist pauses), a
 * superseded query's document fetches are cancelled, every shard and
 * document file is fetched at most once per page, and shards that do not
 * exist (meta.json lists those that do) are never asked for. The search page
 * pages through results ten at a time and suggests a spelling ("did you
 * mean") from the shards it already has.
 * Without JavaScript the box submits to the search page, which explains
 * the `cairn search` command instead.
 */
(function () {
  "use strict";

  // The site's words when its language is not English (base.html puts them in the root
  // element's data-messages), else the English given here: say(key, english, n, args), with
  // english a text or [one, other], "{n}" and "{name}" filled.
  var WORDS = (function () {
    try {
      return JSON.parse(document.documentElement.getAttribute("data-messages") || "null");
    } catch (e) {
      return null;
    }
  })();
  function say(key, english, n, args) {
    var v = (WORDS && WORDS.m[key]) || english;
    if (typeof v !== "string") {
      var one = WORDS && WORDS.plural === "one-is-0-or-1" ? n === 0 || n === 1 : n === 1;
      v = v.one !== undefined ? (one ? v.one : v.other) : one ? v[0] : v[1];
    }
    return v.replace(/\{(\w+)\}/g, function (all, name) {
      if (name === "n" && n !== undefined) return String(n);
      return args && args[name] !== undefined ? String(args[name]) : all;
    });
  }

  var LIMIT = 10;
  var DROPDOWN = 6;
  var DEBOUNCE_MS = 180;
  var cache = {};

  // One fetch per URL per page. A fetch given `signal` is dropped from the
  // cache when aborted, so a later query can ask again.
  function fetchJson(url, signal) {
    if (!cache[url]) {
      var p = fetch(url, signal ? { signal: signal } : undefined).then(function (r) {
        return r.ok ? r.json() : null;
      }).catch(function () {
        if (cache[url] === p) delete cache[url];
        return null;
      });
      cache[url] = p;
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
  // `shards` (from meta.json) lists the shards that exist; others are not fetched.
  function lookup(root, word, prefix, shards) {
    var key = shardKey(word);
    if (shards && shards.indexOf(" " + key + " ") < 0) return Promise.resolve({ lists: [], shard: null });
    return fetchJson(root + "search/t/" + key + ".json").then(function (shard) {
      var lists = [];
      if (!shard) return { lists: lists, shard: null };
      Object.keys(shard).forEach(function (term) {
        if (term === word || (prefix && word.length >= 2 && term.indexOf(word) === 0)) {
          lists.push({ term: term, list: shard[term] });
        }
      });
      return { lists: lists, shard: shard };
    });
  }

  // Optimal string alignment distance (edits, with adjacent swaps), capped at `max` + 1.
  function distance(a, b, max) {
    if (Math.abs(a.length - b.length) > max) return max + 1;
    var prev2 = null, prev = [], i, j;
    for (j = 0; j <= b.length; j++) prev[j] = j;
    for (i = 1; i <= a.length; i++) {
      var cur = [i], best = i;
      for (j = 1; j <= b.length; j++) {
        var cost = a[i - 1] === b[j - 1] ? 0 : 1;
        var d = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
        if (prev2 && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2] + 1);
        cur[j] = d;
        if (d < best) best = d;
      }
      if (best > max) return max + 1;
      prev2 = prev;
      prev = cur;
    }
    return prev[b.length];
  }

  // The most frequent term of `shard` within one edit (two for long words) of `word`.
  function suggest(word, shard) {
    if (!shard || word.length < 4 || shard[word]) return null;
    var max = word.length >= 8 ? 2 : 1;
    var best = null, bestDistance = max + 1, bestDf = 0;
    Object.keys(shard).forEach(function (term) {
      var d = distance(word, term, max);
      var df = shard[term][0];
      if (d <= max && (d < bestDistance || (d === bestDistance && df > bestDf))) {
        best = term;
        bestDistance = d;
        bestDf = df;
      }
    });
    return best;
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
    return fetchJson(root + "search/meta.json").then(function (meta) {
      var shards = meta && meta.shards ? " " + meta.shards + " " : null;
      return Promise.all([
        meta,
        active ? fetchJson(root + "search/filters.json") : Promise.resolve(null),
        Promise.all(ws.map(function (w, i) { return lookup(root, w, typing && i === ws.length - 1, shards); }))
      ]);
    }).then(function (got) {
      var n = (got[0] && got[0].docs) || 1;
      var table = got[1];
      var scores = {};
      var hits = {};
      // "Did you mean": each word that matched nothing, replaced by its nearest known term.
      var corrected = false;
      var suggestion = ws.map(function (w, wi) {
        if (got[2][wi].lists.length) return w;
        var s = suggest(w, got[2][wi].shard);
        if (s) corrected = true;
        return s || w;
      });
      got[2].forEach(function (found, wi) {
        found.lists.forEach(function (entry) {
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
      return { ids: ids, words: ws, chunk: got[0] && got[0].chunk, suggestion: corrected ? suggestion.join(" ") : null };
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

  var KINDS = { incident: "Incident", postmortem: "Post-mortem", runbook: "Runbook", matrix: "Decision matrix", maintenance: "Maintenance", page: "Page" };

  function render(root, docs, ws, list, compact) {
    list.innerHTML = docs.map(function (d) {
      var facts = [say("js.kind." + d.k, KINDS[d.k] || d.k)];
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

    var timer = 0;
    var controller = null;
    var shown = LIMIT;
    var more = page ? document.getElementById("cairn-search-more") : null;
    var hint = page ? document.getElementById("cairn-search-suggest") : null;

    function setUrl(q) {
      var params = new URLSearchParams();
      if (q) params.set("q", q);
      var f = filters();
      Object.keys(f).forEach(function (k) { if (f[k]) params.set(k, f[k]); });
      if (shown > LIMIT) params.set("shown", String(shown));
      var search = params.toString();
      history.replaceState(null, "", search ? "?" + search : location.pathname);
    }

    function clear() {
      list.innerHTML = "";
      if (!page) list.hidden = true;
      if (status) status.textContent = "";
      if (more) more.hidden = true;
      if (hint) hint.hidden = true;
    }

    // Ranks `q` and shows its first `shown` results.
    function run() {
      var q = input.value;
      var mine = ++generation;
      if (controller) controller.abort();
      controller = window.AbortController ? new AbortController() : null;
      var signal = controller && controller.signal;
      if (page) setUrl(q);
      if (!words(q).length) {
        clear();
        return;
      }
      rank(root, q, filters()).then(function (r) {
        if (mine !== generation) return;
        var top = r.ids.slice(0, page ? shown : DROPDOWN);
        var per = r.chunk || 1;
        return Promise.all(top.map(function (id) {
          // meta.json says how many documents each file of search/d/ holds.
          return fetchJson(root + "search/d/" + Math.floor(id / per) + ".json", signal).then(function (part) {
            return part && part[id % per];
          });
        })).then(function (docs) {
          if (mine !== generation) return;
          render(root, docs.filter(Boolean), r.words, list, false);
          if (!page) list.hidden = top.length === 0;
          if (status) {
            status.textContent = r.ids.length === 0 ? say("js.no_results", "No results.") :
              r.ids.length > top.length ?
                say("js.results_first", ["{n} result, showing the first {shown}.", "{n} results, showing the first {shown}."], r.ids.length, { shown: top.length }) :
                say("js.results", ["{n} result.", "{n} results."], r.ids.length);
          }
          if (more) {
            more.hidden = r.ids.length <= top.length;
            more.textContent = say("js.show_more", ["Show {n} more result", "Show {n} more results"], Math.min(LIMIT, r.ids.length - top.length));
          }
          if (hint) {
            hint.hidden = !r.suggestion;
            if (r.suggestion) {
              var link = hint.querySelector("a");
              link.textContent = r.suggestion;
              var params = new URLSearchParams(location.search);
              params.set("q", r.suggestion);
              link.href = "?" + params.toString();
            }
          }
        });
      });
    }

    // Waits for a pause in typing: a typist at 40 ms a key fetches nothing until they stop.
    function update() {
      generation++;
      shown = LIMIT;
      window.clearTimeout(timer);
      timer = window.setTimeout(run, DEBOUNCE_MS);
    }

    input.addEventListener("input", update);
    selects.forEach(function (s) { s.addEventListener("change", function () { shown = LIMIT; run(); }); });
    if (more) {
      more.addEventListener("click", function () {
        shown += LIMIT;
        run();
      });
    }
    if (hint) {
      hint.querySelector("a").addEventListener("click", function (e) {
        e.preventDefault();
        input.value = this.textContent;
        shown = LIMIT;
        run();
        input.focus();
      });
    }
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
      shown = Math.max(LIMIT, Math.min(200, parseInt(params.get("shown"), 10) || LIMIT));
      if (input.value) run();
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

/*
 * cairn live refresh for the status home: polls api/v2/summary.json and
 * updates the banner, component statuses and open incidents in place.
 * The page is complete without it. Requests use `cache: "no-cache"`, so
 * the browser revalidates with If-None-Match / If-Modified-Since and a
 * static server answers 304 while nothing changed.
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
  var INTERVAL = 60000;
  var root = document.querySelector("[data-summary-url]");
  if (!root || !window.fetch) return;
  var url = root.getAttribute("data-summary-url");
  var last = root.getAttribute("data-built");
  var LABELS = {
    none: "All systems operational",
    maintenance: "Scheduled maintenance in progress",
    minor: "Degraded performance",
    major: "Partial outage",
    critical: "Major outage"
  };
  var STATUS = {
    operational: "Operational",
    under_maintenance: "Under maintenance",
    degraded_performance: "Degraded performance",
    partial_outage: "Partial outage",
    major_outage: "Major outage",
    investigating: "Investigating",
    identified: "Identified",
    monitoring: "Monitoring",
    resolved: "Resolved"
  };

  function live(name) {
    return root.querySelector('[data-live="' + name + '"]');
  }

  function pill(status) {
    var span = document.createElement("span");
    span.className = "pill s-" + status;
    var dot = document.createElement("span");
    dot.className = "dot";
    dot.setAttribute("aria-hidden", "true");
    span.appendChild(dot);
    span.appendChild(document.createTextNode(say("label.ComponentStatus." + status, say("label.IncidentStatus." + status, STATUS[status] || status))));
    return span;
  }

  function setOverall(status) {
    var banner = live("overall");
    if (!banner) return;
    banner.className = banner.className.replace(/overall-\w+/, "overall-" + status.indicator);
    live("overall-label").textContent = say("label.Indicator." + status.indicator, LABELS[status.indicator] || status.description);
  }

  function setComponents(components) {
    for (var i = 0; i < components.length; i++) {
      var c = components[i];
      if (c.group) continue;
      var row = root.querySelector('[data-component="' + c.id + '"] [data-live="component-status"]');
      if (!row) continue;
      var current = row.querySelector(".pill");
      if (current && current.classList.contains("s-" + c.status)) continue;
      row.textContent = "";
      row.appendChild(pill(c.status));
    }
  }

  function card(incident) {
    var article = document.createElement("article");
    article.className = "card incident-card tone-impact-" + incident.impact;
    var head = document.createElement("header");
    head.className = "card-head";
    var h = document.createElement("h3");
    h.className = "card-heading";
    var a = document.createElement("a");
    a.href = incident.shortlink;
    a.textContent = incident.name;
    h.appendChild(a);
    head.appendChild(h);
    article.appendChild(head);
    var latest = incident.incident_updates[0];
    if (latest) {
      var meta = document.createElement("p");
      meta.className = "update-meta";
      meta.appendChild(pill(latest.status));
      var when = document.createElement("time");
      when.setAttribute("datetime", latest.display_at);
      when.className = "muted";
      when.textContent = " " + latest.display_at.replace("T", " ").replace(":00Z", " UTC");
      meta.appendChild(when);
      article.appendChild(meta);
      var body = document.createElement("p");
      body.className = "prose prose-compact";
      body.textContent = latest.body;
      article.appendChild(body);
    }
    return article;
  }

  function setIncidents(incidents) {
    var section = live("incidents");
    if (!section) return;
    var list = live("incident-list");
    list.textContent = "";
    for (var i = 0; i < incidents.length; i++) list.appendChild(card(incidents[i]));
    live("incident-count").textContent = String(incidents.length);
    section.hidden = incidents.length === 0;
  }

  function refresh() {
    fetch(url, { cache: "no-cache" })
      .then(function (r) {
        return r.ok ? r.json() : null;
      })
      .then(function (summary) {
        if (!summary || summary.page.updated_at === last) return;
        last = summary.page.updated_at;
        setOverall(summary.status);
        setComponents(summary.components);
        setIncidents(summary.incidents);
        var asOf = live("as-of");
        if (asOf) {
          asOf.setAttribute("datetime", last);
          asOf.removeAttribute("title");
          asOf.textContent = last.replace("T", " ").replace(/:\d\dZ$/, " UTC");
        }
      })
      .catch(function () {});
  }

  window.setInterval(function () {
    if (!document.hidden) refresh();
  }, INTERVAL);
})();

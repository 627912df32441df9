// cairn serve: reloads the page when the site was rebuilt, and shows the problems of a build
// that failed over the last good page until they are fixed. Injected by the dev server only;
// never part of a built site. Every text from a diagnostic goes in through textContent.
(function () {
  "use strict";
  var OVERLAY = "cairn-overlay";

  function clear() {
    var old = document.getElementById(OVERLAY);
    if (old) old.remove();
  }

  function line(tag, cls, text) {
    var el = document.createElement(tag);
    el.className = cls;
    el.textContent = text;
    return el;
  }

  function show(problems) {
    clear();
    var box = document.createElement("section");
    box.id = OVERLAY;
    box.setAttribute("role", "alert");
    var errors = problems.filter(function (p) { return p.severity === "error"; }).length;
    box.appendChild(line("h2", "cairn-overlay-title",
      "The last edit broke the build (" + errors + (errors === 1 ? " error" : " errors") +
      "); showing the last good site"));
    var list = document.createElement("ol");
    problems.forEach(function (p) {
      var item = document.createElement("li");
      item.className = "cairn-overlay-" + p.severity;
      item.appendChild(line("code", "cairn-overlay-where", p.file + ":" + p.line + ":" + p.column));
      item.appendChild(line("span", "cairn-overlay-message", " " + p.severity + "[" + p.code + "]: " + p.message));
      if (p.help) item.appendChild(line("p", "cairn-overlay-help", "help: " + p.help));
      list.appendChild(item);
    });
    box.appendChild(list);
    document.body.appendChild(box);
  }

  if (!window.EventSource) return;
  var source = new EventSource("/__cairn/events?page=" + encodeURIComponent(location.pathname));
  var seen = null;
  source.addEventListener("hello", function (e) {
    // A server that restarted since the page was loaded has another id: reload once.
    if (seen !== null && seen !== e.data) location.reload();
    seen = e.data;
  });
  // A reload event lists the files written or removed (unless there were too many): the page
  // reloads when it is one of them, or when a style sheet, script, font or image changed.
  function mine(paths) {
    var own;
    try { own = decodeURIComponent(location.pathname); } catch (x) { return true; }
    own = own.replace(/^\/+/, "");
    if (own === "" || /\/$/.test(own)) own += "index.html";
    return paths.some(function (p) {
      return p === own || /\.(css|js|woff2?|svg|png|jpe?g|gif|webp|ico)$/.test(p);
    });
  }
  source.addEventListener("reload", function (e) {
    var data = {};
    try { data = JSON.parse(e.data); } catch (x) { /* an old server's reload: reload */ }
    if (!Array.isArray(data.paths) || mine(data.paths)) location.reload();
  });
  source.addEventListener("problems", function (e) { show(JSON.parse(e.data)); });
  source.addEventListener("fixed", clear);
})();

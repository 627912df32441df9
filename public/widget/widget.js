/*
 * cairn status widget. Embed:
 *   <a href="https://status.example.org/" data-cairn-widget>Example Network status</a>
 *   <script src="https://status.example.org/widget/widget.js" async></script>
 * The link is replaced by an iframe of widget/index.html; without JavaScript, or if the
 * script cannot load, the plain link stays.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.src) return;
  var page = script.src.replace(/widget\.js(\?.*)?$/, "index.html");
  var links = document.querySelectorAll("a[data-cairn-widget]");
  for (var i = 0; i < links.length; i++) {
    var link = links[i];
    var frame = document.createElement("iframe");
    frame.src = page;
    frame.title = link.textContent || "Status";
    frame.loading = "lazy";
    frame.style.border = "0";
    frame.style.width = link.getAttribute("data-width") || "100%";
    frame.style.height = link.getAttribute("data-height") || "120px";
    link.parentNode.replaceChild(frame, link);
  }
})();

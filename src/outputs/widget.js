/*
 * cairn status widget. Embed:
 *   <a href="https://status.example.org/" data-cairn-widget data-theme="light">Example Network status</a>
 *   <script src="https://status.example.org/widget/widget.js" async></script>
 * The link is replaced by an iframe of widget/index.html. data-theme is light, dark or auto
 * (follow the reader's system; the default): match it to your page, not to the reader's OS.
 * The frame reports its height and is resized to it (data-height fixes a height instead).
 * Without JavaScript, or if the script cannot load, the plain link stays.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.src) return;
  var page = script.src.replace(/widget\.js(\?.*)?$/, "index.html");
  var origin = new URL(page, location.href).origin;
  var frames = [];
  var links = document.querySelectorAll("a[data-cairn-widget]");
  for (var i = 0; i < links.length; i++) {
    var link = links[i];
    var theme = link.getAttribute("data-theme");
    if (theme !== "light" && theme !== "dark") theme = "auto";
    var frame = document.createElement("iframe");
    frame.src = page + "#theme=" + theme;
    frame.title = link.textContent || "Status";
    frame.setAttribute("data-theme", theme);
    frame.style.border = "0";
    frame.style.colorScheme = theme === "auto" ? "normal" : theme;
    frame.style.width = link.getAttribute("data-width") || "100%";
    frame.style.height = link.getAttribute("data-height") || "96px";
    if (!link.hasAttribute("data-height")) frames.push(frame);
    link.parentNode.replaceChild(frame, link);
  }
  window.addEventListener("message", function (e) {
    if (e.origin !== origin || !e.data || !e.data.cairnWidget) return;
    for (var j = 0; j < frames.length; j++) {
      if (frames[j].contentWindow === e.source) frames[j].style.height = Math.max(40, Math.min(600, e.data.height)) + "px";
    }
  });
})();

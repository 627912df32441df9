(function () {
  "use strict";
  var m = /[#&?]theme=(light|dark|auto)/.exec(location.hash + location.search);
  var theme = m ? m[1] : "auto";
  document.documentElement.setAttribute("data-theme", theme);
  function report() {
    var h = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (window.parent !== window) window.parent.postMessage({ cairnWidget: true, height: h }, "*");
  }
  window.addEventListener("load", report);
  window.addEventListener("resize", report);
  report();
})();

/*
 * cairn default theme: progressive enhancement only. Pages work fully
 * without this file.
 *  1. Copy buttons on code blocks (markup ships hidden; we unhide it).
 *  2. <time datetime> elements get the reader's local time as a tooltip;
 *     the visible text stays in UTC.
 *  3. Maintenance windows also show the reader's local time next to UTC.
 */
(function () {
  "use strict";

  /* ---- 1. Copy buttons ------------------------------------------------ */

  // One polite live region announces the result to screen readers.
  var live = null;
  function announce(message) {
    if (!live) {
      live = document.createElement("div");
      live.className = "visually-hidden";
      live.setAttribute("role", "status");
      live.setAttribute("aria-live", "polite");
      document.body.appendChild(live);
    }
    live.textContent = "";
    window.setTimeout(function () {
      live.textContent = message;
    }, 50);
  }

  // Fallback for non-secure contexts (file://, plain http) where the async
  // Clipboard API is unavailable.
  function legacyCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.top = "0";
    area.style.left = "-9999px";
    area.style.opacity = "0";
    document.body.appendChild(area);
    var selection = document.getSelection();
    var previous = selection && selection.rangeCount ? selection.getRangeAt(0) : null;
    area.select();
    var ok = false;
    try {
      ok = document.execCommand("copy");
    } catch (e) {
      ok = false;
    }
    document.body.removeChild(area);
    if (previous && selection) {
      selection.removeAllRanges();
      selection.addRange(previous);
    }
    return ok;
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () {
        if (!legacyCopy(text)) throw new Error("copy failed");
      });
    }
    return new Promise(function (resolve, reject) {
      if (legacyCopy(text)) resolve();
      else reject(new Error("copy failed"));
    });
  }

  // Last resort: select the code so the reader can press Ctrl/Cmd+C.
  function selectContents(node) {
    var selection = window.getSelection();
    if (!selection) return;
    var range = document.createRange();
    range.selectNodeContents(node);
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function wireCopyButton(button) {
    var block = button.closest(".code-block");
    var pre = block && block.querySelector("pre");
    if (!pre) return;
    var label = button.textContent || "Copy";
    var timer = 0;

    button.setAttribute("aria-label", "Copy code to clipboard");
    button.hidden = false;

    function show(text, className) {
      button.textContent = text;
      button.classList.remove("is-copied", "is-failed");
      if (className) button.classList.add(className);
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        button.textContent = label;
        button.classList.remove("is-copied", "is-failed");
      }, 2000);
    }

    button.addEventListener("click", function () {
      var code = pre.querySelector("code") || pre;
      var text = code.textContent.replace(/\n$/, "");
      copyText(text).then(
        function () {
          show("Copied", "is-copied");
          announce("Code copied to clipboard");
        },
        function () {
          selectContents(code);
          show("Press Ctrl+C", "is-failed");
          announce("Copy failed. The code is selected: press Control C or Command C to copy it.");
        }
      );
    });
  }

  /* ---- 2. Local time tooltips ----------------------------------------- */

  var withTime = null;
  try {
    withTime = new Intl.DateTimeFormat(undefined, {
      weekday: "short",
      year: "numeric",
      month: "short",
      day: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      timeZoneName: "short"
    });
  } catch (e) {
    withTime = null;
  }

  function localizeTime(el) {
    var value = el.getAttribute("datetime");
    if (!value || el.hasAttribute("title")) return;
    // Date-only values ("2026-11-20") have no time of day to convert.
    if (!/T\d{2}:\d{2}/.test(value)) return;
    var date = new Date(value);
    if (isNaN(date.getTime())) return;
    el.title = "Your local time: " + withTime.format(date);
  }

  /* ---- 3. Local time of maintenance windows ---------------------------- */

  function showLocalWindow(el) {
    var date = new Date(el.getAttribute("datetime"));
    if (isNaN(date.getTime()) || el.nextElementSibling && el.nextElementSibling.className === "local-time") return;
    var span = document.createElement("span");
    span.className = "local-time";
    span.textContent = " (" + withTime.format(date) + " your time)";
    el.parentNode.insertBefore(span, el.nextSibling);
  }

  /* ---- Start ---------------------------------------------------------- */

  function init() {
    var buttons = document.querySelectorAll(".code-block > button.copy");
    for (var i = 0; i < buttons.length; i++) wireCopyButton(buttons[i]);

    if (withTime) {
      var times = document.querySelectorAll("time[datetime]");
      for (var j = 0; j < times.length; j++) localizeTime(times[j]);
      var windows = document.querySelectorAll(".window time[datetime]");
      for (var k = 0; k < windows.length; k++) showLocalWindow(windows[k]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

/*
 * cairn default theme: progressive enhancement only. Pages work fully
 * without this file.
 *  1. Copy buttons on code blocks (markup ships hidden; we unhide it).
 *  2. Beside each UTC time, the reader's local time (when not UTC) and, for
 *     times marked data-rel, a relative time kept fresh: all visible, no
 *     hovering needed.
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
    // Long lines scroll: say so under the block, and let the keyboard scroll it.
    if (pre.scrollWidth > pre.clientWidth + 1 && !block.querySelector(".scroll-cue")) {
      var cue = document.createElement("p");
      cue.className = "scroll-cue";
      cue.textContent = say("js.scroll_cue", "Scroll sideways for the whole line; Copy takes all of it.");
      block.appendChild(cue);
      pre.tabIndex = 0;
    }
    var label = say("js.copy", button.textContent || "Copy");
    var timer = 0;

    button.textContent = label;
    button.setAttribute("aria-label", say("js.copy_label", "Copy code to clipboard"));
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
          show(say("js.copied", "Copied"), "is-copied");
          announce(say("js.copied_announce", "Code copied to clipboard"));
        },
        function () {
          selectContents(code);
          show(say("js.press_ctrl_c", "Press Ctrl+C"), "is-failed");
          announce(say("js.copy_failed", "Copy failed. The code is selected: press Control C or Command C to copy it."));
        }
      );
    });
  }

  /* ---- 2. Local and relative times ---------------------------------- */
  // Pages print every time in UTC ("26 Nov 2026, 11:40 UTC"). Beside each
  // one with a time of day, show the reader's local time when their zone is
  // not UTC at that moment ("12:40 CET"), in the same 24-hour format; beside
  // those marked data-rel, how long ago or ahead it is, kept fresh.
  var MONTHS = (WORDS && WORDS.months) || ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  var zoneName = null;
  try {
    zoneName = new Intl.DateTimeFormat("en-GB", { timeZoneName: "short" });
  } catch (e) {
    zoneName = null;
  }

  function two(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function zoneOf(date) {
    if (zoneName && zoneName.formatToParts) {
      var parts = zoneName.formatToParts(date);
      for (var i = 0; i < parts.length; i++) {
        if (parts[i].type === "timeZoneName") return parts[i].value;
      }
    }
    var off = -date.getTimezoneOffset();
    return "UTC" + (off >= 0 ? "+" : "-") + two(Math.floor(Math.abs(off) / 60)) + ":" + two(Math.abs(off) % 60);
  }

  // "12:40 CET", with the day first when it differs from the UTC day.
  function localText(date) {
    var text = two(date.getHours()) + ":" + two(date.getMinutes()) + " " + zoneOf(date);
    if (date.getDate() !== date.getUTCDate()) {
      text = say("js.local_day", "{day} {month}, {time}", undefined, { day: date.getDate(), month: MONTHS[date.getMonth()], time: text });
    }
    return text;
  }

  // Same words as the build (src/view/time.rs `relative`).
  function relativeText(date, now) {
    var seconds = Math.round((date.getTime() - now) / 1000);
    var span = Math.abs(seconds);
    var amount;
    if (span < 60) return say("time.just_now", "just now");
    if (span < 3600) amount = say("time.minutes", "{n} min", Math.floor(span / 60));
    else if (span < 86400) amount = say("time.hours", "{n} h", Math.floor(span / 3600));
    else if (span < 60 * 86400) amount = say("time.days", "{n} d", Math.floor(span / 86400));
    else if (span < 730 * 86400) amount = say("time.months", "{n} mo", Math.floor(span / (30 * 86400)));
    else amount = say("time.years", "{n} y", Math.floor(span / (365 * 86400)));
    return seconds < 0 ? say("time.ago", "{amount} ago", undefined, { amount: amount }) : say("time.ahead", "in {amount}", undefined, { amount: amount });
  }

  function after(node, className) {
    var next = node.nextElementSibling;
    while (next && (next.className === "t-local" || next.className === "t-rel")) {
      if (next.className === className) return next;
      next = next.nextElementSibling;
    }
    return null;
  }

  function enhanceTime(el, now) {
    var value = el.getAttribute("datetime");
    // Date-only values ("2026-11-20") have no time of day to convert.
    if (!value || !/T\d{2}:\d{2}/.test(value)) return;
    var date = new Date(value);
    if (isNaN(date.getTime())) return;
    var anchor = el;
    if (date.getTimezoneOffset() !== 0 && !el.hasAttribute("data-utc-only")) {
      var local = after(el, "t-local");
      if (!local) {
        local = document.createElement("span");
        local.className = "t-local";
        el.parentNode.insertBefore(local, el.nextSibling);
      }
      local.textContent = " · " + localText(date);
      anchor = local;
    }
    if (el.hasAttribute("data-rel")) {
      var rel = after(el, "t-rel");
      if (!rel) {
        rel = document.createElement("span");
        rel.className = "t-rel";
      }
      if (rel.previousElementSibling !== anchor) anchor.parentNode.insertBefore(rel, anchor.nextSibling);
      rel.textContent = " · " + relativeText(date, now);
    }
  }

  function enhanceTimes() {
    var now = Date.now();
    var times = document.querySelectorAll("time[datetime]");
    for (var i = 0; i < times.length; i++) enhanceTime(times[i], now);
    // A promised update whose time has passed while the page was open.
    var due = document.querySelectorAll(".next-update time[datetime]");
    for (var j = 0; j < due.length; j++) {
      var late = new Date(due[j].getAttribute("datetime")).getTime() < now;
      var box = due[j].closest(".next-update");
      var word = box.querySelector("[data-due-word]");
      box.classList.toggle("is-overdue", late);
      if (word) word.textContent = late ? say("common.was_due", "was due") : say("common.due_by", "by");
    }
  }

  /* ---- Start ---------------------------------------------------------- */

  function init() {
    var buttons = document.querySelectorAll(".code-block > button.copy");
    for (var i = 0; i < buttons.length; i++) wireCopyButton(buttons[i]);

    enhanceTimes();
    // Relative times stay true while the page stays open (live.js also calls
    // this after it replaces content).
    window.setInterval(enhanceTimes, 30000);
    window.cairnTimes = enhanceTimes;
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

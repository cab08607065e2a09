(function () {
  "use strict";
  var tip = document.getElementById("tip");
  var current = null;
  function first(el) {
    var id = el.getAttribute("data-q");
    return document.getElementById("q-" + id) || el;
  }
  function show(el) {
    var head = first(el);
    var text = head.getAttribute("data-tip");
    if (!text) { return; }
    current = el;
    tip.textContent = text;
    tip.hidden = false;
    var r = el.getBoundingClientRect();
    var w = tip.offsetWidth, h = tip.offsetHeight;
    var x = Math.max(8, Math.min(r.left, window.innerWidth - w - 8));
    var y = r.bottom + 8;
    if (y + h > window.innerHeight - 8) { y = Math.max(8, r.top - h - 8); }
    tip.style.left = x + "px";
    tip.style.top = y + "px";
  }
  function hide() { tip.hidden = true; current = null; }
  function quoteOf(target) {
    return target && target.closest ? target.closest(".q") : null;
  }
  document.addEventListener("mouseover", function (e) {
    var q = quoteOf(e.target);
    if (q) { show(q); } else if (current && !current.contains(document.activeElement)) { hide(); }
  });
  document.addEventListener("focusin", function (e) {
    var q = quoteOf(e.target);
    if (q) { show(q); } else { hide(); }
  });
  document.addEventListener("click", function (e) {
    var q = quoteOf(e.target);
    if (q) { show(q); } else { hide(); }
  });
  document.addEventListener("keydown", function (e) { if (e.key === "Escape") { hide(); } });
  window.addEventListener("scroll", function () { if (current) { show(current); } }, {passive: true});
  var names = document.getElementById("show-names");
  if (names) {
    names.addEventListener("change", function () {
      document.body.classList.toggle("no-names", !names.checked);
    });
  }
})();

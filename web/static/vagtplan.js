/* Vagtplan: keep the grid's scroll position across the page loads of pusling,
   bring the chosen cell into view, close the panel with Escape. No network. */
(function () {
  "use strict";
  var scroller = document.querySelector(".grid-scroll");
  if (!scroller) { return; }
  var key = "pusleplan-scroll-" + scroller.getAttribute("data-roster");
  var saved = null;
  try { saved = JSON.parse(sessionStorage.getItem(key) || "null"); } catch (e) { saved = null; }
  if (saved) { scroller.scrollLeft = saved.left; scroller.scrollTop = saved.top; }
  var chosen = scroller.querySelector("td.chosen");
  if (chosen) {
    var box = scroller.getBoundingClientRect(), cell = chosen.getBoundingClientRect();
    var nameWidth = scroller.querySelector("th.who-col").getBoundingClientRect().width;
    if (cell.left < box.left + nameWidth || cell.right > box.right) {
      scroller.scrollLeft += cell.left - box.left - nameWidth - cell.width * 3;
    }
  }
  function remember() {
    try {
      sessionStorage.setItem(key, JSON.stringify({left: scroller.scrollLeft, top: scroller.scrollTop}));
    } catch (e) { /* private mode: nothing to keep */ }
  }
  scroller.addEventListener("click", remember);
  document.addEventListener("submit", function (event) {
    remember();
    var button = event.target.querySelector("button[type=submit]");
    if (button) { button.disabled = true; button.textContent = "Gemmer …"; }
  });
  document.addEventListener("keydown", function (event) {
    var close = document.querySelector("#handling .close");
    if (event.key === "Escape" && close) { window.location.href = close.href; }
  });
})();

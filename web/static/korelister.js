// Kørelister: while the route planner works (a few seconds), say so on the button.
document.querySelectorAll("form.kl-busy-form").forEach((form) => {
  form.addEventListener("submit", () => {
    const button = form.querySelector("button[data-busy]");
    if (!button) return;
    window.setTimeout(() => {  // after the browser has collected the form
      button.disabled = true;
      button.textContent = button.dataset.busy;
      button.setAttribute("aria-busy", "true");
    }, 0);
  });
});

// Point at a run list or a legend entry: its route stands out on the map.
const map = document.querySelector("svg.kl-map");
if (map) {
  const show = (route) => {
    map.classList.toggle("kl-focus", route !== null);
    map.querySelectorAll(".kl-r").forEach((el) => {
      el.classList.toggle("kl-on", el.dataset.route === route);
    });
  };
  document.querySelectorAll(".kl-run[data-route], .kl-legend [data-route]").forEach((el) => {
    el.addEventListener("mouseenter", () => show(el.dataset.route));
    el.addEventListener("focusin", () => show(el.dataset.route));
    el.addEventListener("mouseleave", () => show(null));
    el.addEventListener("focusout", () => show(null));
  });
}

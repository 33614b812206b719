// The phone menu: on narrow screens the main navigation folds behind a "Menu" button. Without
// script the links simply wrap under the site name (the .js class is only set here).
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  const button = document.querySelector(".menu-toggle");
  const header = document.querySelector(".site-header");
  if (!button || !header) return;
  button.addEventListener("click", function () {
    const open = header.classList.toggle("menu-open");
    button.setAttribute("aria-expanded", open ? "true" : "false");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && header.classList.contains("menu-open")) {
      header.classList.remove("menu-open");
      button.setAttribute("aria-expanded", "false");
      button.focus();
    }
  });
})();

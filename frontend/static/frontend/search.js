// Instant search: as the user types or changes a facet, fetch only the results (partial=1) and swap
// them in, keeping the address bar in step so every state has a shareable URL. Without JavaScript the
// form still works as a plain GET form.
(function () {
  "use strict";
  const form = document.querySelector("form[data-instant-search]");
  const address = form && (form.getAttribute("action") || window.location.pathname);
  const results = document.getElementById("results");
  if (!form || !results || !window.fetch) return;
  let timer = null;
  let latest = 0;

  function query() {
    const params = new URLSearchParams(new FormData(form));
    for (const [key, value] of [...params.entries()]) if (!value) params.delete(key);
    return params;
  }

  async function refresh() {
    const params = query();
    const ticket = ++latest;
    const shown = address + (params.toString() ? "?" + params : "");
    params.set("partial", "1");
    try {
      const response = await fetch(address + "?" + params, { headers: { Accept: "text/html" } });
      if (!response.ok || ticket !== latest) return; // a newer request wins
      results.innerHTML = await response.text();
      results.setAttribute("aria-busy", "false");
      window.history.replaceState(null, "", shown);
    } catch (error) {
      results.setAttribute("aria-busy", "false"); // offline: the submit button still works
    }
  }

  function schedule(delay) {
    clearTimeout(timer);
    results.setAttribute("aria-busy", "true");
    timer = setTimeout(refresh, delay);
  }

  form.addEventListener("input", (event) => schedule(event.target.type === "search" ? 250 : 0));
})();

// @ts-check
// Run first, as a plain (blocking) script in each page's <head>: puts the remembered theme
// and palette on <html> before the first paint, so a dark page never flashes white.
// js/theme.js does the rest (the toggle, following the system, redrawing the canvases).
(() => {
  const root = document.documentElement;
  let choice = "system";
  let safe = false;
  try {
    choice = localStorage.getItem("gradscope-theme") || "system";
    safe = localStorage.getItem("gradscope-palette") === "safe";
  } catch {
    // Storage refused (a private window): the system's setting, the usual palette.
  }
  const dark = choice === "dark" || (choice !== "light" && matchMedia("(prefers-color-scheme: dark)").matches);
  root.dataset.theme = dark ? "dark" : "light";
  root.dataset.palette = safe ? "safe" : "usual";
})();

// Before the page is drawn: the colour theme pinned in this browser (js/theme.js's menu stores
// it), so a chosen Light or Dark never flashes the system's theme first. A classic script in
// <head>: it runs before the first paint, which a module (deferred) cannot.
(() => {
  try {
    const choice = localStorage.getItem("objectry.theme");
    if (choice === "light" || choice === "dark") document.documentElement.dataset.theme = choice;
  } catch {
    // storage refused: follow the system
  }
})();

// A button marked data-print prints the page. It stays hidden where scripts do not run, and the
// page tells the user to print from the browser instead.
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("button[data-print]")) {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  }
});

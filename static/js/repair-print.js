// The repair decision's print button: a script file rather than an inline handler, so a strict CSP can stay on.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});

/* Record form: choosing another subject agency reloads the form (unsaved) so the people selects offer that
   agency's civil servants. Without JavaScript the "show this agency's people" button does the same. */
(function () {
  "use strict";
  var agency = document.getElementById("id_subject_agency");
  var reload = document.getElementById("reload-people");
  if (!agency || !reload || !reload.form) {
    return;
  }
  agency.addEventListener("change", function () {
    if (typeof reload.form.requestSubmit === "function") {
      reload.form.requestSubmit(reload);
    } else {
      reload.click();
    }
  });
})();

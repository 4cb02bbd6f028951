/* Record list: a box in the table's head ticks or clears every record on the page. Without JavaScript each record
   is ticked by hand; the bulk form works the same. */
(function () {
  "use strict";
  var all = document.getElementById("select-all");
  if (!all) {
    return;
  }
  var boxes = document.querySelectorAll("input.select-record");
  all.hidden = false;
  all.addEventListener("change", function () {
    boxes.forEach(function (box) {
      box.checked = all.checked;
    });
  });
})();

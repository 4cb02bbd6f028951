/* The integrity file: "Hide" takes the revealed ID number out of the page at once, without asking the server again
   (a reload would send the reveal again and log a second reveal). */
(function () {
  "use strict";
  var hide = document.getElementById("id-number-hide");
  var box = document.getElementById("id-number-revealed");
  if (!hide || !box) {
    return;
  }
  hide.hidden = false;
  hide.addEventListener("click", function () {
    var masked = document.getElementById("id-number");
    box.parentNode.removeChild(box);
    if (masked) {
      masked.setAttribute("tabindex", "-1");
      masked.focus();
    }
  });
})();

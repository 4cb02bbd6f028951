/* Agency pickers (records/agency_picker.py): as the user types a name fragment or a credit code, ask the server for
   matching agencies in the user's scope and offer them in a list (an ARIA combobox: arrow keys, Enter, Escape, or a
   click). Choosing one writes "name（code）" into the field, which the server reads back. Without JavaScript the field
   is a plain text box and the server resolves what was typed. */
(function () {
  "use strict";

  var DELAY = 200;
  var MIN_LENGTH = 1;

  function setUp(box) {
    var input = box.querySelector("input");
    var list = box.querySelector("ul[role=listbox]");
    var url = box.dataset.suggestUrl;
    if (!input || !list || !url) {
      return;
    }
    var timer = null;
    var active = -1;
    var options = [];
    var asked = 0;

    function close() {
      list.hidden = true;
      list.innerHTML = "";
      options = [];
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function mark(index) {
      options.forEach(function (option, i) {
        option.setAttribute("aria-selected", i === index ? "true" : "false");
        option.classList.toggle("is-active", i === index);
      });
      active = index;
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(option) {
      input.value = option.dataset.label;
      close();
      // Forms that react to the agency (the record form offers its people) listen for "change".
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function show(results) {
      close();
      results.forEach(function (agency, i) {
        var item = document.createElement("li");
        item.id = list.id + "-" + i;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.dataset.label = agency.label;
        item.dataset.agencyId = String(agency.id);
        var name = document.createElement("span");
        name.textContent = agency.name;
        var code = document.createElement("span");
        code.className = "code";
        code.textContent = agency.uscc;
        item.appendChild(name);
        item.appendChild(document.createTextNode(" "));
        item.appendChild(code);
        // mousedown, not click: it comes before the input loses focus.
        item.addEventListener("mousedown", function (event) {
          event.preventDefault();
          choose(item);
        });
        list.appendChild(item);
        options.push(item);
      });
      if (options.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
      }
    }

    function ask() {
      var text = input.value.trim();
      if (text.length < MIN_LENGTH) {
        close();
        return;
      }
      var ticket = ++asked;
      fetch(url + "&q=" + encodeURIComponent(text), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          return response.ok ? response.json() : { results: [] };
        })
        .then(function (data) {
          if (ticket === asked) {
            show(data.results || []);
          }
        })
        .catch(close);
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, DELAY);
    });
    input.addEventListener("keydown", function (event) {
      if (list.hidden) {
        return;
      }
      if (event.key === "ArrowDown") {
        event.preventDefault();
        mark(Math.min(active + 1, options.length - 1));
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        mark(Math.max(active - 1, 0));
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        choose(options[active]);
      } else if (event.key === "Escape") {
        close();
      }
    });
    input.addEventListener("blur", function () {
      window.setTimeout(close, 150);
    });
  }

  document.querySelectorAll(".agency-picker-box").forEach(setUp);
})();

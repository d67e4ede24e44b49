// Names in query forms: an ARIA 1.2 combobox on every IRI parameter (input[data-complete]).
//
// Typing asks this server's /complete for entities of the parameter's type and lists them with
// their type; picking one sends its IRI while the field keeps showing its label. Without this
// script the field is a plain text box and the server resolves whatever name was typed, so the
// script only adds suggestions, never a requirement. Requests go to the page's own origin only.
(function () {
  "use strict";

  var DELAY_MS = 150;
  var counter = 0;

  function setup(input) {
    var form = input.form;
    if (!form || !input.name) return;
    var id = input.id || "param-" + (++counter);
    input.id = id;

    // The visible field shows a label; the hidden one carries what is sent (IRI or typed name).
    var hidden = document.createElement("input");
    hidden.type = "hidden";
    hidden.name = input.name;
    hidden.value = input.value;
    input.removeAttribute("name");
    input.setAttribute("data-name", hidden.name);
    input.insertAdjacentElement("afterend", hidden);

    var list = document.createElement("ul");
    list.id = id + "-listbox";
    list.className = "combo-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Suggestions for " + hidden.name);
    list.hidden = true;
    hidden.insertAdjacentElement("afterend", list);

    var status = document.createElement("span");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    list.insertAdjacentElement("afterend", status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);

    var wrapper = input.parentElement;
    if (wrapper) wrapper.classList.add("combo");

    var results = [];
    var active = -1;
    var picked = null; // {iri, label} while the field shows a picked label
    var timer = null;
    var asked = 0;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var options = list.querySelectorAll("[role=option]");
      if (!options.length) return;
      active = (index + options.length) % options.length;
      for (var i = 0; i < options.length; i++) {
        options[i].setAttribute("aria-selected", i === active ? "true" : "false");
      }
      input.setAttribute("aria-activedescendant", options[active].id);
      options[active].scrollIntoView({block: "nearest"});
    }

    function render() {
      list.textContent = "";
      results.forEach(function (r, i) {
        var li = document.createElement("li");
        li.id = id + "-option-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.setAttribute("data-iri", r.iri);
        var label = document.createElement("span");
        label.className = "combo-label";
        label.textContent = r.label;
        li.appendChild(label);
        if (r.matched && r.matched !== r.label) {
          var matched = document.createElement("span");
          matched.className = "combo-matched";
          if (r.matchedLang) matched.lang = r.matchedLang;
          matched.textContent = r.matched;
          li.appendChild(matched);
        }
        if (r.typeLabel) {
          var type = document.createElement("span");
          type.className = "combo-type";
          type.textContent = r.typeLabel;
          li.appendChild(type);
        }
        // mousedown, not click: the field keeps focus, so blur does not close the list first.
        li.addEventListener("mousedown", function (event) {
          event.preventDefault();
          pick(i);
        });
        list.appendChild(li);
      });
      var open = results.length > 0;
      list.hidden = !open;
      input.setAttribute("aria-expanded", open ? "true" : "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
      status.textContent = open ? results.length + (results.length === 1 ? " suggestion" : " suggestions")
                                : "no suggestions";
    }

    function pick(index) {
      var r = results[index];
      if (!r) return;
      picked = {iri: r.iri, label: r.label};
      input.value = r.label;
      hidden.value = r.iri;
      close();
      status.textContent = r.label + " chosen";
    }

    function ask() {
      var text = input.value.trim();
      if (!text) {
        results = [];
        render();
        return;
      }
      var params = new URLSearchParams({q: text, lang: input.getAttribute("data-lang") || "en", limit: "10"});
      var type = input.getAttribute("data-type");
      if (type) params.set("type", type);
      var mine = ++asked;
      fetch(input.getAttribute("data-complete") + "?" + params.toString(), {headers: {Accept: "application/json"},
                                                                         credentials: "same-origin"})
        .then(function (response) { return response.ok ? response.json() : {results: []}; })
        .then(function (data) {
          if (mine !== asked) return; // a later keystroke has asked since
          results = (data && data.results) || [];
          render();
        })
        .catch(function () { results = []; render(); });
    }

    input.addEventListener("input", function () {
      picked = null;
      hidden.value = input.value; // a typed name still works: the server resolves it
      clearTimeout(timer);
      timer = setTimeout(ask, DELAY_MS);
    });

    input.addEventListener("keydown", function (event) {
      var open = !list.hidden;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (!open) {
          if (results.length) { render(); highlight(0); } else { ask(); }
        } else {
          highlight(active + 1);
        }
      } else if (event.key === "ArrowUp") {
        if (open) {
          event.preventDefault();
          highlight(active < 0 ? results.length - 1 : active - 1);
        }
      } else if (event.key === "Enter") {
        if (open && active >= 0) {
          event.preventDefault(); // pick, do not submit yet
          pick(active);
        }
      } else if (event.key === "Escape") {
        if (open) {
          event.preventDefault();
          close();
        }
      } else if (event.key === "Tab") {
        close();
      }
    });

    input.addEventListener("blur", function () { close(); });

    form.addEventListener("submit", function () {
      // The field was edited after a pick: send what it says, not the earlier pick.
      if (!picked || input.value !== picked.label) hidden.value = input.value;
    });
  }

  function init() {
    var inputs = document.querySelectorAll("input[data-complete]");
    for (var i = 0; i < inputs.length; i++) setup(inputs[i]);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

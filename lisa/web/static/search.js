// Live roster search: the plain form works without this file; with it, results appear as you type.
(function () {
  "use strict";
  var form = document.querySelector("form[data-search]");
  if (!form) { return; }
  var input = document.getElementById("q-input");
  var results = document.getElementById("results");
  var timer = null;
  var seq = 0;
  function chosen() {
    var out = {};
    form.querySelectorAll("input[name=pick]").forEach(function (box) { out[box.value] = box; });
    return out;
  }
  function keepTicked() {
    // names ticked among earlier results join the list above before new results replace them
    var list = document.getElementById("choices");
    var none = document.getElementById("none-yet");
    results.querySelectorAll("input[name=pick]:checked").forEach(function (box) {
      var li = box.closest("li");
      if (li && list) { list.appendChild(li); }
      if (none) { none.remove(); }
    });
  }
  function show(list, query) {
    keepTicked();
    var have = chosen();
    results.textContent = "";
    var fresh = list.filter(function (m) { return !have[m.pid]; });
    var p = document.createElement("p");
    p.textContent = fresh.length ? "Tick to add:" : "No one else on the list matches \u201c" + query + "\u201d.";
    results.appendChild(p);
    var ul = document.createElement("ul");
    ul.className = "choices";
    fresh.forEach(function (m) {
      var li = document.createElement("li");
      var label = document.createElement("label");
      var box = document.createElement("input");
      box.type = "checkbox"; box.name = "pick"; box.value = m.pid;
      var name = document.createElement("span");
      name.className = "name"; name.textContent = m.name || m.pid;
      label.appendChild(box); label.appendChild(document.createTextNode(" ")); label.appendChild(name);
      if (m.organisation) {
        var org = document.createElement("span");
        org.className = "org"; org.textContent = " " + m.organisation;
        label.appendChild(org);
      }
      li.appendChild(label); ul.appendChild(li);
    });
    results.appendChild(ul);
  }
  function search(delay) {
    clearTimeout(timer);
    var query = input.value.trim();
    if (query.length < 2) { return; }
    timer = setTimeout(function () {
      var mine = ++seq;
      fetch(form.dataset.search + "?q=" + encodeURIComponent(query), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (list) { if (mine === seq) { show(list, query); } })
        .catch(function () { /* the Search button still works */ });
    }, delay);
  }
  input.addEventListener("input", function () { search(200); });
  // on a slow phone the person may type before this deferred file arrives: search what is there
  // (the server already showed the results for the value it rendered itself)
  if (input.value !== input.defaultValue) { search(0); }
})();

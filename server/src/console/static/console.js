// The console's one script, served from the binary. Pages work without it; it adds:
// - as-you-type search: <input data-search="URL" data-target="ID"> asks URL?q=… (the server
//   renders the results) a quarter second after the last key, and puts them in #ID;
// - refreshing parts: <section data-refresh="SECONDS" data-src="URL"> is drawn again from URL
//   every so often (the board's countdowns), unless focus is inside it;
// - confirmation: <form data-confirm="question"> asks before it posts.
(function () {
  "use strict";
  function fetchInto(url, target) {
    return fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "console" } })
      .then(function (r) { if (r.redirected || !r.ok) { throw new Error(String(r.status)); } return r.text(); })
      .then(function (html) { target.innerHTML = html; })
      .catch(function () { /* the page still works: the next refresh or a reload tries again */ });
  }
  document.querySelectorAll("input[data-search]").forEach(function (input) {
    var target = document.getElementById(input.getAttribute("data-target"));
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var url = new URL(input.getAttribute("data-search"), location.href);
        url.searchParams.set("q", input.value);
        fetchInto(url.toString(), target);
      }, 250);
    });
  });
  document.querySelectorAll("[data-refresh][data-src]").forEach(function (part) {
    var every = Math.max(5, Number(part.getAttribute("data-refresh")) || 30) * 1000;
    setInterval(function () {
      if (part.contains(document.activeElement)) { return; }
      fetchInto(part.getAttribute("data-src"), part);
    }, every);
  });
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { e.preventDefault(); }
    });
  });
})();

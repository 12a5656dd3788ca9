/* Service pages: what "Envoyer à la personne" needs a script for.
 *
 * The SMS and e-mail links and the printable note work without it (links made at build
 * time; the note is a section CSS shows when its anchor is the target). This file only
 * adds the copy button (hidden until this runs), the note's print button and the note's
 * date. Its words come from the page's attributes (the catalogue, at build time): the
 * file holds none, and the pages' Content-Security-Policy allows it as a file of the site.
 */
(function () {
  "use strict";

  function copyText(text) {
    if (navigator.clipboard && navigator.clipboard.writeText) return navigator.clipboard.writeText(text);
    var area = document.createElement("textarea");
    area.value = text;
    document.body.appendChild(area);
    area.select();
    document.execCommand("copy");
    document.body.removeChild(area);
    return Promise.resolve();
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-maillage-copy]"), function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        copyText(button.getAttribute("data-maillage-copy")).then(function () {
          button.textContent = button.getAttribute("data-maillage-copied");
        }, function () {});
      });
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-maillage-print]"), function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
    var line = document.querySelector("[data-maillage-note-date]");
    if (line) {
      var lang = document.documentElement.lang || "fr";
      var date = new Date().toLocaleDateString(lang, { day: "numeric", month: "long", year: "numeric" });
      if (/^fr/.test(lang)) date = date.replace(/^1 /, "1er ");  /* "1er juillet" */
      line.textContent = line.getAttribute("data-maillage-note-date").split("{date}").join(date);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

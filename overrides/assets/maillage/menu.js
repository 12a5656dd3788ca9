/* Maillage: the navigation drawer by keyboard (issue 25; RGAA 7.3, 10.7, 12.8).
 *
 * Material opens its drawer with a label bound to a hidden checkbox (#__drawer), which
 * focus skips. The header's <button data-maillage-menu> (overrides/partials/header.html)
 * toggles that checkbox instead (so Material's own scripts and styles follow), says whether
 * the drawer is open (aria-expanded), moves focus into it, and takes it back on Escape or
 * when the drawer closes; focus leaving the open drawer closes it. While it is closed, site.css hides it (visibility): its links
 * leave the Tab order. At the drawer's widths, the labels that open a section's sub-panel
 * (and its "back" title) hold a button: Enter and Space toggle them. The button is a span
 * inside the label (a <label> may take no role in ARIA in HTML), so that a click on it is
 * still a click on the label, which Material's styles and checkboxes follow.
 */
(function () {
  "use strict";
  var drawer = document.getElementById("__drawer");
  var button = document.querySelector("[data-maillage-menu]");
  var sidebar = document.querySelector(".md-sidebar--primary");
  if (!drawer || !button || !sidebar) return;
  var narrow = window.matchMedia("(max-width: 76.234375em)");

  function visible(el) {
    return el.getClientRects().length > 0 && window.getComputedStyle(el).visibility === "visible";
  }

  function focusables(root) {
    var all = root.querySelectorAll("a[href], button, input:not([type=checkbox]), [tabindex='0']");
    return Array.prototype.filter.call(all, visible);
  }

  function sync() {
    button.setAttribute("aria-expanded", drawer.checked ? "true" : "false");
  }

  function toggle(label) {
    var box = document.getElementById(label.getAttribute("for"));
    if (!box) return;
    box.click();
  }

  // The section toggles of the drawer's navigation, as buttons while the drawer is a drawer.
  var toggles = Array.prototype.slice.call(
    sidebar.querySelectorAll("label.md-nav__link[for], label.md-nav__title[for]")
  ).filter(function (label) { return label.getAttribute("for") !== "__drawer"; });

  // The label's content, wrapped once in the span that is its button at narrow widths.
  function inner(label) {
    var span = label.querySelector(":scope > .maillage-toggle");
    if (!span) {
      span = document.createElement("span");
      span.className = "maillage-toggle";
      while (label.firstChild) span.appendChild(label.firstChild);
      label.appendChild(span);
    }
    return span;
  }

  function setToggles() {
    toggles.forEach(function (label) {
      var box = document.getElementById(label.getAttribute("for"));
      var span = inner(label);
      if (!label.hasAttribute("data-maillage-tabindex")) {
        label.setAttribute("data-maillage-tabindex", label.getAttribute("tabindex") || "");
      }
      if (narrow.matches) {
        label.removeAttribute("tabindex");
        span.setAttribute("tabindex", "0");
        span.setAttribute("role", "button");
        if (box && label.classList.contains("md-nav__link")) {
          span.setAttribute("aria-expanded", box.checked ? "true" : "false");
        }
      } else {
        var was = label.getAttribute("data-maillage-tabindex");
        if (was) label.setAttribute("tabindex", was); else label.removeAttribute("tabindex");
        span.removeAttribute("tabindex");
        span.removeAttribute("role");
        span.removeAttribute("aria-expanded");
      }
    });
  }

  toggles.forEach(function (label) {
    label.addEventListener("keydown", function (event) {
      if (!narrow.matches || (event.key !== "Enter" && event.key !== " ")) return;
      // Material clicks a focused label on Enter itself: this handler is the only one.
      event.preventDefault();
      event.stopPropagation();
      var id = label.getAttribute("for");
      var box = document.getElementById(id);
      toggle(label);
      if (!box) return;
      setToggles();
      // Into the opened panel (its "back" title), or back to the entry that opened it.
      window.setTimeout(function () {
        var target = box.checked
          ? sidebar.querySelector("label.md-nav__title[for='" + id + "']")
          : sidebar.querySelector("label.md-nav__link[for='" + id + "']");
        if (target && visible(target)) inner(target).focus({ preventScroll: true });
      }, 0);
    });
  });

  button.addEventListener("click", function () {
    drawer.click();
  });

  drawer.addEventListener("change", function () {
    sync();
    if (drawer.checked) {
      var first = focusables(sidebar)[0];
      if (first) first.focus();
    } else if (sidebar.contains(document.activeElement)) {
      button.focus();
    }
  });

  // Focus leaving the open drawer (Tab after its last entry) closes it: nothing is
  // focused under its overlay.
  document.addEventListener("focusin", function (event) {
    if (drawer.checked && narrow.matches && !sidebar.contains(event.target) && event.target !== button) {
      drawer.click();
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && drawer.checked) {
      drawer.click();
      button.focus();
    }
  });

  if (narrow.addEventListener) narrow.addEventListener("change", setToggles);
  setToggles();
  sync();
})();

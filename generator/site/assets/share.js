/* Sharing a service with the person: copy, SMS and e-mail carry one short text.
 *
 * The one implementation of "Envoyer à la personne", used by the service pages, the
 * orientation results (orient.js) and « Ma sélection » (selection.js). A service is given
 * as `info`: {name, phone, email, web, address, area, how}, facts left out when unknown
 * (generator/site/pages.py's share_info writes it for the service pages and the
 * selection's data; orient.js makes it from its results). Words come from the catalogue's
 * js. keys, as a {key: text} object: the page's own (a data-maillage-words attribute),
 * else the site's words file of the page's language (generator/site/words.py).
 *
 * The service pages hold, made at build time, the same text in sms: and mailto: links for
 * a browser without scripts (pages.person_lines, kept equal by tests/browser/test_share.py);
 * here they are rebuilt by this module, with the copy button.
 */
(function (root) {
  "use strict";
  if (root.MaillageShare) return;  // loaded twice

  function say(words, key, values) {
    var text = words[key] || "";
    Object.keys(values || {}).forEach(function (name) {
      text = text.split("{" + name + "}").join(String(values[name]));
    });
    return text;
  }

  function line(words, key, value) {
    return say(words, "js.orient.line", { label: say(words, key), value: value });
  }

  /* The text's lines: the name, the phone (or e-mail, or web address when neither), the
   * street address (or the area), how to ask. */
  function lines(info, words) {
    var out = [info.name];
    if (info.phone) out.push(line(words, "js.orient.phone", info.phone));
    if (info.email) out.push(line(words, "js.orient.email", info.email));
    if (!info.phone && !info.email && info.web) out.push(line(words, "js.orient.web", info.web));
    if (info.address) out.push(line(words, "js.share.address", info.address));
    else if (info.area) out.push(line(words, "js.orient.area", info.area));
    if (info.how) out.push(line(words, "js.orient.how", info.how));
    return out;
  }

  function text(info, words) {
    return lines(info, words).join("\n");
  }

  function smsHref(body) {
    return "sms:?body=" + encodeURIComponent(body);
  }

  function mailHref(subject, body) {
    return "mailto:?subject=" + encodeURIComponent(subject) + "&body=" + encodeURIComponent(body);
  }

  function copy(body) {
    if (navigator.clipboard && navigator.clipboard.writeText) return navigator.clipboard.writeText(body);
    var area = document.createElement("textarea");
    area.value = body;
    document.body.appendChild(area);
    area.select();
    document.execCommand("copy");
    document.body.removeChild(area);
    return Promise.resolve();
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  /* The controls, in order: the words "Envoyer à la personne :", the copy button, the SMS
   * and e-mail links (nodes to put in a paragraph; `extra` nodes follow). */
  function controls(info, words, extra) {
    var body = text(info, words);
    var button = el("button", { type: "button", "data-action": "copy-text" }, [say(words, "js.orient.copy_text")]);
    button.addEventListener("click", function () {
      copy(body).then(function () { button.textContent = say(words, "js.orient.copied"); }, function () {});
    });
    var sms = el("a", { href: smsHref(body), "data-action": "sms" }, [say(words, "js.orient.sms")]);
    var mail = el("a", { href: mailHref(info.name, body), "data-action": "mail" }, [say(words, "js.orient.mail")]);
    return [say(words, "js.orient.send") + " ", button, " ", sms, " · ", mail].concat(extra || []);
  }

  /* A paragraph of class `css` with the controls. */
  function block(info, words, css, extra) {
    return el("p", { "class": css }, controls(info, words, extra));
  }

  var loading = null;

  function siteBase() {
    var config = document.getElementById("__config");
    var base = ".";
    if (config) {
      try { base = JSON.parse(config.textContent).base || "."; } catch (e) { /* keep "." */ }
    }
    return new URL(base.replace(/\/?$/, "/"), location.href);
  }

  /* The js. words of the page's language: the page's own, else the site's words file
   * (an empty object when neither can be had: a page opened from disk). */
  function words() {
    if (!loading) {
      var own = document.querySelector("[data-maillage-words]");
      if (own) {
        try { loading = Promise.resolve(JSON.parse(own.getAttribute("data-maillage-words"))); } catch (e) { loading = null; }
      }
      if (!loading) {
        var lang = (document.documentElement.lang || "fr").slice(0, 2).toLowerCase();
        loading = fetch(new URL("assets/maillage/words/" + lang + ".json", siteBase()).href).then(function (response) {
          return response.ok ? response.json() : {};
        }).catch(function () { return {}; });
      }
    }
    return loading;
  }

  /* The service page's block, rebuilt from its facts; its note link stays. Without the
   * words (a page opened from disk), the block made at build time stays as it is. */
  function enhance() {
    var blocks = document.querySelectorAll("[data-maillage-share]");
    if (!blocks.length) return;
    words().then(function (found) {
      if (!found["js.orient.line"]) return;
      Array.prototype.forEach.call(blocks, function (node) {
        var info;
        try { info = JSON.parse(node.getAttribute("data-maillage-share")); } catch (e) { return; }
        var note = node.querySelector("[data-action=note]");
        node.textContent = "";
        controls(info, found, note ? [" · ", note] : []).forEach(function (child) {
          node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
        });
      });
    });
  }

  root.MaillageShare = { lines: lines, text: text, smsHref: smsHref, mailHref: mailHref, copy: copy,
    controls: controls, block: block, words: words, siteBase: siteBase };

  if (typeof document !== "undefined") {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", enhance);
    else enhance();
  }
})(this);

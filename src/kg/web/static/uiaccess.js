// What YASGUI's markup lacks for WCAG 2 A/AA (checked by axe-core in tests/web): names for its
// query editor's textarea and its endpoint field, a focusable scrolling editor, and a tab list holding only tabs (its "+"
// button becomes a tab that opens a new one). Applied to every tab as YASGUI draws it.
"use strict";

(function () {
  const root = document.getElementById("yasgui");
  if (!root) return;

  function mend() {
    for (const area of root.querySelectorAll(".CodeMirror textarea:not([aria-label])")) {
      area.setAttribute("aria-label", "SPARQL query");
    }
    for (const field of root.querySelectorAll("input.autocomplete:not([aria-label])")) {
      field.setAttribute("aria-label", "SPARQL endpoint");
    }
    for (const add of root.querySelectorAll("[role=tablist] button.addTab:not([role])")) {
      add.setAttribute("role", "tab");
      add.setAttribute("aria-selected", "false");
    }
    // A long query scrolls the editor: a keyboard must reach the scrolling region too.
    for (const region of root.querySelectorAll(".CodeMirror-scroll:not([tabindex=\"0\"])")) {
      region.setAttribute("tabindex", "0");
    }
    for (const button of root.querySelectorAll(".yasr_btn.disabled:not([aria-disabled])")) {
      button.setAttribute("aria-disabled", "true");
    }
  }

  new MutationObserver(mend).observe(root, { childList: true, subtree: true });
  mend();
})();

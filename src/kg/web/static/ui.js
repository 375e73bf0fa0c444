// The query page: YASGUI on our SPARQL endpoint, with our example queries and prefixes.
//
// Everything stays on this server: prefix completion uses the prefixes the page carries (not
// prefix.cc), class and property completion ask our own endpoint (not Linked Open
// Vocabularies), and the endpoint catalogue lists only our endpoint.
"use strict";

(function () {
  const config = JSON.parse(document.getElementById("kg-config").textContent);
  // Resolved against the page, so the endpoint is on whatever host and port served it.
  const endpoint = new URL(config.endpoint, window.location.href).href;
  const Yasqe = window.Yasgui.Yasqe;

  // Terms for completion, straight from the graph: classes and properties, declared or used.
  const TERM_QUERIES = {
    class: `SELECT DISTINCT ?term WHERE {
  { ?term a <http://www.w3.org/2002/07/owl#Class> }
  UNION { ?term a <http://www.w3.org/2000/01/rdf-schema#Class> }
  UNION { [] a ?term }
  FILTER(isIRI(?term))
}`,
    property: `SELECT DISTINCT ?term WHERE {
  { ?term a <http://www.w3.org/1999/02/22-rdf-syntax-ns#Property> }
  UNION { ?term a <http://www.w3.org/2002/07/owl#ObjectProperty> }
  UNION { ?term a <http://www.w3.org/2002/07/owl#DatatypeProperty> }
  UNION { ?term a <http://www.w3.org/2002/07/owl#AnnotationProperty> }
  UNION { [] ?term [] }
  FILTER(isIRI(?term))
}`,
  };

  // One request per kind for the page, shared by every tab's editor.
  const terms = {};
  function termsOf(kind) {
    terms[kind] ??= selectTerms(TERM_QUERIES[kind]).catch(() => []);
    return terms[kind];
  }

  async function selectTerms(query) {
    const response = await fetch(endpoint, {
      method: "POST",
      headers: { Accept: "application/sparql-results+json" },
      body: new URLSearchParams({ query }),
    });
    if (!response.ok) throw new Error(`term completion: ${response.status}`);
    const results = await response.json();
    return results.results.bindings.map((row) => row.term.value).sort();
  }

  function registerCompleters() {
    const prefixes = Object.entries(config.prefixes).map(([p, iri]) => `${p}: <${iri}>`);
    // An array `get` is stored as it is: no fetch, and no stale copy from localStorage.
    Yasqe.forkAutocompleter("prefixes", { name: "kg-prefixes", get: prefixes.sort() }, false);
    for (const kind of ["class", "property"]) {
      Yasqe.forkAutocompleter(
        kind,
        {
          name: `kg-${kind}`,
          bulk: true,
          persistenceId: null,
          get: () => termsOf(kind),
        },
        false,
      );
    }
    const enabled = ["variables", "kg-prefixes", "kg-class", "kg-property"];
    // In place: Yasgui.defaults.yasqe is this object, and a config merge would mix arrays.
    Yasqe.defaults.autocompleters.splice(0, Infinity, ...enabled);
  }

  // Results show IRIs with our prefixes (the query's own come first). Not `id:`: our instance
  // IRIs have a slash after it (id:organisation/...), which is no prefixed name in SPARQL.
  function displayPrefixes() {
    const { id, ...prefixes } = config.prefixes;
    return prefixes;
  }

  function createYasgui() {
    return new window.Yasgui(document.getElementById("yasgui"), {
      persistenceId: "partage-kg",
      tabName: "Query",
      copyEndpointOnNewTab: false,
      requestConfig: { endpoint, method: "POST" },
      endpointCatalogueOptions: { getData: () => [{ endpoint }] },
      yasqe: { value: config.defaultQuery },
      yasr: { prefixes: displayPrefixes() },
    });
  }

  function openExample(yasgui, example) {
    yasgui.addTab(
      true,
      { name: example.title, yasqe: { value: example.query }, requestConfig: { endpoint } },
      { avoidDuplicateTabs: true },
    );
  }

  function listExamples(yasgui) {
    const list = document.getElementById("kg-example-list");
    for (const example of config.examples) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "kg-example";
      button.dataset.slug = example.slug;
      button.title = example.description;
      const title = document.createElement("span");
      title.className = "kg-example-title";
      title.textContent = example.title;
      button.appendChild(title);
      if (example.titleFr) {
        const titleFr = document.createElement("span");
        titleFr.className = "kg-example-title-fr";
        titleFr.lang = "fr";
        titleFr.textContent = example.titleFr;
        button.appendChild(titleFr);
      }
      button.addEventListener("click", () => openExample(yasgui, example));
      const item = document.createElement("li");
      item.appendChild(button);
      list.appendChild(item);
    }
  }

  registerCompleters();
  const yasgui = createYasgui();
  listExamples(yasgui);
  document.getElementById("kg-endpoint").href = endpoint;
  window.kgYasgui = yasgui;
})();

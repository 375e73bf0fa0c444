// Charts of the query page (kg.web.ui): a bar chart and a graph view of a SELECT answer, beside
// YASR's table, chosen by a comment in the query as the Wikidata Query Service does:
// `#defaultView:BarChart` or `#defaultView:Graph`.
//
// Bar chart: one bar per row, labelled by the row's first non-numeric value and as long as its
// first numeric one; drawn as SVG (attributes, no inline style, so the page's policy holds) with
// the same numbers in a table. Graph: the first two IRI columns are the source and target of
// each link, a third column (if any) its label; drawn by Cytoscape.js (see graph.js).
"use strict";

(function () {
  const Yasr = window.Yasgui.Yasr;
  const SVG = "http://www.w3.org/2000/svg";
  const VIEWS = { barchart: "kgBarChart", graph: "kgGraph" };
  // The words of the views, in the reader's language: the first of English and French in the
  // browser's preferences (the list its Accept-Language header sends), as the pages choose.
  const WORDS = {
    en: { bar: "Bar chart", graph: "Graph", by: "by", row: "row" },
    fr: { bar: "Diagramme en barres", graph: "Graphe", by: "par", row: "ligne" },
  };
  const LANGUAGE =
    (navigator.languages || [navigator.language || "en"])
      .map((tag) => tag.slice(0, 2).toLowerCase())
      .find((tag) => tag in WORDS) || "en";
  const SAY = WORDS[LANGUAGE];
  const NUMERIC = /#(integer|decimal|double|float|long|int|short|nonNegativeInteger|positiveInteger)$/;

  function element(name, attributes, text) {
    const node = document.createElementNS(SVG, name);
    for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function shown(term) {
    return term ? term.value : "";
  }

  // A term as a bar's label: a literal as it is, an IRI by its last segment.
  function named(term) {
    if (!term) return "";
    return term.type === "uri" ? term.value.replace(/^.*[/#]/, "") : term.value;
  }

  function columns(results) {
    const variables = results.getVariables();
    const rows = results.getBindings();
    const isNumber = (v) => rows.length > 0 && rows.every((r) => r[v] && NUMERIC.test(r[v].datatype || ""));
    const value = variables.find(isNumber);
    const others = variables.filter((v) => v !== value && !isNumber(v));
    // A column of names (literals) labels the bars better than one of IRIs.
    const isText = (v) => rows.every((r) => r[v] && r[v].type !== "uri");
    const label = others.find(isText) || others[0];
    return { rows, value, label };
  }

  class BarChart {
    constructor(yasr) {
      this.yasr = yasr;
      this.priority = 0;
      this.label = SAY.bar;
      this.hideFromSelection = false;
    }
    canHandleResults() {
      const results = this.yasr.results;
      if (!results || !results.getVariables || results.getVariables().length === 0) return false;
      return columns(results).value !== undefined;
    }
    getIcon() {
      const icon = document.createElement("div");
      icon.textContent = "▥";
      return icon;
    }
    draw() {
      const { rows, value, label } = columns(this.yasr.results);
      const top = Math.max(...rows.map((r) => Number(r[value].value)), 0) || 1;
      const figure = document.createElement("figure");
      figure.className = "kg-barchart";
      const caption = document.createElement("figcaption");
      caption.id = "kg-barchart-caption";
      caption.textContent = `${value} ${SAY.by} ${label || SAY.row}`;
      figure.appendChild(caption);
      const height = rows.length * 26 + 4;
      const svg = element("svg", { viewBox: `0 0 720 ${height}`, width: 720, height, role: "img", "aria-labelledby": caption.id });
      rows.forEach((row, index) => {
        const number = Number(row[value].value);
        const length = Math.round((number / top) * 380 * 10) / 10;
        const group = element("g", { class: "bar", "data-label": shown(row[label]), "data-value": row[value].value });
        group.appendChild(element("text", { x: 0, y: index * 26 + 17 }, named(row[label]).slice(0, 40)));
        group.appendChild(element("rect", { x: 280, y: index * 26 + 4, width: length, height: 18 }));
        group.appendChild(element("text", { x: 286 + length, y: index * 26 + 17, class: "value" }, row[value].value));
        svg.appendChild(group);
      });
      figure.appendChild(svg);
      this.yasr.resultsEl.appendChild(figure);
    }
  }

  class GraphView {
    constructor(yasr) {
      this.yasr = yasr;
      this.priority = 0;
      this.label = SAY.graph;
      this.hideFromSelection = false;
    }
    canHandleResults() {
      const results = this.yasr.results;
      if (!results || !results.getVariables || !window.cytoscape) return false;
      const rows = results.getBindings();
      const iris = results.getVariables().filter((v) => rows.length > 0 && rows.every((r) => !r[v] || r[v].type === "uri"));
      return iris.length >= 2;
    }
    getIcon() {
      const icon = document.createElement("div");
      icon.textContent = "⋰";
      return icon;
    }
    draw() {
      const results = this.yasr.results;
      const rows = results.getBindings();
      const variables = results.getVariables();
      const [source, target] = variables.filter((v) => rows.every((r) => !r[v] || r[v].type === "uri"));
      const label = variables.find((v) => v !== source && v !== target);
      const nodes = new Map();
      const edges = [];
      for (const row of rows) {
        if (!row[source] || !row[target]) continue;
        for (const end of [row[source].value, row[target].value]) {
          if (!nodes.has(end)) nodes.set(end, { data: { id: end, label: end.replace(/^.*[/#]/, "") } });
        }
        edges.push({ data: { id: `e${edges.length}`, source: row[source].value, target: row[target].value, label: shown(row[label]) } });
      }
      const holder = document.createElement("div");
      holder.className = "kg-graph";
      holder.setAttribute("role", "img");
      holder.setAttribute("aria-label", `graph of ${source} to ${target}: ${nodes.size} nodes, ${edges.length} links`);
      this.yasr.resultsEl.appendChild(holder);
      const cy = window.cytoscape({
        container: holder,
        elements: [...nodes.values(), ...edges],
        style: [
          { selector: "node", style: { "background-color": "#22344a", label: "data(label)", "font-size": 10, width: 14, height: 14 } },
          { selector: "edge", style: { width: 1, "line-color": "#999", "target-arrow-shape": "triangle", "target-arrow-color": "#999", "curve-style": "bezier", label: "data(label)", "font-size": 8 } },
        ],
        layout: { name: "cose", animate: false },
      });
      cy.on("tap", "node", (event) => window.open(event.target.id(), "_blank", "noopener"));
      holder.dataset.drawn = String(cy.nodes().length);
    }
  }

  Yasr.registerPlugin("kgBarChart", BarChart);
  Yasr.registerPlugin("kgGraph", GraphView);

  // The view a query asks for, from its `#defaultView:Name` comment.
  function requestedView(query) {
    const match = /^\s*#\s*defaultView\s*:\s*(\w+)/im.exec(query || "");
    return match ? VIEWS[match[1].toLowerCase()] : undefined;
  }

  document.addEventListener("DOMContentLoaded", () => {
    const yasgui = window.kgYasgui;
    if (!yasgui) return;
    yasgui.on("queryResponse", (_yasgui, tab) => {
      const view = requestedView(tab.getQuery());
      if (view) tab.getYasr().selectPlugin(view);
    });
  });
})();

// Node-link diagrams of the linked-data pages (kg.web.views.graphs), drawn by Cytoscape.js.
//
// Each element with data-graph names the JSON block it draws. The same links are listed on
// the page, so the drawing adds a picture and nothing that only it shows. A node opens its page
// when clicked; the number of nodes drawn is written back (data-drawn) for the tests.
"use strict";

(function () {
  const PALETTE_TEXT = "#1d1d1f";

  function draw(holder) {
    const data = JSON.parse(document.getElementById(holder.dataset.graph).textContent);
    const elements = [
      ...data.nodes.map((node) => ({ data: node })),
      ...data.edges.map((edge, index) => ({ data: { id: `e${index}`, ...edge } })),
    ];
    const cy = window.cytoscape({
      container: holder,
      elements,
      style: [
        {
          selector: "node",
          style: {
            "background-color": "data(colour)",
            label: "data(label)",
            color: PALETTE_TEXT,
            "font-size": 10,
            "text-wrap": "ellipsis",
            "text-max-width": 120,
            "text-valign": "bottom",
            "text-margin-y": 3,
            width: 16,
            height: 16,
          },
        },
        {
          selector: "node[centre = 'yes']",
          style: { width: 26, height: 26, "border-width": 3, "border-color": PALETTE_TEXT },
        },
        {
          selector: "edge",
          style: {
            width: 1,
            "line-color": "#999",
            "target-arrow-color": "#999",
            "target-arrow-shape": "triangle",
            "curve-style": "bezier",
            // Past 30 nodes the property names would hide the nodes: the list below has them.
            label: data.nodes.length > 30 ? "" : "data(label)",
            "font-size": 8,
            color: "#444",
            "text-rotation": "autorotate",
          },
        },
      ],
      layout: { name: "cose", animate: false, randomize: false, nodeRepulsion: 8000 },
    });
    cy.on("tap", "node", (event) => {
      const href = event.target.data("href");
      if (href) window.location.href = href;
    });
    holder.dataset.drawn = String(cy.nodes().length);
  }

  for (const holder of document.querySelectorAll("[data-graph]")) {
    if (window.cytoscape) draw(holder);
  }
})();

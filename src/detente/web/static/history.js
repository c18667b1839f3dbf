// detente: the "History" panel. Fetches /api/history for one quantity and draws the server's
// plotly figure (the same builder as `detente data history --html`). No build step.
"use strict";

(function () {
  const PLOT_CONFIG = { displaylogo: false, responsive: true, showLink: false, showSendToCloud: false };
  const $ = (sel) => document.querySelector(sel);

  // plotly loads asynchronously (the page's first number does not wait for it): wait here
  function plotly() {
    if (window.Plotly) return Promise.resolve(window.Plotly);
    const script = document.getElementById("plotly-js");
    return new Promise((resolve) => {
      script.addEventListener("load", () => resolve(window.Plotly), { once: true });
    });
  }

  function show(id, text) {
    const node = $(id);
    node.hidden = !text;
    node.textContent = text || "";
  }

  function summary(data) {
    const rows = data.rows;
    if (!rows.length) return "No values for this selection.";
    const years = rows.map((r) => r.year);
    const states = Object.values(data.states).join(", ");
    const producers = [...new Set(rows.map((r) => `${r.producer} ${r.edition}`))].sort().join(", ");
    const q = Object.values(data.quantities)[0];
    return `${rows.length.toLocaleString("en-US")} values of the ${q.label} [${q.unit}], ` +
      `${Math.min(...years)}-${Math.max(...years)}, for ${states}; editions: ${producers}.`;
  }

  function sources(data) {
    const box = $("#history-sources");
    box.replaceChildren();
    const list = document.createElement("ul");
    list.className = "small";
    for (const [id, text] of Object.entries(data.sources)) {
      const item = document.createElement("li");
      const link = Object.assign(document.createElement("a"), {
        href: `/sources#src-${encodeURIComponent(id)}`, target: "_blank", rel: "noopener noreferrer",
        className: "src", textContent: `[${id}]`,
      });
      item.append(link, ` ${text}`);
      list.append(item);
    }
    box.append(Object.assign(document.createElement("h4"), { textContent: "Sources" }), list);
  }

  async function load(event) {
    if (event) event.preventDefault();
    const f = $("#history-form");
    const query = new URLSearchParams({
      quantity: f.elements.quantity.value, editions: f.elements.editions.value,
    });
    if (f.elements.producer.value) query.append("producer", f.elements.producer.value);
    show("#history-error", "");
    try {
      const response = await fetch(`/api/history?${query}`);
      const data = await response.json();
      if (!response.ok) throw new Error(data.detail || `HTTP ${response.status}`);
      show("#history-summary", summary(data));
      const plot = $("#history-plot");
      plot.hidden = false;
      await (await plotly()).react(plot, data.figure.data, data.figure.layout, PLOT_CONFIG);
      plot.dataset.drawn = String(data.figure.data.length);
      sources(data);
    } catch (err) {
      show("#history-error", `could not load the history: ${err.message}`);
    }
  }

  function start() {
    const panel = $("#history-panel");
    $("#history-form").addEventListener("submit", load);
    panel.addEventListener("toggle", () => {
      if (panel.open && !$("#history-plot").dataset.drawn) load();
    });
  }

  document.addEventListener("DOMContentLoaded", start);
})();

// detente: the "Verification and risk" and "Zone of possible agreement" panels. Plain
// JavaScript, no build step; every request goes to this server's /api.
"use strict";

(function () {
  const MAX_POINTS = 5000;
  const $ = (sel, root) => (root || document).querySelector(sel);

  async function post(path, body) {
    const response = await fetch(path, {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body),
    });
    const data = await response.json().catch(() => ({ detail: response.statusText }));
    if (!response.ok) throw new Error(data.detail || `HTTP ${response.status}`);
    return data;
  }

  function showError(id, message) {
    const el = $(id);
    el.hidden = !message;
    el.textContent = message || "";
  }

  function num(form, name) { return Number(form.elements[name].value); }

  const pct = (p) => (typeof p === "number" ? `${(100 * p).toFixed(1)} %` : "–");
  const int = (x) => (typeof x === "number" ? Math.round(x).toLocaleString("en-US") : "–");
  const fix = (x, d) => (typeof x === "number" ? x.toFixed(d) : "–");

  function el(tag, props, ...children) {
    const node = Object.assign(document.createElement(tag), props || {});
    node.append(...children);
    return node;
  }

  function sourceLinks(ids) {
    return (ids || []).map((id) => el("a", {
      href: `/sources#src-${encodeURIComponent(id)}`, className: "src", textContent: `[${id}]`,
    }));
  }

  function badge(sourced) {
    return el("span", { className: `badge ${sourced ? "sourced" : "illustrative"}`,
      textContent: sourced ? "sourced" : "illustrative" });
  }

  function table(id, headers, rows) {
    const head = el("tr", {}, ...headers.map((h) => el("th", { textContent: h, scope: "col" })));
    const body = rows.map((cells) => el("tr", {}, ...cells.map((c) => {
      const td = el("td");
      if (c instanceof Node || Array.isArray(c)) td.append(...[].concat(c));
      else td.textContent = c;
      return td;
    })));
    return el("table", { id }, el("thead", {}, head), el("tbody", {}, ...body));
  }

  // --- verification ---------------------------------------------------------------------------

  async function verify(event) {
    event.preventDefault();
    const f = event.target;
    const common = { missiles: num(f, "missiles"), years: num(f, "years"), recognition: num(f, "recognition") };
    const k = num(f, "overloaded");
    const n = num(f, "inspections");
    showError("#verify-error", null);
    document.body.dataset.verifyBusy = "1";
    try {
      const [detect, bound, plan, regimes] = await Promise.all([
        post("/api/verify/detect", { ...common, overloaded: k, inspections: n }),
        post("/api/verify/bound", { ...common, clean_inspections: n, confidence: num(f, "confidence") }),
        post("/api/verify/plan", { ...common, overloaded: k, target: num(f, "target") }),
        post("/api/verify/regimes", { ...common, overloaded: k, confidence: num(f, "confidence") }),
      ]);
      const years = common.years === 1 ? "a year" : `a year for ${common.years} years`;
      $("#verify-detect").textContent = pct(detect.detection_probability);
      $("#verify-detect-note").textContent = `that ${n} random inspections ${years} of ${common.missiles} missiles find one of ${k} over-loaded (recognition ${common.recognition}).`;
      $("#verify-bound").textContent = `${int(bound.largest_undetected_violation)} missiles`;
      $("#verify-bound-note").textContent = `${n} clean inspections ${years} rule out, at confidence ${bound.confidence}, only violations larger than this; one more over-loaded missile would have been caught with probability ${pct(bound.next_detection_probability)}.`;
      $("#verify-plan").textContent = plan.inspections_needed === null ? "not reachable" : `${int(plan.inspections_needed)} a year`;
      $("#verify-plan-note").textContent = `to catch ${k} over-loaded missiles with probability ≥ ${plan.target} (achieved ${pct(plan.achieved_probability)}).`;
      $("#verify-results").hidden = false;
      const rows = regimes.regimes.map((r) => [
        r.name, int(r.missiles_checked_per_year), pct(r.detection_probability),
        int(r.largest_undetected_violation),
        r.sources.length ? [badge(true), ...sourceLinks(r.sources)] : "–",
        r.note,
      ]);
      $("#verify-regimes").replaceChildren(
        el("h3", { textContent: "Regimes side by side" }),
        table("regimes-table", ["regime", "missiles checked a year", "P(detect)",
          "largest undetected violation", "quota", "note"], rows));
    } catch (err) {
      showError("#verify-error", err.message);
    } finally {
      delete document.body.dataset.verifyBusy;
    }
  }

  // --- risk -----------------------------------------------------------------------------------

  async function risk(event) {
    event.preventDefault();
    const f = event.target;
    showError("#risk-error", null);
    document.body.dataset.riskBusy = "1";
    try {
      // The seed goes as its exact digits: up to 2^128 - 1, past what a JavaScript number holds.
      const seed = BigInt(f.elements.seed.value).toString();
      const r = await post("/api/risk", { samples: num(f, "samples"), seed: JSON.rawJSON(seed), years: num(f, "years") });
      // One significant figure while any parameter is illustrative: a demonstration, not an estimate.
      const g = r.significant_figures;
      const sig = (p) => (typeof p === "number" ? p.toExponential(g - 1) : "–");
      const q = (x) => [sig(x.p05), sig(x.p50), sig(x.p95), sig(x.mean)];
      const summary = table("risk-table", ["probability of an inadvertent war", "p05", "median", "p95", "mean"], [
        ["in one year", ...q(r.annual_probability)],
        [`within ${r.years} years`, ...q(r.cumulative_probability)],
      ]);
      const interventions = table("interventions-table",
        ["intervention", "annual, median", "change of the median", "share of samples lower", "values"],
        r.interventions.map((i) => [i.label, sig(i.annual_probability.p50), sig(i.change.p50),
          fix(i.probability_lower, g), badge(i.sourced)]));
      const tornado = table("tornado-table", ["parameter (5th to 95th percentile)", "annual at p05", "annual at p95", "value"],
        r.tornado.bars.slice(0, 6).map((t) => [t.input, sig(t.at_low), sig(t.at_high), badge(r.sourced_parameters.includes(t.input))]));
      const params = table("risk-parameters", ["parameter", "distribution", "median", "value", "note"],
        r.parameters.map((p) => [p.name, p.distribution, fix(p.median, 4),
          [badge(p.sourced), ...sourceLinks(p.source)], p.note || ""]));
      const n = r.illustrative_parameters.length;
      $("#risk-results").replaceChildren(
        el("p", { className: "small", textContent: `${r.name} (${r.samples.toLocaleString("en-US")} samples, seed ${seed}); ${r.sourced_parameters.length} sourced and ${n} illustrative parameter values.` + (n ? " ILLUSTRATIVE: a demonstration of the method, not an estimate of the risk or a finding about any intervention; one significant figure." : "") }),
        summary,
        el("h4", { textContent: "Interventions" }), interventions,
        el("h4", { textContent: "Most influential parameters" }), tornado,
        el("details", {}, el("summary", { textContent: `All ${r.parameters.length} parameters and their status` }), params));
    } catch (err) {
      showError("#risk-error", err.message);
    } finally {
      delete document.body.dataset.riskBusy;
    }
  }

  // --- zone of possible agreement -------------------------------------------------------------

  function agreementBody(f) {
    const parties = [0, 1].map((i) => {
      const p = { force: f.elements[`force${i}`].value };
      const n = f.elements[`interceptors${i}`].value;
      if (n !== "") p.defense = { interceptors: Number(n) };
      return p;
    });
    const labels = [0, 1].map((i) => f.elements[`force${i}`].selectedOptions[0].dataset.party);
    const criteria = [];
    [0, 1].forEach((i) => {
      const c = { party: labels[i] };
      if (f.elements[`fsi${i}`].value !== "") c.fsi_min = num(f, `fsi${i}`);
      if (f.elements[`arr${i}`].value !== "") c.arriving_min = num(f, `arr${i}`);
      for (const [field, key] of [["wmax", "warhead_cap_max"], ["imin", "interceptor_cap_min"], ["imax", "interceptor_cap_max"]]) {
        if (f.elements[`${field}${i}`].value !== "") c[key] = num(f, `${field}${i}`);
      }
      if (Object.keys(c).length > 1) criteria.push(c);
    });
    const icaps = f.elements.icaps.value.split(/[\s,;]+/).filter((x) => x !== "").map(Number);
    return {
      parties,
      warhead_cap: { low: num(f, "wlow"), high: num(f, "whigh"), levels: num(f, "wlevels") },
      launcher_cap: { low: num(f, "llow"), high: num(f, "lhigh"), levels: num(f, "llevels") },
      mirv: Array.from(f.querySelectorAll("input[name=mirv]:checked")).map((x) => x.value),
      interceptor_caps: icaps,
      criteria,
    };
  }

  function countPoints() {
    const f = $("#agreement-form");
    const b = agreementBody(f);
    const n = b.warhead_cap.levels * b.launcher_cap.levels * b.mirv.length * Math.max(1, b.interceptor_caps.length);
    const out = $("#agreement-count");
    out.textContent = `${n.toLocaleString("en-US")} proposals` + (n > MAX_POINTS ? ` (more than ${MAX_POINTS.toLocaleString("en-US")}: use fewer levels)` : "");
    out.classList.toggle("over", n > MAX_POINTS);
  }

  async function agreement(event) {
    event.preventDefault();
    const body = agreementBody(event.target);
    showError("#agreement-error", null);
    document.body.dataset.agreementBusy = "1";
    try {
      drawAgreement(await post("/api/agreement", body));
    } catch (err) {
      showError("#agreement-error", err.message);
    } finally {
      delete document.body.dataset.agreementBusy;
    }
  }

  function drawAgreement(r) {
    const [a, b] = r.parties;
    const by = Object.entries(r.accepted_by).map(([p, n]) => `${p} ${n.toLocaleString("en-US")}`).join(", ");
    const summary = $("#agreement-summary");
    summary.hidden = false;
    summary.textContent = `${r.accepted_count.toLocaleString("en-US")} of ${r.points.toLocaleString("en-US")} proposals are accepted by every party (accepted by ${by}); ${r.frontier.length} on the Pareto frontier (FSI, each party's arriving warheads: higher; warhead and launcher caps: lower).`;
    // The chart comes from the server (figure builder shared with the reports and the API).
    $("#agreement-card").hidden = r.accepted_count === 0;
    if (r.accepted_count > 0) window.detenteCharts.showChart("agreement", r);
    const hasInterceptors = r.frontier.some((p) => p["treaty.interceptor_cap"] !== undefined);
    const headers = ["warhead cap", "launcher cap", "MIRV rule", ...(hasInterceptors ? ["interceptor cap"] : []),
      "FSI", `arriving ${a}`, `arriving ${b}`, `deployed warheads ${a}`, `deployed warheads ${b}`];
    const rows = r.frontier.map((p) => [int(p["treaty.warhead_cap"]), int(p["treaty.launcher_cap"]), p["treaty.mirv"],
      ...(hasInterceptors ? [int(p["treaty.interceptor_cap"])] : []), fix(p.fsi, 3), int(p[`arriving.${a}`]),
      int(p[`arriving.${b}`]), int(p[`deployed_warheads.${a}`]), int(p[`deployed_warheads.${b}`])]);
    $("#agreement-frontier").replaceChildren(
      el("h3", { textContent: "Pareto frontier" }),
      rows.length ? table("frontier-table", headers, rows)
        : el("p", { className: "small", textContent: "No proposal is accepted by every party: relax a criterion or widen the ranges." }));
  }

  const names = JSON.parse(document.getElementById("parties").textContent).names;

  async function startAgreement() {
    const forces = await fetch("/api/forces").then((r) => r.json());
    const f = $("#agreement-form");
    const latest = (party) => forces.filter((x) => x.party === party).sort((x, y) => (x.as_of < y.as_of ? 1 : -1))[0];
    const defaults = [latest("US") || forces[0], latest("RU") || forces[1]];
    [0, 1].forEach((i) => {
      const select = f.elements[`force${i}`];
      select.append(...forces.map((x) => {
        const o = el("option", { value: x.name, textContent: `${names[x.party] || x.party}, ${x.as_of}` });
        o.dataset.party = x.party;
        return o;
      }));
      if (defaults[i]) select.value = defaults[i].name;
      select.dataset.initial = select.value;  // the permalink keeps only a changed choice
    });
    f.addEventListener("input", countPoints);
    f.addEventListener("change", countPoints);
    f.addEventListener("submit", agreement);
    countPoints();
  }

  function start() {
    $("#verify-form").addEventListener("submit", verify);
    $("#risk-form").addEventListener("submit", risk);
    return startAgreement().catch((err) => showError("#agreement-error", `could not start: ${err.message}`));
  }

  // The explorer (app.js) waits for this before it reads a permalink's panel fields.
  window.detentePanelsReady = new Promise((resolve) => {
    document.addEventListener("DOMContentLoaded", () => start().then(resolve));
  });
})();

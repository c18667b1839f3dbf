// detente explorer: plain JavaScript, no build step. Everything comes from this server.
"use strict";

(function () {
  const DEBOUNCE_MS = 120;
  const STRATEGIC = new Set(["icbm", "slbm", "heavy_bomber"]);
  const PLOT_CONFIG = { displaylogo: false, responsive: true, showLink: false, showSendToCloud: false };

  let forces = [];        // [{name, party, as_of, description}]
  let treaties = [];      // [{id, name, limits, ...}]
  let state = null;       // {scenario: {...}, caps: {...}}
  let last = null;        // last /api/explore answer
  let timer = null;
  let controller = null;
  let sequence = 0;
  const signatures = ["", ""];

  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));

  // --- server -------------------------------------------------------------------------------

  async function api(path, body, signal) {
    const init = body === undefined ? { signal } : {
      method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify(body), signal,
    };
    const response = await fetch(path, init);
    const data = await response.json().catch(() => ({ detail: response.statusText }));
    if (!response.ok) {
      const error = new Error(data.detail || `HTTP ${response.status}`);
      error.status = response.status;
      throw error;
    }
    return data;
  }

  // --- state and URL ------------------------------------------------------------------------

  function latest(party) {
    const list = forces.filter((f) => f.party === party).sort((a, b) => a.as_of < b.as_of ? 1 : -1);
    return list.length ? list[0].name : null;
  }

  function defaultState() {
    const a = latest("US") || (forces[0] && forces[0].name);
    const b = latest("RU") || (forces[1] && forces[1].name);
    const treaty = treaties.some((t) => t.id === "new-start") ? "new-start" : null;
    return {
      scenario: { name: "web", parties: [{ force: a }, { force: b }], treaty, parameters: {} },
      caps: {},
    };
  }

  function readHash() {
    const match = location.hash.match(/^#s=(.*)$/);
    if (!match) return null;
    try {
      const parsed = JSON.parse(decodeURIComponent(match[1]));
      if (parsed && parsed.scenario && Array.isArray(parsed.scenario.parties)) return parsed;
    } catch (e) { /* fall through to the default */ }
    return null;
  }

  function writeHash() {
    const hash = "#s=" + encodeURIComponent(JSON.stringify(state));
    if (location.hash !== hash) history.replaceState(null, "", hash);
  }

  function party(i) { return state.scenario.parties[i]; }

  function holdingMods(i) {
    const p = party(i);
    p.modifications = p.modifications || {};
    p.modifications.holdings = p.modifications.holdings || {};
    return p.modifications.holdings;
  }

  function prune(obj) {
    for (const key of Object.keys(obj)) {
      const v = obj[key];
      if (v && typeof v === "object" && !Array.isArray(v)) {
        prune(v);
        if (Object.keys(v).length === 0) delete obj[key];
      } else if (v === null || v === undefined) {
        delete obj[key];
      }
    }
    return obj;
  }

  // Set one change of a holding; a value equal to the bundled one removes the change.
  function setHolding(i, holding, field, value) {
    const mods = holdingMods(i);
    const change = mods[holding.key] || (mods[holding.key] = {});
    const posture = party(i).posture || "day_to_day";
    if (field === "deployed") {
      change.launchers = change.launchers || {};
      change.launchers.deployed = value === holding.base.deployed ? null : value;
    } else if (field === "loading") {
      delete change.warheads;
      change.loading = Math.abs(value - holding.base.loading) < 1e-9 ? null : value;
    } else if (field === "alert") {
      change.alert = change.alert || {};
      change.alert[posture] = Math.abs(value - holding.base.alert[posture]) < 1e-9 ? null : value;
    }
    prune(party(i).modifications);
  }

  function setState(next) {
    state = next;
    state.caps = state.caps || {};
    state.scenario.parameters = state.scenario.parameters || {};
    signatures[0] = signatures[1] = "";
    renderControls();
    schedule(0);
  }

  // --- controls -----------------------------------------------------------------------------

  function option(value, label, selected) {
    const o = document.createElement("option");
    o.value = value;
    o.textContent = label;
    if (selected) o.selected = true;
    return o;
  }

  function renderSide(i) {
    const box = $(`fieldset.side[data-side="${i}"]`);
    const p = party(i);
    const current = forces.find((f) => f.name === p.force);
    const parties = [...new Set(forces.map((f) => f.party))].sort();
    const partySelect = $(".party", box);
    partySelect.replaceChildren(...parties.map((x) => option(x, x, current && x === current.party)));
    const dateSelect = $(".date", box);
    const dates = forces.filter((f) => current && f.party === current.party)
      .sort((a, b) => a.as_of < b.as_of ? -1 : 1);
    dateSelect.replaceChildren(...dates.map((f) => option(f.name, `${f.as_of} (${f.name})`, f.name === p.force)));
    $(".posture", box).value = p.posture || "day_to_day";
    $(".lua", box).checked = !!p.lua;
    $(".w80", box).value = p.w80 === undefined || p.w80 === null ? "" : p.w80;
    $(".interceptors", box).value = p.defense ? p.defense.interceptors : "";
  }

  function renderControls() {
    renderSide(0);
    renderSide(1);
    const description = $("#description");
    description.hidden = !state.scenario.description;
    description.textContent = state.scenario.description ? `${state.scenario.name}: ${state.scenario.description}` : "";
    const params = state.scenario.parameters;
    const de = params.de !== undefined ? params.de : (last ? last.stability.params.de : 0.8);
    $("#de").value = de;
    $("#de-value").textContent = Number(de).toFixed(2);
    $("#kmax").value = String(params.kmax !== undefined ? params.kmax : (last ? last.stability.params.kmax : 2));
    $("#treaty").value = state.scenario.treaty || "";
    renderCaps();
  }

  function renderCaps() {
    const box = $("#caps");
    box.replaceChildren();
    const t = treaties.find((x) => x.id === state.scenario.treaty);
    if (!t || !last || !last.treaty || last.treaty.id !== t.id) return;
    for (const limit of last.treaty.limits) {
      const label = document.createElement("label");
      label.textContent = `${limit.label || limit.id} ceiling `;
      const input = document.createElement("input");
      input.type = "number";
      input.min = "0";
      input.step = "1";
      input.dataset.limit = limit.id;
      input.placeholder = String(limit.base);
      input.value = state.caps[limit.id] !== undefined ? state.caps[limit.id] : "";
      input.addEventListener("input", () => {
        const v = input.value === "" ? NaN : Number(input.value);
        if (Number.isFinite(v) && v >= 0 && v !== limit.base) state.caps[limit.id] = v;
        else delete state.caps[limit.id];
        schedule();
      });
      label.appendChild(input);
      box.appendChild(label);
    }
  }

  function sourceLinks(ids, max) {
    const frag = document.createDocumentFragment();
    (ids || []).slice(0, max || ids.length).forEach((id) => {
      const a = document.createElement("a");
      a.href = `/sources#src-${encodeURIComponent(id)}`;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      a.className = "src";
      a.textContent = `[${id}]`;
      frag.appendChild(a);
    });
    return frag;
  }

  function slider(min, max, step, value, onInput) {
    const wrap = document.createElement("span");
    const range = document.createElement("input");
    range.type = "range";
    range.min = min; range.max = max; range.step = step; range.value = value;
    const out = document.createElement("output");
    out.textContent = Number(value).toFixed(step < 1 ? 2 : 0);
    range.addEventListener("input", () => {
      out.textContent = Number(range.value).toFixed(step < 1 ? 2 : 0);
      onInput(Number(range.value));
    });
    wrap.append(range, out);
    return wrap;
  }

  function renderHoldings(i, side) {
    const holdings = side.holdings.filter((h) => STRATEGIC.has(h.category));
    const signature = side.force + "|" + holdings.map((h) => h.key).join(",") + "|" + (party(i).posture || "");
    if (signature === signatures[i]) return;
    signatures[i] = signature;
    const posture = party(i).posture || "day_to_day";
    const body = $(`fieldset.side[data-side="${i}"] table.holdings tbody`);
    body.replaceChildren();
    for (const h of holdings) {
      const tr = document.createElement("tr");
      tr.dataset.key = h.key;
      const name = document.createElement("td");
      name.textContent = h.name;
      name.title = `${h.system_name} (${h.leg})`;
      const deployed = document.createElement("td");
      const n = document.createElement("input");
      n.type = "number"; n.min = "0"; n.step = "1"; n.value = h.deployed;
      n.className = "deployed";
      n.addEventListener("input", () => {
        const v = Number(n.value);
        if (n.value !== "" && Number.isInteger(v) && v >= 0) { setHolding(i, h, "deployed", v); schedule(); }
      });
      deployed.appendChild(n);
      const loading = document.createElement("td");
      const maxLoading = h.max_loading || Math.max(1, Math.ceil(2 * h.base.loading));
      const ls = slider(0, maxLoading, 0.1, h.loading, (v) => { setHolding(i, h, "loading", v); schedule(); });
      ls.querySelector("input").className = "loading";
      loading.appendChild(ls);
      const alert = document.createElement("td");
      if (!h.fixed) {
        const as = slider(0, 1, 0.05, h.alert[posture], (v) => { setHolding(i, h, "alert", v); schedule(); });
        as.querySelector("input").className = "alert";
        alert.appendChild(as);
      } else {
        alert.textContent = "silo";
        alert.className = "small";
      }
      const src = document.createElement("td");
      src.appendChild(sourceLinks(h.sources, 2));
      tr.append(name, deployed, loading, alert, src);
      body.appendChild(tr);
    }
  }

  function markChanged(i, side) {
    for (const h of side.holdings) {
      const tr = $(`fieldset.side[data-side="${i}"] tr[data-key="${CSS.escape(h.key)}"]`);
      if (!tr) continue;
      const changed = h.deployed !== h.base.deployed || Math.abs(h.loading - h.base.loading) > 1e-9 ||
        Object.keys(h.alert).some((k) => Math.abs(h.alert[k] - h.base.alert[k]) > 1e-9);
      tr.classList.toggle("changed", changed);
    }
  }

  function wireControls() {
    $$("fieldset.side").forEach((box) => {
      const i = Number(box.dataset.side);
      $(".party", box).addEventListener("change", (e) => {
        party(i).force = latest(e.target.value);
        delete party(i).modifications;
        renderSide(i);
        schedule(0);
      });
      $(".date", box).addEventListener("change", (e) => {
        party(i).force = e.target.value;
        delete party(i).modifications;
        schedule(0);
      });
      $(".posture", box).addEventListener("change", (e) => {
        if (e.target.value === "day_to_day") delete party(i).posture;
        else party(i).posture = e.target.value;
        schedule(0);
      });
      $(".lua", box).addEventListener("change", (e) => {
        if (e.target.checked) party(i).lua = true; else delete party(i).lua;
        schedule(0);
      });
      $(".w80", box).addEventListener("input", (e) => {
        const v = Number(e.target.value);
        if (e.target.value !== "" && v >= 1) party(i).w80 = v; else delete party(i).w80;
        schedule();
      });
      $(".interceptors", box).addEventListener("input", (e) => {
        const v = Number(e.target.value);
        if (e.target.value !== "" && v > 0) party(i).defense = { ...(party(i).defense || {}), interceptors: v };
        else delete party(i).defense;
        schedule();
      });
    });
    $("#de").addEventListener("input", (e) => {
      state.scenario.parameters.de = Number(e.target.value);
      $("#de-value").textContent = Number(e.target.value).toFixed(2);
      schedule();
    });
    $("#kmax").addEventListener("change", (e) => {
      state.scenario.parameters.kmax = Number(e.target.value);
      schedule(0);
    });
    $("#treaty").addEventListener("change", (e) => {
      state.scenario.treaty = e.target.value || null;
      if (!state.scenario.treaty) delete state.scenario.treaty;
      state.caps = {};
      schedule(0);
    });
    $("#preset").addEventListener("change", async (e) => {
      if (!e.target.value) return;
      try {
        const answer = await api(`/api/presets/${encodeURIComponent(e.target.value)}`);
        showNotes(answer.ignored);
        setState({ scenario: answer.scenario, caps: {} });
      } catch (err) { showError("#upload-error", err.message); }
    });
    $("#download").addEventListener("click", download);
    $("#upload").addEventListener("change", upload);
    $("#share").addEventListener("click", async () => {
      writeHash();
      try { await navigator.clipboard.writeText(location.href); $("#share").textContent = "Link copied"; }
      catch (e) { $("#share").textContent = "Copy the address bar"; }
    });
    window.addEventListener("hashchange", () => {
      const next = readHash();
      if (next && JSON.stringify(next) !== JSON.stringify(state)) setState(next);
    });
  }

  // --- scenario files -----------------------------------------------------------------------

  async function download() {
    try {
      const answer = await api("/api/scenario/yaml", state.scenario);
      const blob = new Blob([answer.text], { type: "application/yaml" });
      const a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = answer.filename;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 1000);
      showError("#upload-error", null);
    } catch (err) { showError("#upload-error", err.message); }
  }

  async function upload(event) {
    const file = event.target.files[0];
    if (!file) return;
    try {
      const text = await file.text();
      const answer = await api("/api/scenario/parse", { text });
      showError("#upload-error", null);
      showNotes(answer.ignored);
      setState({ scenario: answer.scenario, caps: {} });
    } catch (err) {
      showError("#upload-error", `${file.name}: ${err.message}`);
    } finally {
      event.target.value = "";
    }
  }

  function showError(selector, message) {
    const el = $(selector);
    el.hidden = !message;
    el.textContent = message || "";
  }

  function showNotes(items) {
    const el = $("#notes");
    el.hidden = !items || !items.length;
    el.textContent = items && items.length ? "Not shown by the page: " + items.join("; ") : "";
  }

  // --- results ------------------------------------------------------------------------------

  function schedule(delay) {
    writeHash();
    clearTimeout(timer);
    timer = setTimeout(explore, delay === undefined ? DEBOUNCE_MS : delay);
  }

  async function explore() {
    if (controller) controller.abort();
    controller = new AbortController();
    const mine = ++sequence;
    document.body.dataset.busy = "1";
    try {
      const answer = await api("/api/explore", state, controller.signal);
      if (mine !== sequence) return;
      last = answer;
      showError("#error", null);
      render(answer);
    } catch (err) {
      if (err.name === "AbortError" || mine !== sequence) return;
      showError("#error", err.message);
    } finally {
      if (mine === sequence) delete document.body.dataset.busy;
    }
  }

  const fmt = (x, d) => (typeof x === "number" ? x.toFixed(d) : String(x));

  function render(answer) {
    const s = answer.stability;
    const labels = answer.sides.map((x) => x.label);
    $("#fsi").textContent = fmt(s.fsi, 4);
    const rows = answer.sides.map((side) => {
      const k = side.label;
      const tr = document.createElement("tr");
      for (const v of [k, fmt(s.C1[k], 4), fmt(s.C2[k], 4), fmt(s.r[k], 4),
        fmt(s.r_uncapped[k], 4), fmt(s.x_star[k], 1), fmt(s.w80[k], 1)]) {
        const td = document.createElement("td");
        td.textContent = v;
        tr.appendChild(td);
      }
      return tr;
    });
    $("#costs tbody").replaceChildren(...rows);
    const forceSources = answer.sides.flatMap((x) => x.sources);
    const paramSources = answer.parameter_sources;
    $("#index-sources").replaceChildren("Sources: ", sourceLinks([...new Set([...paramSources, ...forceSources])]));
    $("#drawdown-sources").replaceChildren("Sources: ", sourceLinks([...new Set([...paramSources, ...forceSources])]));
    $("#domain-sources").replaceChildren("Sources: ", sourceLinks(paramSources));
    answer.sides.forEach((side, i) => {
      renderHoldings(i, side);
      markChanged(i, side);
      const note = $(`fieldset.side[data-side="${i}"] .w80-note`);
      note.textContent = `${fmt(side.w80, 1)} warheads: ${side.w80_note}`;
      const d = side.defense;
      const defenseNote = $(`fieldset.side[data-side="${i}"] .defense-note`);
      defenseNote.replaceChildren();
      if (d) {
        defenseNote.append(`P(kill an engaged RV) ${fmt(d.intercept_probability, 3)}, engages at most ${fmt(d.capacity, 0)} RVs (${d.note}) `,
          sourceLinks(answer.defense_sources));
      }
      $(`fieldset.side[data-side="${i}"] legend`).textContent = `Side ${"AB"[i]}: ${side.force}`;
    });
    if ($("#caps").childElementCount === 0) renderCaps();
    renderCompliance(answer);
    if (window.Plotly) {
      drawDrawdown(answer, labels);
      drawDomain(s, labels);
    }
  }

  function renderCompliance(answer) {
    const box = $("#compliance");
    if (!answer.compliance) {
      box.replaceChildren(Object.assign(document.createElement("p"), { className: "small", textContent: "Choose a treaty." }));
      $("#compliance-sources").replaceChildren();
      return;
    }
    // A count's verdict in words, with its basis and range; red only for a declared breach.
    const verdictClass = (item) => {
      if (item.verdict === "within" || item.verdict === "respected") return "ok";
      return (item.verdict === "above" || item.verdict === "violated") && item.basis === "official" ? "over" : "doubt";
    };
    const results = Object.values(answer.compliance);
    const standing = document.createElement("p");
    standing.id = "treaty-standing";
    standing.className = results.length && results[0].in_force ? "small" : "small doubt";
    standing.textContent = results.length ? results[0].standing : "";
    const table = document.createElement("table");
    table.id = "compliance-table";
    const head = document.createElement("tr");
    for (const h of ["side", "limit", "count", "ceiling", "margin", "verdict (basis; range)", "sources"]) {
      const th = document.createElement("th"); th.textContent = h; head.appendChild(th);
    }
    table.appendChild(head);
    const number = (v) => typeof v === "number" ? v.toLocaleString("en-US", { maximumFractionDigits: 1 }) : v;
    const addRow = (cells, item) => {
      const tr = document.createElement("tr");
      cells.forEach((v) => {
        const td = document.createElement("td"); td.textContent = number(v); tr.appendChild(td);
      });
      const verdict = document.createElement("td");
      verdict.className = `verdict ${verdictClass(item)}`;
      verdict.textContent = item.status_text;
      tr.appendChild(verdict);
      const src = document.createElement("td");
      src.appendChild(sourceLinks(item.sources, 2));
      tr.appendChild(src);
      table.appendChild(tr);
    };
    for (const [label, result] of Object.entries(answer.compliance)) {
      for (const limit of result.limits) addRow([label, limit.label, limit.count, limit.limit, limit.margin], limit);
      for (const ban of result.bans) addRow([label, `ban: ${ban.label}`, ban.count, 0, ""], ban);
    }
    box.replaceChildren(standing, table);
    $("#compliance-sources").replaceChildren(`${answer.treaty.name}: `, sourceLinks(answer.treaty.sources));
  }

  function interp(xs, ys, x) {
    for (let j = 1; j < xs.length; j++) {
      if (x <= xs[j]) {
        const t = xs[j] === xs[j - 1] ? 1 : (x - xs[j - 1]) / (xs[j] - xs[j - 1]);
        return ys[j - 1] + t * (ys[j] - ys[j - 1]);
      }
    }
    return ys[ys.length - 1];
  }

  function drawDrawdown(answer, labels) {
    const s = answer.stability;
    const colors = ["#1f5fa8", "#c2410c"];
    const traces = [];
    labels.forEach((striker, j) => {
      const victim = labels[1 - j];
      const curve = answer.drawdown[striker];
      traces.push({ x: curve.x, y: curve.K, mode: "lines", name: `${striker} strikes ${victim}`,
        line: { color: colors[j] } });
      traces.push({ x: [s.x_star[striker]], y: [interp(curve.x, curve.K, s.x_star[striker])],
        mode: "markers", name: `x* (${striker})`, marker: { color: colors[j], size: 9 } });
    });
    Plotly.react("drawdown", traces, {
      margin: { t: 10, r: 10, b: 45, l: 60 },
      xaxis: { title: { text: "striker's warheads spent on counterforce, x" } },
      yaxis: { title: { text: "victim's warheads destroyed, K(x)" } },
      legend: { orientation: "h", y: -0.25 },
    }, PLOT_CONFIG);
  }

  function drawDomain(s, labels) {
    const [a, b] = labels;
    const ra = Math.min(1, s.r[a]);
    const rb = Math.min(1, s.r[b]);
    Plotly.react("domain", [
      { x: [ra], y: [rb], mode: "markers+text", text: [`FSI = ${s.fsi.toFixed(4)}`],
        textposition: "top right", marker: { size: 8, color: "#1d2327" }, showlegend: false },
    ], {
      margin: { t: 10, r: 10, b: 50, l: 60 },
      xaxis: { range: [0, 1], title: { text: `P(${b} strikes first) as ${a} sees it; r_${a} = ${ra.toFixed(3)}` } },
      yaxis: { range: [0, 1], title: { text: `P(${a} strikes first) as ${b} sees it; r_${b} = ${rb.toFixed(3)}` } },
      shapes: [
        { type: "rect", x0: 0, y0: 0, x1: ra, y1: rb, fillcolor: "rgba(31,95,168,0.25)", line: { width: 0 } },
        { type: "line", x0: ra, x1: ra, y0: 0, y1: 1, line: { dash: "dash", color: "#1f5fa8" } },
        { type: "line", x0: 0, x1: 1, y0: rb, y1: rb, line: { dash: "dash", color: "#c2410c" } },
      ],
    }, PLOT_CONFIG);
  }

  // --- start --------------------------------------------------------------------------------

  async function start() {
    try {
      const [f, t, presets] = await Promise.all([api("/api/forces"), api("/api/treaties"), api("/api/presets")]);
      forces = f;
      treaties = t;
      $("#treaty").append(...treaties.map((x) => option(x.id, x.id.startsWith("treaties/") ? `${x.name} (example)` : x.name)));
      $("#preset").append(...presets.map((p) => option(p.name, p.name)));
      wireControls();
      setState(readHash() || defaultState());
    } catch (err) {
      showError("#error", `could not start: ${err.message}`);
    }
  }

  document.addEventListener("DOMContentLoaded", start);
})();

// detente explorer: plain JavaScript, no build step. Everything comes from this server.
// The index and its reading in words are drawn as soon as /api/explore answers; the charts
// follow when plotly.js (loaded async) is ready, so the first number never waits for it.
"use strict";

(function () {
  const DEBOUNCE_MS = 120;
  const STRATEGIC = new Set(["icbm", "slbm", "heavy_bomber"]);
  const PLOT_CONFIG = { displaylogo: false, responsive: true, showLink: false, showSendToCloud: false };
  const FALLBACK = ["#17becf", "#8c564b"];
  const POSTURE_KEY = { day_to_day: "d", generated: "g" };

  let forces = [];        // [{name, party, as_of, description}]
  let treaties = [];      // [{id, name, limits: [id], ...}]
  let state = null;       // {scenario: {...}, caps: {...}}
  let last = null;        // last /api/explore answer
  let timer = null;
  let controller = null;
  let sequence = 0;
  let loading = false;    // the first explore of a link or preset: drop what the server refuses
  let dropped = [];       // what a link held that the page could not use
  const signatures = ["", ""];
  const parties = JSON.parse(document.getElementById("parties").textContent);
  // Bounds of the fields and the permalink: the model's, held to the web app's caps (the API's).
  const LIMITS = JSON.parse(document.getElementById("limits").textContent);
  const names = parties.names;
  // One colour per party in every figure of the page and the reports (data/glossary.yaml).
  const colour = (code, j) => parties.colours[code] || FALLBACK[j % FALLBACK.length];

  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));
  const partyName = (code) => names[code] || code;
  const human = (id) => { const s = String(id).replace(/_/g, " "); return s.charAt(0).toUpperCase() + s.slice(1); };
  const int = (x) => (typeof x === "number" ? Math.round(x).toLocaleString("en-US") : "–");
  const fix = (x, d) => (typeof x === "number" ? x.toFixed(d) : "–");

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
      error.field = data.field;
      throw error;
    }
    return data;
  }

  // --- state --------------------------------------------------------------------------------

  function latest(code, exclude) {
    const list = forces.filter((f) => f.party === code && f.party !== exclude)
      .sort((a, b) => a.as_of < b.as_of ? 1 : -1);
    return list.length ? list[0].name : null;
  }

  const forceOf = (name) => forces.find((f) => f.name === name);

  function defaultState() {
    const a = latest("US") || (forces[0] && forces[0].name);
    const b = latest("RU") || (forces.find((f) => f.party !== (forceOf(a) || {}).party) || {}).name;
    const treaty = treaties.some((t) => t.id === "new-start") ? "new-start" : null;
    const scenario = { name: "web", parties: [{ force: a }, { force: b }], parameters: {} };
    if (treaty) scenario.treaty = treaty;
    return { scenario, caps: {} };
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
      // null (emptied): back to the force's figure; an unknown one stays unknown, never 0
      const same = value !== null && holding.base.loading !== null && Math.abs(value - holding.base.loading) < 1e-9;
      change.loading = same ? null : value;
    } else if (field === "alert") {
      change.alert = change.alert || {};
      change.alert[posture] = Math.abs(value - holding.base.alert[posture]) < 1e-9 ? null : value;
    }
    prune(party(i).modifications);
  }

  // An edit makes the scenario the user's own: a preset's name and description no longer apply.
  function edited() {
    if (state.scenario.description || state.scenario.title || state.scenario.name !== "web") {
      delete state.scenario.description;
      delete state.scenario.title;
      delete state.scenario.date;
      state.scenario.name = "web";
      $("#preset").value = "";
      $("#description").hidden = true;
    }
  }

  function setState(next) {
    state = next;
    state.caps = state.caps || {};
    state.scenario.parameters = state.scenario.parameters || {};
    signatures[0] = signatures[1] = "";
    renderControls();
    schedule(0);
  }

  // --- the permalink: short, readable keys ---------------------------------------------------
  // a, b: forces; pa/pb posture (g); la/lb launch under attack (1); wa/wb w80; ia/ib interceptors;
  // ha.KEY / hb.KEY: holding changes "d400~l3~ad0.5" (deployed, loading, alert by posture);
  // t: treaty; c.LIMIT: ceiling; de, k: model; n: scenario name; v./r./z./y.FIELD: the panels'
  // forms (verification, risk, agreement, history);
  // u.PATH: an uncertain input "triangular~low0.5~mode0.8~high0.95~source:id,id~status:assumption"
  // (a distribution's numbers, sources, status and unit; its note stays in the file); mc: Monte
  // Carlo samples; seed: the scenario's seed.

  // The numbers of each distribution family: [required, optional] (model/distribution.py).
  const DIST_FIELDS = {
    fixed: [["value"], []], uniform: [["low", "high"], []], loguniform: [["low", "high"], []],
    triangular: [["low", "mode", "high"], []], normal: [["mean", "sd"], ["low", "high"]],
    lognormal: [["median", "sigma"], ["low", "high"]],
  };
  const STATUSES = ["official", "estimate", "derived", "assumption"];
  // The panels' forms by their permalink prefix.
  const PANEL_FORMS = { v: "#verify-form", r: "#risk-form", z: "#agreement-form", y: "#history-form" };
  // A dotted path as under a scenario's uncertain: (the server checks that it fits the forces).
  const UNCERTAIN_PATH = /^(parameters\.\w{1,40}|parties\.[A-Z]{2}\.[\w .()/'-]{1,180})$/;

  function encodeDist(d) {
    const [required, optional] = DIST_FIELDS[d.dist] || [[], []];
    const parts = [d.dist];
    for (const k of [...required, ...optional]) if (d[k] !== undefined && d[k] !== null) parts.push(`${k}${d[k]}`);
    const source = [].concat(d.source || []);
    if (source.length) parts.push(`source:${source.join(",")}`);
    if (d.status) parts.push(`status:${d.status}`);
    if (d.unit) parts.push(`unit:${d.unit}`);
    return parts.join("~");
  }

  // A distribution of a link, or null when it is not one (its bounds are the server's to check).
  function decodeDist(text) {
    const [family, ...parts] = text.split("~");
    if (!Object.hasOwn(DIST_FIELDS, family)) return null;
    const [required, optional] = DIST_FIELDS[family];
    const d = { dist: family };
    for (const part of parts) {
      let m = part.match(/^(source|status|unit):(.{1,200})$/);
      if (m) {
        if (m[1] === "source") d.source = m[2].split(",").filter((x) => x);
        else if (m[1] === "status" && STATUSES.includes(m[2])) d.status = m[2];
        else if (m[1] === "unit") d.unit = m[2];
        else return null;
        continue;
      }
      m = part.match(/^([a-z]+)(.+)$/);
      if (!m || ![...required, ...optional].includes(m[1]) || d[m[1]] !== undefined) return null;
      const v = number(m[2], -Number.MAX_VALUE, Number.MAX_VALUE);
      if (v === null) return null;
      d[m[1]] = v;
    }
    return required.every((k) => d[k] !== undefined) ? d : null;
  }

  function encodeHolding(change) {
    const parts = [];
    if (change.launchers && change.launchers.deployed !== undefined) parts.push(`d${change.launchers.deployed}`);
    if (change.loading !== undefined) parts.push(`l${change.loading}`);
    if (change.warheads !== undefined) parts.push(`w${change.warheads}`);
    for (const [posture, v] of Object.entries(change.alert || {})) parts.push(`a${POSTURE_KEY[posture]}${v}`);
    return parts.join("~");
  }

  function linkParams() {
    const q = new URLSearchParams();
    const s = state.scenario;
    if (s.name && s.name !== "web") q.set("n", s.name);
    s.parties.forEach((p, i) => {
      const side = "ab"[i];
      q.set(side, p.force);
      if (p.posture && p.posture !== "day_to_day") q.set(`p${side}`, POSTURE_KEY[p.posture]);
      if (p.lua) q.set(`l${side}`, "1");
      if (p.w80 !== undefined) q.set(`w${side}`, p.w80);
      if (p.defense) q.set(`i${side}`, p.defense.interceptors);
      const mods = (p.modifications || {}).holdings || {};
      for (const [key, change] of Object.entries(mods)) q.set(`h${side}.${key}`, encodeHolding(change));
    });
    if (s.treaty) q.set("t", s.treaty);
    for (const [k, v] of Object.entries(state.caps)) q.set(`c.${k}`, v);
    if (s.parameters.de !== undefined) q.set("de", s.parameters.de);
    if (s.parameters.kmax !== undefined) q.set("k", s.parameters.kmax);
    for (const [path, d] of Object.entries(s.uncertain || {})) q.set(`u.${path}`, encodeDist(d));
    if (s.samples !== undefined && s.samples !== null) q.set("mc", s.samples);
    if (s.seed !== undefined && s.seed !== null) q.set("seed", s.seed);
    for (const [prefix, id] of Object.entries(PANEL_FORMS)) {
      for (const [k, v] of formChanges($(id))) q.set(`${prefix}.${k}`, v);
    }
    return q;
  }

  function writeHash() {
    if (!state) return;  // a panel's field changed before the page's state is set
    const hash = "#" + linkParams().toString();
    if (location.hash !== hash) history.replaceState(null, "", hash);
  }

  // The panels' forms: the fields whose value differs from the page's default.
  function formChanges(form) {
    const out = [];
    if (!form) return out;
    const seen = new Set();
    for (const el of form.elements) {
      if (!el.name || seen.has(el.name)) continue;
      if (el.type === "checkbox") {
        seen.add(el.name);
        const boxes = $$(`input[name="${el.name}"]`, form);
        if (boxes.some((b) => b.checked !== b.defaultChecked)) {
          out.push([el.name, boxes.filter((b) => b.checked).map((b) => b.value).join(",")]);
        }
      } else if (el.tagName === "SELECT") {
        if (el.dataset.initial !== undefined && el.value !== el.dataset.initial) out.push([el.name, el.value]);
      } else if (el.value !== el.defaultValue) {
        out.push([el.name, el.value]);
      }
    }
    return out;
  }

  function setFormField(form, name, value, drop) {
    const field = form.elements[name];
    if (!field) { drop(`${name} (no such field)`); return; }
    const boxes = $$(`input[type=checkbox][name="${name}"]`, form);
    if (boxes.length) {
      const wanted = value.split(",").filter((x) => x);
      if (wanted.some((w) => !boxes.some((b) => b.value === w))) drop(`${name}=${value}`);
      boxes.forEach((b) => { b.checked = wanted.includes(b.value); });
      return;
    }
    if (field.tagName === "SELECT") {
      if (![...field.options].some((o) => o.value === value)) { drop(`${name}=${value}`); return; }
      field.value = value;
      return;
    }
    const old = field.value;
    field.value = value;
    bigValidity(field);
    if (!field.checkValidity()) { field.value = old; bigValidity(field); drop(`${name}=${value}`); }
  }

  // A whole number past what a JavaScript number holds exactly (the 128-bit seed): its bound,
  // data-max, is checked as a BigInt, so the page and its links take what the API takes.
  function bigValidity(field) {
    if (!field.dataset || field.dataset.max === undefined) return;
    const ok = /^[0-9]{1,39}$/.test(field.value) && BigInt(field.value) <= BigInt(field.dataset.max);
    field.setCustomValidity(ok ? "" : `a whole number from 0 to ${field.dataset.max}`);
  }

  const number = (text, low, high, integer) => {
    if (text === null || text === "" || !/^-?\d*\.?\d+(e-?\d+)?$/i.test(text)) return null;
    const v = Number(text);
    if (!Number.isFinite(v) || v < low || v > high || (integer && !Number.isInteger(v))) return null;
    return v;
  };

  function decodeHolding(text) {
    const change = {};
    for (const part of text.split("~")) {
      const m = part.match(/^(d|l|w|ad|ag)(.+)$/);
      if (!m) return null;
      const [, kind, raw] = m;
      const v = kind === "d" ? number(raw, 0, LIMITS.launchers, true) : kind === "l" ? number(raw, 0, LIMITS.loading)
        : kind === "w" ? number(raw, 0, LIMITS.warheads) : number(raw, 0, 1);
      if (v === null) return null;
      if (kind === "d") change.launchers = { deployed: v };
      else if (kind === "l") change.loading = v;
      else if (kind === "w") change.warheads = v;
      else (change.alert = change.alert || {})[kind === "ad" ? "day_to_day" : "generated"] = v;
    }
    return change;
  }

  // The state of a link: what is valid is kept, the rest listed in `drops`.
  function readLink(hash) {
    const drops = [];
    const drop = (what) => drops.push(what);
    let q;
    try {
      if (/^#s=/.test(hash)) return readOldLink(hash, drop, drops);
      q = new URLSearchParams(hash.replace(/^#/, ""));
    } catch (e) {
      return { state: null, drops: ["the whole link (not readable)"] };
    }
    if (![...q.keys()].length) return { state: null, drops };
    const next = defaultState();
    const s = next.scenario;
    const panels = [];
    for (const [key, value] of q) {
      const side = { a: 0, b: 1 };
      let m;
      if (key === "a" || key === "b") {
        if (forceOf(value)) s.parties[side[key]].force = value; else drop(`side ${key.toUpperCase()} force "${value}" (unknown)`);
      } else if ((m = key.match(/^([plwi])([ab])$/))) {
        const p = s.parties[side[m[2]]];
        const label = { p: "posture", l: "launch under attack", w: "w80", i: "interceptors" }[m[1]];
        let v = null;
        if (m[1] === "p") v = value === "g" ? "generated" : value === "d" ? "day_to_day" : null;
        else if (m[1] === "l") v = value === "1" ? true : null;
        else if (m[1] === "w") v = number(value, LIMITS.w80[0], LIMITS.w80[1]);
        else v = number(value, 0, LIMITS.interceptors);
        if (v === null) { drop(`side ${m[2].toUpperCase()} ${label} "${value}"`); continue; }
        if (m[1] === "p") { if (v !== "day_to_day") p.posture = v; } else if (m[1] === "l") p.lua = true;
        else if (m[1] === "w") p.w80 = v;
        else if (v > 0) p.defense = { interceptors: v };
      } else if ((m = key.match(/^h([ab])\.(.+)$/))) {
        const change = decodeHolding(value);
        if (!change) { drop(`side ${m[1].toUpperCase()} holding ${m[2]} "${value}"`); continue; }
        const p = s.parties[side[m[1]]];
        ((p.modifications = p.modifications || {}).holdings = p.modifications.holdings || {})[m[2]] = change;
      } else if (key === "t") {
        if (value === "" ) delete s.treaty;
        else if (treaties.some((t) => t.id === value)) s.treaty = value; else drop(`treaty "${value}" (unknown)`);
      } else if ((m = key.match(/^c\.(.+)$/))) {
        next.caps[m[1]] = value;  // checked against the treaty below
      } else if (key === "de") {
        const v = number(value, LIMITS.de[0], LIMITS.de[1]);
        if (v === null) drop(`damage expectancy "${value}"`); else s.parameters.de = v;
      } else if (key === "k") {
        const v = number(value, LIMITS.kmax[0], LIMITS.kmax[1], true);
        if (v === null) drop(`warheads per target "${value}"`); else s.parameters.kmax = v;
      } else if (key === "n") {
        if (/^[\w.-]{1,64}$/.test(value)) s.name = value; else drop(`name "${value}"`);
      } else if ((m = key.match(/^u\.(.+)$/))) {
        const uncertain = s.uncertain || {};
        const d = UNCERTAIN_PATH.test(m[1]) && Object.keys(uncertain).length < LIMITS.changes ? decodeDist(value) : null;
        if (!d) { drop(`uncertain input ${m[1]} "${value}"`); continue; }
        s.uncertain = { ...uncertain, [m[1]]: d };
      } else if (key === "mc") {
        const v = number(value, 1, LIMITS.samples, true);
        if (v === null) drop(`Monte Carlo samples "${value}"`); else s.samples = v;
      } else if (key === "seed") {
        const v = number(value, 0, Number.MAX_SAFE_INTEGER, true);
        if (v === null) drop(`seed "${value}" (a link takes 0 to ${Number.MAX_SAFE_INTEGER})`); else s.seed = v;
      } else if ((m = key.match(/^([vrzy])\.(.+)$/))) {
        panels.push([m[1], m[2], value]);
      } else {
        drop(`${key}=${value} (not a setting of this page)`);
      }
    }
    const treaty = treaties.find((t) => t.id === s.treaty);
    for (const [k, raw] of Object.entries(next.caps)) {
      const v = number(raw, 0, LIMITS.cap);
      if (!treaty || !treaty.limits.includes(k)) { delete next.caps[k]; drop(`ceiling ${human(k)} (not a limit of ${treaty ? treaty.name : "the chosen treaty"})`); }
      else if (v === null) { delete next.caps[k]; drop(`ceiling ${human(k)} "${raw}"`); }
      else next.caps[k] = v;
    }
    sameParty(next, drop);
    for (const [prefix, name, value] of panels) {
      const form = $(PANEL_FORMS[prefix]);
      setFormField(form, name, value, (what) => drop(`panel field ${what}`));
    }
    return { state: next, drops };
  }

  // Links written before the short keys (#s=<JSON>): taken if they parse.
  function readOldLink(hash, drop, drops) {
    let parsed = null;
    try { parsed = JSON.parse(decodeURIComponent(hash.slice(3))); } catch (e) { /* below */ }
    if (!parsed || !parsed.scenario || !Array.isArray(parsed.scenario.parties) || parsed.scenario.parties.length !== 2) {
      return { state: null, drops: ["the whole link (not readable)"] };
    }
    const next = { scenario: parsed.scenario, caps: parsed.caps || {} };
    next.scenario.parties.forEach((p, i) => {
      if (!p || !forceOf(p.force)) { next.scenario.parties[i] = defaultState().scenario.parties[i]; drop(`side ${"AB"[i]} force`); }
    });
    if (next.scenario.treaty && !treaties.some((t) => t.id === next.scenario.treaty)) { delete next.scenario.treaty; drop("treaty"); }
    const treaty = treaties.find((t) => t.id === next.scenario.treaty);
    for (const k of Object.keys(next.caps)) {
      if (!treaty || !treaty.limits.includes(k)) { delete next.caps[k]; drop(`ceiling ${human(k)}`); }
    }
    sameParty(next, drop);
    return { state: next, drops };
  }

  function sameParty(next, drop) {
    const [a, b] = next.scenario.parties.map((p) => forceOf(p.force));
    if (a && b && a.party === b.party) {
      const other = forces.find((f) => f.party !== a.party && f.party === "RU") || forces.find((f) => f.party !== a.party);
      drop(`side B force "${b.name}" and its changes (the same party as side A)`);
      next.scenario.parties[1] = { force: other.name };
    }
  }

  function showDropped() {
    const el = $("#link-notice");
    el.hidden = !dropped.length;
    el.textContent = dropped.length
      ? `This link held settings the page cannot use; it left them out and shows the rest: ${dropped.join("; ")}.`
      : "";
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
    const current = forceOf(p.force);
    const other = forceOf(party(1 - i).force);
    // The same party on both sides is not a choice the model can take.
    const parties = [...new Set(forces.map((f) => f.party))].filter((x) => !other || x !== other.party).sort();
    $(".party", box).replaceChildren(...parties.map((x) => option(x, partyName(x), current && x === current.party)));
    const dates = forces.filter((f) => current && f.party === current.party)
      .sort((a, b) => a.as_of < b.as_of ? -1 : 1);
    $(".date", box).replaceChildren(...dates.map((f) => option(f.name, f.as_of, f.name === p.force)));
    $(".posture", box).value = p.posture || "day_to_day";
    $(".lua", box).checked = !!p.lua;
    $(".w80", box).value = p.w80 === undefined || p.w80 === null ? "" : p.w80;
    $(".interceptors", box).value = p.defense ? p.defense.interceptors : "";
    $$(".field-error", box).forEach((e) => { e.textContent = ""; });
    $$("input", box).forEach((e) => e.removeAttribute("aria-invalid"));
    $("legend", box).textContent = `Side ${"AB"[i]}: ${current ? partyName(current.party) : p.force}`;
  }

  function renderControls() {
    renderSide(0);
    renderSide(1);
    const description = $("#description");
    description.hidden = !state.scenario.description;
    description.textContent = state.scenario.description ? `Preset ${state.scenario.title ? `${state.scenario.title} (${state.scenario.name})` : state.scenario.name}: ${state.scenario.description}` : "";
    const params = state.scenario.parameters;
    const de = params.de !== undefined ? params.de : LIMITS.defaults.de;
    $("#de").value = de;
    $("#de-value").textContent = Number(de).toFixed(2);
    $("#kmax").value = String(params.kmax !== undefined ? params.kmax : LIMITS.defaults.kmax);
    $("#treaty").value = state.scenario.treaty || "";
    renderCaps();
  }

  // The ceiling boxes of the chosen treaty, rebuilt whenever the treaty changes.
  function renderCaps() {
    const box = $("#caps");
    const t = treaties.find((x) => x.id === state.scenario.treaty);
    const known = last && last.treaty && t && last.treaty.id === t.id ? last.treaty.limits : [];
    box.replaceChildren();
    box.dataset.treaty = t ? t.id : "";
    if (!t) return;
    for (const id of t.limits) {
      const base = (known.find((x) => x.id === id) || {}).base;
      const row = document.createElement("div");
      row.className = "row field";
      const label = document.createElement("label");
      label.append(`${(known.find((x) => x.id === id) || {}).label || human(id)} ceiling `);
      const input = document.createElement("input");
      input.type = "number";
      input.min = "0";
      input.max = "10000000";
      input.step = "1";
      input.dataset.limit = id;
      input.placeholder = base === undefined ? "treaty value" : String(base);
      input.value = state.caps[id] !== undefined ? state.caps[id] : "";
      const err = document.createElement("span");
      err.className = "field-error";
      err.setAttribute("aria-live", "polite");
      input.addEventListener("input", () => {
        if (!validate(input)) return;
        const v = input.value === "" ? NaN : Number(input.value);
        if (Number.isFinite(v) && v !== base) state.caps[id] = v; else delete state.caps[id];
        edited();
        schedule();
      });
      label.appendChild(input);
      row.append(label, err);
      box.appendChild(row);
    }
  }

  // Browser validation shown beside the field; an invalid value is not sent.
  function validate(input) {
    const row = input.closest(".field") || input.closest("td") || input.parentElement;
    let err = $(".field-error", row);
    if (!err) {
      err = document.createElement("span");
      err.className = "field-error";
      err.setAttribute("aria-live", "polite");
      row.appendChild(err);
    }
    const ok = input.checkValidity();
    err.textContent = ok ? "" : input.validationMessage;
    if (ok) input.removeAttribute("aria-invalid"); else input.setAttribute("aria-invalid", "true");
    return ok;
  }

  function sourceLinks(ids, max) {
    const frag = document.createDocumentFragment();
    (ids || []).slice(0, max || ids.length).forEach((id) => {
      const a = document.createElement("a");
      a.href = `/sources#src-${encodeURIComponent(id)}`;
      a.className = "src";
      a.textContent = `[${id}]`;
      a.setAttribute("aria-label", `source ${id}`);
      frag.appendChild(a);
    });
    return frag;
  }

  function slider(min, max, step, value, label, onInput) {
    const wrap = document.createElement("span");
    wrap.className = "slider";
    const range = document.createElement("input");
    range.type = "range";
    range.min = min; range.max = max; range.step = step; range.value = value;
    range.setAttribute("aria-label", label);
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
      const name = document.createElement("th");
      name.scope = "row";
      name.textContent = h.display;
      name.title = `${h.system_name} (${h.leg})`;
      const deployed = document.createElement("td");
      const n = document.createElement("input");
      n.type = "number"; n.min = "0"; n.max = String(LIMITS.launchers); n.step = "1"; n.value = h.deployed; n.required = true;
      n.className = "deployed";
      n.setAttribute("aria-label", `${h.display}: deployed launchers`);
      n.addEventListener("input", () => {
        if (!validate(n)) return;
        setHolding(i, h, "deployed", Number(n.value)); edited(); schedule();
      });
      deployed.appendChild(n);
      const loading = document.createElement("td");
      if (h.base.loading === null) loading.appendChild(unknownLoading(i, h));
      else {
        const maxLoading = h.max_loading || Math.max(1, Math.ceil(2 * (h.base.loading || h.loading)));
        const ls = slider(0, maxLoading, 0.1, h.loading, `${h.display}: warheads per launcher`,
          (v) => { setHolding(i, h, "loading", v); edited(); schedule(); });
        ls.querySelector("input").className = "loading";
        loading.appendChild(ls);
      }
      const alert = document.createElement("td");
      if (!h.fixed) {
        const as = slider(0, 1, 0.05, h.alert[posture], `${h.display}: alert fraction`,
          (v) => { setHolding(i, h, "alert", v); edited(); schedule(); });
        as.querySelector("input").className = "alert";
        alert.appendChild(as);
      } else {
        alert.textContent = "silo";
        alert.className = "small";
      }
      const src = document.createElement("span");
      src.className = "srcs";
      src.appendChild(sourceLinks(h.sources, 2));
      name.append(document.createElement("br"), src);
      tr.append(name, deployed, loading, alert);
      body.appendChild(tr);
    }
  }

  // A loading the force does not know (null): an empty field and a note, never 0. What is
  // typed becomes the scenario's assumption; emptying it makes the loading unknown again.
  function unknownLoading(i, h) {
    const wrap = document.createElement("span");
    wrap.className = "unknown";
    const input = document.createElement("input");
    input.type = "number"; input.min = "0"; input.step = "any";
    input.max = String(h.max_loading || LIMITS.loading);
    input.className = "loading";
    input.placeholder = "not known";
    input.value = h.loading === null ? "" : String(h.loading);
    input.setAttribute("aria-label", `${h.display}: warheads per launcher (not known)`);
    const note = document.createElement("span");
    note.className = "small unknown-note";
    note.textContent = "not known; needed for the strategic exchange: give warheads per launcher";
    input.setAttribute("aria-describedby", (note.id = `unknown-${i}-${h.key.replace(/\W/g, "_")}`));
    input.addEventListener("input", () => {
      if (!validate(input)) return;
      setHolding(i, h, "loading", input.value === "" ? null : Number(input.value));
      edited(); schedule();
    });
    wrap.append(input, note);
    return wrap;
  }

  function markChanged(i, side) {
    for (const h of side.holdings) {
      const tr = $(`fieldset.side[data-side="${i}"] tr[data-key="${CSS.escape(h.key)}"]`);
      if (!tr) continue;
      const loadingChanged = h.loading === null || h.base.loading === null
        ? h.loading !== h.base.loading : Math.abs(h.loading - h.base.loading) > 1e-9;
      const changed = h.deployed !== h.base.deployed || loadingChanged ||
        Object.keys(h.alert).some((k) => Math.abs(h.alert[k] - h.base.alert[k]) > 1e-9);
      tr.classList.toggle("changed", changed);
    }
  }

  function wireControls() {
    document.addEventListener("input", (e) => bigValidity(e.target), true);
    $$("fieldset.side").forEach((box) => {
      const i = Number(box.dataset.side);
      $(".party", box).addEventListener("change", (e) => {
        party(i).force = latest(e.target.value);
        delete party(i).modifications;
        bandPreset = null;
        edited();
        renderSide(0); renderSide(1);
        schedule(0);
      });
      $(".date", box).addEventListener("change", (e) => {
        party(i).force = e.target.value;
        delete party(i).modifications;
        bandPreset = null;
        edited();
        schedule(0);
      });
      $(".posture", box).addEventListener("change", (e) => {
        if (e.target.value === "day_to_day") delete party(i).posture;
        else party(i).posture = e.target.value;
        edited();
        schedule(0);
      });
      $(".lua", box).addEventListener("change", (e) => {
        if (e.target.checked) party(i).lua = true; else delete party(i).lua;
        edited();
        schedule(0);
      });
      $(".w80", box).addEventListener("input", (e) => {
        if (!validate(e.target)) return;
        const v = Number(e.target.value);
        if (e.target.value !== "") party(i).w80 = v; else delete party(i).w80;
        edited();
        schedule();
      });
      $(".interceptors", box).addEventListener("input", (e) => {
        if (!validate(e.target)) return;
        const v = Number(e.target.value);
        if (e.target.value !== "" && v > 0) party(i).defense = { ...(party(i).defense || {}), interceptors: v };
        else delete party(i).defense;
        edited();
        schedule();
      });
    });
    $("#de").addEventListener("input", (e) => {
      state.scenario.parameters.de = Number(e.target.value);
      $("#de-value").textContent = Number(e.target.value).toFixed(2);
      edited();
      schedule();
    });
    $("#kmax").addEventListener("change", (e) => {
      state.scenario.parameters.kmax = Number(e.target.value);
      edited();
      schedule(0);
    });
    $("#treaty").addEventListener("change", (e) => {
      if (e.target.value) state.scenario.treaty = e.target.value; else delete state.scenario.treaty;
      state.caps = {};  // another treaty's ceilings never carry over
      edited();
      renderCaps();
      schedule(0);
    });
    $("#preset").addEventListener("change", async (e) => {
      if (!e.target.value) return;
      try {
        const answer = await api(`/api/presets/${encodeURIComponent(e.target.value)}`);
        const uncertain = Object.keys(answer.scenario.uncertain || {}).length || answer.ignored.some((x) => x.startsWith("uncertain"));
        bandPreset = uncertain ? e.target.value : null;
        showNotes(answer.notes);
        dropped = []; showDropped();
        loading = true;
        setState({ scenario: answer.scenario, caps: {} });
      } catch (err) { showError("#upload-error", err.message); }
    });
    $("#reset").addEventListener("click", () => {
      dropped = []; showDropped(); showNotes(null);
      bandPreset = null;
      showError("#upload-error", null);
      $("#preset").value = "";
      for (const id of Object.values(PANEL_FORMS)) {
        const f = $(id);
        if (!f) continue;
        f.reset();
        $$("select[data-initial]", f).forEach((x) => { x.value = x.dataset.initial; });
        f.dispatchEvent(new Event("change"));
      }
      setState(defaultState());
    });
    $("#download").addEventListener("click", download);
    $("#upload").addEventListener("change", upload);
    $("#share").addEventListener("click", async () => {
      writeHash();
      try { await navigator.clipboard.writeText(location.href); $("#share").textContent = "Link copied"; }
      catch (e) { $("#share").textContent = "Copy the address bar"; }
    });
    for (const id of Object.values(PANEL_FORMS)) {
      const f = $(id);
      if (f) { f.addEventListener("change", writeHash); f.addEventListener("input", writeHash); }
    }
    window.addEventListener("hashchange", () => {
      if (location.hash === "#" + linkParams().toString() || !/[=]/.test(location.hash)) return;
      const read = readLink(location.hash);
      dropped = read.drops; showDropped();
      if (read.state) { loading = true; setState(read.state); }
    });
  }

  // --- scenario files -----------------------------------------------------------------------

  async function download() {
    try {
      const answer = await api("/api/scenario/yaml", state.scenario);
      saveBlob(new Blob([answer.text], { type: "application/yaml" }), answer.filename);
      showError("#upload-error", null);
    } catch (err) { showError("#upload-error", err.message); }
  }

  function saveBlob(blob, filename) {
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = filename;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  }

  async function upload(event) {
    const file = event.target.files[0];
    if (!file) return;
    try {
      const text = await file.text();
      const answer = await api("/api/scenario/parse", { text });
      showError("#upload-error", null);
      showNotes(answer.notes);
      bandPreset = null;
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
    $("#results").classList.add("stale");
    clearTimeout(timer);
    timer = setTimeout(explore, delay === undefined ? DEBOUNCE_MS : delay);
  }

  // A refused part of a link or preset (an unknown holding, a ceiling of another treaty) is
  // dropped and the rest shown; the notice says what was dropped.
  function dropField(field) {
    let m = field && field.match(/^parties\.(\d)\.modifications\.holdings\.([^.]+)/);
    if (m) {
      delete holdingMods(Number(m[1]))[m[2]];
      prune(party(Number(m[1])));
      dropped.push(`side ${"AB"[m[1]]} holding ${m[2]} (not in this force)`);
      return true;
    }
    m = field && field.match(/^caps\.(.+)$/);
    if (m && state.caps[m[1]] !== undefined) {
      delete state.caps[m[1]];
      dropped.push(`ceiling ${human(m[1])}`);
      return true;
    }
    return dropScenarioField(field && field.replace(/^scenario\./, ""));
  }

  // An uncertain input the server refused (the longest path the field starts with; all of
  // them when the field is the whole block), or the samples or seed.
  function dropScenarioField(field) {
    const s = state.scenario;
    let m = field && field.match(/^uncertain(?:\.(.+))?$/);
    if (m && s.uncertain) {
      const keys = Object.keys(s.uncertain);
      const hit = m[1] === undefined ? keys
        : keys.filter((k) => m[1] === k || m[1].startsWith(`${k}.`)).sort((x, y) => y.length - x.length).slice(0, 1);
      if (!hit.length) return false;
      for (const k of hit) { delete s.uncertain[k]; dropped.push(`uncertain input ${k}`); }
      if (!Object.keys(s.uncertain).length) delete s.uncertain;
      return true;
    }
    m = field && field.match(/^(samples|seed)$/);
    if (m && s[m[1]] !== undefined) {
      delete s[m[1]];
      dropped.push(m[1] === "samples" ? "Monte Carlo samples" : "seed");
      return true;
    }
    return false;
  }

  async function explore() {
    if (controller) controller.abort();
    controller = new AbortController();
    const mine = ++sequence;
    document.body.dataset.busy = "1";
    try {
      let answer = null;
      for (let tries = 0; ; tries++) {
        try {
          answer = await api("/api/explore", state, controller.signal);
          break;
        } catch (err) {
          if (!(loading && err.status === 422 && tries < 8 && dropField(err.field))) throw err;
          showDropped();
          writeHash();
        }
      }
      if (mine !== sequence) return;
      loading = false;
      incomplete = !answer.stability;
      if (incomplete) { renderNeeds(answer); return; }
      last = answer;
      showError("#error", null);
      render(answer);
      $("#results").classList.remove("stale");
    } catch (err) {
      if (err.name === "AbortError" || mine !== sequence) return;
      loading = false;
      showError("#error", `${err.message} The results below are from the last valid inputs.`);
    } finally {
      if (mine === sequence) delete document.body.dataset.busy;
    }
  }

  // The index needs figures the forces do not know (a null loading): the holdings are shown,
  // with those fields empty, and the results stay those of the last complete inputs.
  function renderNeeds(answer) {
    chartSequence += 1;  // the charts of an earlier, complete state are not this state's
    if (chartController) chartController.abort();
    answer.sides.forEach((side, i) => {
      renderHoldings(i, side);
      markChanged(i, side);
      $(`fieldset.side[data-side="${i}"] .w80-note`).textContent = side.w80_note;
    });
    const what = answer.needs.map((n) => n.detail).join("; ");
    showError("#error", `The index cannot be computed: ${what}. Null is never zero: give the loading ` +
      "in the holdings table (an assumption of this scenario). The results below are from the last complete inputs.");
  }

  function render(answer) {
    const s = answer.stability;
    const labels = answer.sides.map((x) => x.label);
    const fsi = $("#fsi");
    fsi.textContent = fix(s.fsi, 2);
    fsi.dataset.value = String(s.fsi);
    if (!performance.getEntriesByName("detente:first-number").length) {
      performance.mark("detente:first-number", { detail: { plotly: plotlyReady() } });
    }
    $("#fsi-bar").style.width = `${Math.round(100 * Math.max(0, Math.min(1, s.fsi)))}%`;
    $("#reading").textContent = answer.reading;
    const rows = answer.sides.map((side, j) => {
      const k = side.label;
      const tr = document.createElement("tr");
      const th = document.createElement("th");
      th.scope = "row";
      th.textContent = answer.names[k] || k;
      th.className = "party-name";
      th.style.color = colour(k, j);
      tr.appendChild(th);
      const cells = [[fix(s.C1[k], 2), s.C1[k]], [fix(s.C2[k], 2), s.C2[k]],
        [fix(s.r_uncapped[k], 2), s.r_uncapped[k]], [int(s.x_star[k]), s.x_star[k]], [int(s.w80[k]), s.w80[k]]];
      for (const [text, value] of cells) {
        const td = document.createElement("td");
        td.textContent = text;
        td.title = String(value);
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
      note.textContent = `${int(side.w80)} warheads: ${side.w80_note}`;
      const d = side.defense;
      const defenseNote = $(`fieldset.side[data-side="${i}"] .defense-note`);
      defenseNote.replaceChildren();
      if (d) {
        defenseNote.append(`P(kill an engaged warhead) ${fix(d.intercept_probability, 2)}, engages at most ${int(d.capacity)} warheads (${d.note}) `,
          sourceLinks(answer.defense_sources));
      }
    });
    if ($("#caps").dataset.treaty !== (state.scenario.treaty || "") || $("#caps input[placeholder='treaty value']")) renderCaps();
    renderCompliance(answer);
    renderSweepInputs();
    refreshCharts();
    document.dispatchEvent(new CustomEvent("detente:rendered"));
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
    for (const h of ["Side", "Limit", "Count", "Ceiling", "Margin", "Verdict (basis; range)", "Sources"]) {
      const th = document.createElement("th"); th.scope = "col"; th.textContent = h; head.appendChild(th);
    }
    table.appendChild(document.createElement("thead")).appendChild(head);
    const body = table.appendChild(document.createElement("tbody"));
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
      body.appendChild(tr);
    };
    for (const [label, result] of Object.entries(answer.compliance)) {
      const who = answer.names[label] || label;
      for (const limit of result.limits) addRow([who, limit.label, limit.count, limit.limit, limit.margin], limit);
      for (const ban of result.bans) addRow([who, `ban: ${ban.label}`, ban.count, 0, ""], ban);
    }
    box.replaceChildren(standing, table);
    $("#compliance-sources").replaceChildren(`${answer.treaty.name}: `, sourceLinks(answer.treaty.sources));
  }

  // --- charts: plotly JSON from the server (POST /api/chart), drawn once plotly.js has loaded --
  // Every figure is built by the server's figure builders (the reports' and the API's own), with
  // its title, scenario, date and sources in the image; the page only hands it to plotly.

  const charts = {};  // id -> the server's answer {figure, caption, csv, summary}
  const PLOTS = { drawdown: "drawdown", domain: "domain", sweep: "sweep-plot", weapons: "weapons-plot", agreement: "agreement-plot" };
  let chartSequence = 0;
  let incomplete = false;  // the state needs a figure the forces do not know: no charts for it
  let chartController = null;
  let bandPreset = null;  // the preset whose uncertain inputs give the sweep its Monte Carlo band

  function plotlyReady() { return typeof window.Plotly !== "undefined"; }

  function drawChart(id) {
    const answer = charts[id];
    if (!answer || !plotlyReady()) return;
    const div = document.getElementById(PLOTS[id]);
    $$(".loading", div).forEach((e) => e.remove());
    div.classList.add("drawn");  // its full height (app.css) before plotly measures it
    const config = { ...PLOT_CONFIG, toImageButtonOptions: { format: "png", width: 900, height: 600, filename: `detente-${id}` } };
    Plotly.react(div, answer.figure.data, answer.figure.layout, config);
    div.dataset.chart = answer.figure.layout.meta.date;
  }

  function drawCharts() { Object.keys(charts).forEach(drawChart); }

  // Keep the server's answer for chart `id`, show its caption and draw it.
  function showChart(id, answer) {
    charts[id] = answer;
    const caption = $(`.figure-card[data-figure="${id}"] .caption`);
    if (caption) caption.textContent = answer.caption;
    drawChart(id);
  }

  async function fetchChart(id, extra) {
    const answer = await api("/api/chart", { chart: id, state, ...(extra || {}) });
    showChart(id, answer);
    return answer;
  }

  // The draw-down curves and the probability domain of the state just explored, once plotly.js
  // is there to draw them (so they never queue before the first number); a newer state cancels
  // the requests of an older one.
  async function refreshCharts() {
    if (!plotlyReady() || incomplete) return;  // asked again when plotly.js has loaded
    const mine = ++chartSequence;
    if (chartController) chartController.abort();
    chartController = new AbortController();
    const signal = chartController.signal;
    for (const id of ["drawdown", "domain"]) {
      try {
        const answer = await api("/api/chart", { chart: id, state }, signal);
        if (mine === chartSequence) showChart(id, answer);
      } catch (err) {
        if (err.name === "AbortError" || mine !== chartSequence) return;
        showError("#error", `could not draw the ${id} chart: ${err.message}`);
      }
    }
  }

  // --- the index against one input (any control as the x axis) -----------------------------

  // The inputs the x axis can take for the current state: [scenario path, label, low, high].
  function sweepInputs() {
    if (!last) return [];
    const out = [["parameters.de", "Damage expectancy (DE)", 0.3, 1]];
    last.sides.forEach((side, i) => {
      const who = last.names[side.label] || side.label;
      const at = `parties.${side.label}`;
      out.push([`${at}.w80`, `${who}: w80 (warheads for 80 % damage)`, Math.max(1, Math.round(side.w80 / 4)), Math.round(side.w80 * 2.5)]);
      out.push([`${at}.defense.interceptors`, `${who}: missile-defence interceptors`, 0, 2000]);
      for (const h of side.holdings.filter((x) => STRATEGIC.has(x.category) && x.deployed > 0)) {
        const key = `${at}.holdings.${h.key}`;
        out.push([`${key}.launchers.deployed`, `${who}, ${h.display}: deployed launchers`, 0, Math.max(10, 2 * h.deployed)]);
        out.push([`${key}.loading`, `${who}, ${h.display}: warheads per launcher`, 0, h.max_loading || Math.max(1, Math.ceil(2 * h.loading))]);
        if (!h.fixed) {
          const posture = party(i).posture || "day_to_day";
          out.push([`${key}.alert.${posture}`, `${who}, ${h.display}: alert fraction`, 0, 1]);
        }
      }
    });
    return out;
  }

  function renderSweepInputs() {
    const select = $("#sweep-input");
    const current = select.value;
    select.replaceChildren(...sweepInputs().map(([id, label]) => option(id, label, id === current)));
  }

  // One request: the server evaluates every point (and the band's samples) in one batched call.
  async function drawSweep() {
    const input = sweepInputs().find((x) => x[0] === $("#sweep-input").value);
    if (!input) return;
    const [path, , low, high] = input;
    const status = $("#sweep-status");
    status.textContent = "calculating…";
    document.body.dataset.sweepBusy = "1";
    try {
      const answer = await fetchChart("sweep", { input: path, low, high, points: 11, ...(bandPreset ? { preset: bandPreset } : {}) });
      status.textContent = answer.summary;
      $("#sweep-note").textContent = answer.band.length
        ? `Shaded: the index's 5th to 95th percentile over the ${answer.band.length} uncertain inputs of the scenario${bandPreset ? ` (preset ${bandPreset})` : ""} (Monte Carlo); the line is the index as set.`
        : "No Monte Carlo band here: the page's scenario has no uncertain inputs. A preset with uncertain inputs (New START expiry, for one) draws the band.";
      $("#sweep-sources").replaceChildren("Sources: ", sourceLinks(last.parameter_sources));
    } catch (err) {
      status.textContent = `could not draw: ${err.message}`;
    } finally {
      delete document.body.dataset.sweepBusy;
    }
  }

  // --- the weapons domain: the index over both sides' force sizes (one batched call) ---------

  async function drawWeapons() {
    if (!last) return;
    const status = $("#weapons-status");
    status.textContent = "calculating…";
    document.body.dataset.weaponsBusy = "1";
    try {
      const answer = await fetchChart("weapons");
      status.textContent = answer.summary;
      $("#weapons-sources").replaceChildren("Sources: ", sourceLinks([...new Set([...last.parameter_sources, ...last.sides.flatMap((x) => x.sources)])]));
    } catch (err) {
      status.textContent = `could not draw: ${err.message}`;
    } finally {
      delete document.body.dataset.weaponsBusy;
    }
  }

  // --- exports: the drawn figure as PNG or SVG (its title, scenario, date and sources are in
  // the figure itself) and the server's CSV of its data -----------------------------------------

  async function exportImage(id, format) {
    if (!charts[id] || !plotlyReady()) return;
    const url = await Plotly.toImage(document.getElementById(PLOTS[id]), { format, width: 900, height: 600 });
    saveBlob(dataUrlBlob(url), `detente-${id}.${format}`);
  }

  // A data: URL as a Blob (fetch() of a data: URL is outside the page's connect-src).
  function dataUrlBlob(url) {
    const comma = url.indexOf(",");
    const meta = url.slice(5, comma);
    const body = url.slice(comma + 1);
    const type = meta.split(";")[0];
    if (meta.endsWith(";base64")) {
      const bytes = Uint8Array.from(atob(body), (c) => c.charCodeAt(0));
      return new Blob([bytes], { type });
    }
    return new Blob([decodeURIComponent(body)], { type });
  }

  function exportCsv(id) {
    if (charts[id]) saveBlob(new Blob([charts[id].csv], { type: "text/csv" }), `detente-${id}.csv`);
  }

  function wireExports() {
    $$(".figure-card").forEach((card) => {
      const id = card.dataset.figure;
      const box = $(".exports", card);
      const title = card.querySelector("h2, h3").textContent;
      for (const [format, label] of [["png", "PNG"], ["svg", "SVG"], ["csv", "CSV data"]]) {
        const b = document.createElement("button");
        b.type = "button";
        b.className = "export";
        b.dataset.format = format;
        b.textContent = label;
        b.setAttribute("aria-label", `Download ${title} as ${label}`);
        b.addEventListener("click", () => (format === "csv" ? exportCsv(id) : exportImage(id, format)));
        box.appendChild(b);
      }
    });
  }
  window.detenteCharts = { charts, showChart, exportImage, exportCsv };

  // --- definitions on hover and focus --------------------------------------------------------

  function wireTips() {
    const tip = $("#tip");
    const show = (el) => {
      const def = document.getElementById(`def-${el.dataset.term}`);
      if (!def) return;
      tip.textContent = def.textContent;
      tip.hidden = false;
      const r = el.getBoundingClientRect();
      const width = Math.min(320, document.documentElement.clientWidth - 16);
      tip.style.maxWidth = `${width}px`;
      const left = Math.max(8, Math.min(r.left + window.scrollX, window.scrollX + document.documentElement.clientWidth - width - 8));
      tip.style.left = `${left}px`;
      tip.style.top = `${r.bottom + window.scrollY + 6}px`;
    };
    const hide = () => { tip.hidden = true; };
    document.addEventListener("mouseover", (e) => { const t = e.target.closest(".term"); if (t) show(t); });
    document.addEventListener("mouseout", (e) => { if (e.target.closest(".term")) hide(); });
    document.addEventListener("focusin", (e) => { const t = e.target.closest(".term"); if (t) show(t); else hide(); });
    document.addEventListener("keydown", (e) => { if (e.key === "Escape") hide(); });
  }

  // --- start --------------------------------------------------------------------------------

  async function start() {
    wireTips();
    wireExports();
    $("#sweep-draw").addEventListener("click", drawSweep);
    $("#weapons-draw").addEventListener("click", drawWeapons);
    const script = document.getElementById("plotly-js");
    if (script) script.addEventListener("load", () => { drawCharts(); if (last) refreshCharts(); });
    try {
      const [f, t, presets] = await Promise.all([api("/api/forces"), api("/api/treaties"), api("/api/presets")]);
      forces = f;
      treaties = t;
      $("#treaty").append(...treaties.map((x) => option(x.id, x.id.startsWith("treaties/") ? `${x.name} (example)` : x.name)));
      $("#preset").append(...presets.map((p) => option(p.name, (p.title || human(p.name.replace(/-/g, " "))) + (p.partial ? " (in part; whole in the report)" : ""))));
      wireControls();
      await (window.detentePanelsReady || Promise.resolve());
      for (const id of Object.values(PANEL_FORMS)) {  // a select's choice as served: the link keeps a change
        $$("select", $(id) || document.createElement("form")).forEach((x) => {
          if (x.dataset.initial === undefined) x.dataset.initial = x.value;
        });
      }
      const read = readLink(location.hash);
      dropped = read.drops;
      showDropped();
      loading = true;
      setState(read.state || defaultState());
    } catch (err) {
      showError("#error", `could not start: ${err.message}`);
    }
  }

  document.addEventListener("DOMContentLoaded", start);
})();

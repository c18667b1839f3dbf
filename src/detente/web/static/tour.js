// detente: a guided tour of about five minutes. It drives the page's own controls (as a reader
// would) on the bundled example scenarios and reads the numbers off the page after each step,
// so it never states a number of its own. Skippable (Escape or "Skip the tour"), keyboard only.
"use strict";

(function () {
  const $ = (sel) => document.querySelector(sel);

  function choose(selector, value) {
    const el = $(selector);
    if (!el || el.value === value) return;
    el.value = value;
    el.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function tick(selector, on) {
    const el = $(selector);
    if (el && el.checked !== on) el.click();
  }

  // Each step: a title, what to look at (an element to highlight), what it does to the page,
  // and the words. {before} and {after} are the index read off the page around the action.
  const STEPS = [
    {
      title: "The question",
      target: "#index-card",
      act: () => choose("#preset", "new-start-expiry"),
      text: "These are the US and Russian forces on the day New START expired. The index asks: " +
        "in a crisis, would either side lose less by striking first than by being struck? 1 means " +
        "neither would. Here it reads {after}; the sentence under it says why, side by side.",
    },
    {
      title: "What a first strike buys",
      target: '.figure-card[data-figure="drawdown"]',
      text: "Each curve is one side striking the other: the more warheads the striker spends on " +
        "the other's missiles and bombers, the more of the other's warheads it destroys, with " +
        "diminishing returns. The dot is the strike that costs the striker least. What survives " +
        "is the retaliation the striker must expect.",
    },
    {
      title: "Alert rates",
      target: "#index-card",
      act: () => { choose('fieldset.side[data-side="0"] .posture', "generated"); choose('fieldset.side[data-side="1"] .posture', "generated"); },
      text: "Both sides now generate their forces as in a crisis: more submarines at sea, bombers " +
        "on alert, mobile missiles dispersed. Fewer launchers can be targeted. The index moved " +
        "from {before} to {after}.",
    },
    {
      title: "Launch under attack",
      target: "#index-card",
      act: () => { tick('fieldset.side[data-side="0"] .lua', true); tick('fieldset.side[data-side="1"] .lua', true); },
      text: "Now each striker expects the other to launch its silo missiles on warning, so a " +
        "strike on silos buys little. The index moved from {before} to {after}. Launch under " +
        "attack has its own danger, a launch on a false alarm, which this index does not count.",
    },
    {
      title: "MIRVed silos",
      target: "#index-card",
      act: () => choose("#preset", "de-mirv-icbms"),
      text: "This example gives every land-based missile a single warhead (START II's MIRV ban), " +
        "forces otherwise as in 2025. A silo with many warheads is a tempting target: one " +
        "warhead can destroy several. Here the index reads {after} (it was {before} in the " +
        "previous step's set-up).",
    },
    {
      title: "Missile defence",
      target: "#index-card",
      act: () => choose("#preset", "golden-dome"),
      text: "This example adds a US missile defence of 1,000 interceptors, an illustrative " +
        "assumption. A defence thins a ragged retaliation more than a full first strike, which " +
        "can lower the cost of striking first: the index reads {after}.",
    },
    {
      title: "What the page cannot show",
      target: "#notes",
      act: () => choose("#preset", "china-1000"),
      text: "China as a third party and the upload race need more than two sides or a " +
        "timeline: the page shows the US-Russia pair of this example and lists what it left " +
        "out above. For the whole picture run `detente assess examples/china-1000.yaml` (or " +
        "upload-race.yaml) and open its report.",
    },
    {
      title: "Your turn",
      target: "#controls",
      act: () => $("#reset").click(),
      text: "The page is back where it started. Change any number in the tables, or pick " +
        "another example. Hover or focus an underlined term for its meaning; every number " +
        "links to its source.",
    },
  ];

  let step = -1;
  let box = null;

  // After an action: the page's next render (or 4 s without one: nothing changed).
  function rendered() {
    return new Promise((resolve) => {
      const done = () => { clearTimeout(timer); document.removeEventListener("detente:rendered", done); resolve(); };
      const timer = setTimeout(done, 4000);
      document.addEventListener("detente:rendered", done);
    });
  }

  function highlight(selector) {
    document.querySelectorAll(".tour-target").forEach((e) => e.classList.remove("tour-target"));
    const el = selector && $(selector);
    if (el && !el.hidden) {
      el.classList.add("tour-target");
      el.scrollIntoView({ block: "nearest", behavior: "smooth" });
    }
  }

  async function show(n) {
    step = n;
    const s = STEPS[n];
    const before = $("#fsi").textContent;
    $("#tour-title").textContent = `${n + 1} of ${STEPS.length}: ${s.title}`;
    $("#tour-text").textContent = "…";
    $("#tour-prev").disabled = n === 0;
    $("#tour-next").textContent = n === STEPS.length - 1 ? "Finish" : "Next";
    if (s.act) { const next = rendered(); s.act(); await next; }
    if (step !== n) return;
    const after = $("#fsi").textContent;
    $("#tour-text").textContent = s.text.replace("{before}", before).replace("{after}", after);
    highlight(s.target);
    box.dataset.step = String(n);
  }

  function open() {
    box = $("#tour");
    box.hidden = false;
    $("#tour-start").setAttribute("aria-expanded", "true");
    show(0).then(() => $("#tour-next").focus());
  }

  function close() {
    box.hidden = true;
    step = -1;
    highlight(null);
    $("#tour-start").setAttribute("aria-expanded", "false");
    $("#tour-start").focus();
  }

  document.addEventListener("DOMContentLoaded", () => {
    const start = $("#tour-start");
    if (!start) return;
    start.addEventListener("click", open);
    $("#tour-next").addEventListener("click", () => (step >= STEPS.length - 1 ? close() : show(step + 1)));
    $("#tour-prev").addEventListener("click", () => step > 0 && show(step - 1));
    $("#tour-skip").addEventListener("click", close);
    document.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && box && !box.hidden) close();
    });
  });
})();

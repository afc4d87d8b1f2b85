// SPDX-License-Identifier: Apache-2.0
// The traveller's display: one EventSource on /events (egate-kiosk,
// display_web.c); each "show" event puts a prompt on the screen in the
// traveller's language with English beneath, its pictogram, the advance
// notice while the face is taken, progress and the step's countdown. The
// language is the kiosk's choice (from the document's nationality) until
// the traveller touches another one; that choice holds until the next
// traveller (the "place your passport" screen). Each message carries its
// text in every language, so choosing one asks nothing of the kiosk.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const NS = "http://www.w3.org/2000/svg";
  // Pictograms: simple line drawings, no text in them (every script reads them).
  const PICTO = {
    place_doc: [["rect", { x: 20, y: 14, width: 60, height: 44, rx: 4 }], ["rect", { x: 28, y: 22, width: 18, height: 22 }],
      ["path", { d: "M52 26h20M52 34h20M52 42h14" }], ["path", { d: "M14 76h72M50 62v10M42 66l8 8 8-8" }]],
    notice: [["circle", { cx: 50, cy: 50, r: 36 }], ["path", { d: "M50 44v26M50 32v2" }]],
    look: [["rect", { x: 24, y: 30, width: 52, height: 36, rx: 6 }], ["circle", { cx: 50, cy: 48, r: 11 }],
      ["path", { d: "M38 30l5-8h14l5 8" }]],
    retake: [["path", { d: "M14 50c10-16 22-24 36-24s26 8 36 24c-10 16-22 24-36 24S24 66 14 50z" }],
      ["circle", { cx: 50, cy: 50, r: 10 }]],
    proceed: [["path", { d: "M16 50h62M58 30l20 20-20 20" }]],
    see_officer: [["circle", { cx: 50, cy: 30, r: 12 }], ["path", { d: "M26 84c0-18 10-30 24-30s24 12 24 30" }],
      ["path", { d: "M38 16h24l-3-8H41z" }]],
    one_person: [["circle", { cx: 50, cy: 28, r: 12 }], ["path", { d: "M28 86c0-20 9-34 22-34s22 14 22 34" }]],
    out_of_service: [["circle", { cx: 50, cy: 50, r: 36 }], ["path", { d: "M28 50h44" }]],
  };
  const NOTICE_TITLE = { en: "Automated face comparison", ko: "자동 얼굴 비교", ja: "自動顔照合", zh: "自动人脸比对" };
  let notice = null;	// the advance notice of this passage, while the face is taken
  let timer = null, until = 0;
  const log = [];	// every message shown (read by the browser test)
  let frozen = false;	// the browser test renders old messages again meanwhile
  let chosen = null;	// the traveller's own language for this passage, or null
  let current = null;	// the message on the screen

  function picto(name) {
    const svg = document.createElementNS(NS, "svg");
    svg.setAttribute("viewBox", "0 0 100 100");
    for (const [tag, attrs] of PICTO[name] || []) {
      const el = document.createElementNS(NS, tag);
      for (const k in attrs) el.setAttribute(k, attrs[k]);
      svg.appendChild(el);
    }
    $("pictogram").replaceChildren(svg);
  }

  function tick() {
    const left = Math.max(0, Math.ceil((until - Date.now()) / 1000));
    $("countdown").textContent = left > 0 ? left + " s" : "";
    if (left <= 0 && timer) { clearInterval(timer); timer = null; }
  }

  function show(m) {
    log.push(m);
    if (!frozen) render(m);
  }

  // The language a message is shown in: the traveller's choice when the
  // message has it, else the kiosk's.
  function langOf(m) {
    return chosen && m.texts && typeof m.texts[chosen] === "string" ? chosen : m.lang;
  }

  function textOf(m, lang) {
    return lang === m.lang ? m.text : m.texts[lang];
  }

  function buttons(lang) {
    document.querySelectorAll("#langs button").forEach((b) => {
      b.setAttribute("aria-pressed", b.dataset.lang === lang ? "true" : "false");
    });
  }

  function choose(lang) {
    chosen = lang;
    if (current) render(current);
  }

  // Put one message on the screen (the browser test renders each again).
  function render(m) {
    const main = $("screen");
    if (m.prompt === "notice") {	// shown with the face prompts that follow
      notice = m;
      return;
    }
    if (m.prompt !== "look" && m.prompt !== "retake") notice = null;
    // a new traveller (or a closed lane): the kiosk's language again
    if (m.prompt === "place_doc" || m.prompt === "out_of_service") chosen = null;
    current = m;
    const lang = langOf(m);
    document.documentElement.lang = lang;
    main.dataset.prompt = m.prompt;
    main.dataset.outcome = m.outcome;
    main.dataset.lang = lang;
    picto(m.prompt);
    $("text").textContent = textOf(m, lang);
    $("text").lang = lang;
    $("text-en").textContent = lang === "en" ? "" : m.text_en;
    $("text-en").lang = "en";
    buttons(lang);
    if (notice) {
      const nl = langOf(notice);
      $("notice").hidden = false;
      $("notice").lang = nl;
      $("notice-title").textContent = NOTICE_TITLE[nl] || NOTICE_TITLE.en;
      $("notice-text").textContent = textOf(notice, nl);
    } else {
      $("notice").hidden = true;
    }
    const p = m.progress;
    $("progress").hidden = p < 0;
    $("progress").setAttribute("aria-valuenow", p < 0 ? 0 : p);
    $("bar").style.width = (p < 0 ? 0 : p) + "%";
    if (timer) { clearInterval(timer); timer = null; }
    until = m.countdown > 0 && m.outcome === "none" ? Date.now() + m.countdown * 1000 : 0;
    tick();
    if (until) timer = setInterval(tick, 250);
  }

  // For the browser test: the log, one message rendered again, and a pause
  // of live rendering while it does (the screen catches up afterwards).
  window.egateDisplay = {
    log, render, choose,
    freeze(f) {
      frozen = f;
      if (!f) log.filter((m) => m.prompt !== "notice").slice(-1).forEach(render);
    },
  };

  function connect() {
    const es = new EventSource("/events");
    es.addEventListener("open", () => { $("link").className = "up"; $("link").textContent = ""; });
    es.addEventListener("error", () => { $("link").className = ""; $("link").textContent = "connecting…"; });
    es.addEventListener("show", (e) => {
      try { show(JSON.parse(e.data)); } catch (err) { $("link").textContent = "bad message: " + err; }
    });
  }
  document.querySelectorAll("#langs button").forEach((b) => {
    b.addEventListener("click", () => choose(b.dataset.lang));
  });
  connect();
}());

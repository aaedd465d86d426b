/* 长者模式 (适老化): larger text and high contrast in one press, then each setting alone.
   Loaded in <head> so a remembered choice applies before the first paint. No framework. */
(function () {
  "use strict";
  var KEY = "sb-elder";
  var SIZES = [1, 1.25, 1.5, 1.75, 2];   /* text size steps; 长者模式 starts at 1.5 */
  var ON = {on: true, size: 2, contrast: true, spacing: false, cursor: false, guide: false};
  var root = document.documentElement;
  var state = read();

  function read() {
    try {
      var s = JSON.parse(localStorage.getItem(KEY) || "null");
      if (s && typeof s === "object") return s;
    } catch (e) { /* private browsing: not remembered, still works */ }
    return {on: false, size: 0};
  }
  function save() {
    try { localStorage.setItem(KEY, JSON.stringify(state)); } catch (e) { /* ignored */ }
  }
  function apply() {
    var on = !!state.on;
    var size = on ? Math.max(0, Math.min(SIZES.length - 1, state.size | 0)) : 0;
    root.style.fontSize = size ? (SIZES[size] * 100) + "%" : "";
    root.classList.toggle("elder", on);
    ["contrast", "spacing", "cursor", "guide"].forEach(function (name) {
      root.classList.toggle("elder-" + name, on && !!state[name]);
    });
    var bar = document.getElementById("elder-bar");
    if (!bar) return;
    bar.hidden = !on;
    var toggle = document.querySelector("[data-elder-toggle]");
    toggle.setAttribute("aria-pressed", on ? "true" : "false");
    toggle.setAttribute("aria-expanded", on ? "true" : "false");
    var buttons = bar.querySelectorAll("[data-elder]");
    for (var i = 0; i < buttons.length; i++) {
      var name = buttons[i].getAttribute("data-elder");
      buttons[i].setAttribute("aria-pressed", state[name] ? "true" : "false");
    }
    bar.querySelector("[data-size-down]").disabled = size <= 0;
    bar.querySelector("[data-size-up]").disabled = size >= SIZES.length - 1;
    bar.querySelector("[data-size-shown]").textContent = Math.round(SIZES[size] * 100) + "%";
    if (!on) stopSpeaking();
  }
  apply();

  /* Speech: only where the browser has a Chinese voice. */
  var speaking = false;
  function chineseVoice() {
    if (!window.speechSynthesis) return null;
    var voices = speechSynthesis.getVoices();
    for (var i = 0; i < voices.length; i++) {
      if (/^zh/i.test(voices[i].lang)) return voices[i];
    }
    return null;
  }
  function stopSpeaking() {
    if (speaking && window.speechSynthesis) speechSynthesis.cancel();
    speaking = false;
    var b = document.querySelector("[data-speak]");
    if (b) { b.setAttribute("aria-pressed", "false"); }
  }
  function speak(button) {
    if (speaking) { stopSpeaking(); return; }
    var voice = chineseVoice();
    var main = document.querySelector(".prose") || document.getElementById("main");
    if (!voice || !main) return;
    var said = new SpeechSynthesisUtterance(main.innerText.replace(/\s+/g, " ").trim());
    said.voice = voice;
    said.lang = voice.lang;
    said.rate = 0.9;
    said.onend = said.onerror = function () { speaking = false; button.setAttribute("aria-pressed", "false"); };
    speaking = true;
    button.setAttribute("aria-pressed", "true");
    speechSynthesis.speak(said);
  }

  function setup() {
    var toggle = document.querySelector("[data-elder-toggle]");
    var bar = document.getElementById("elder-bar");
    if (!toggle || !bar) return;
    toggle.addEventListener("click", function () {
      state = state.on ? {on: false, size: 0} : JSON.parse(JSON.stringify(ON));
      save(); apply();
    });
    bar.addEventListener("click", function (e) {
      var b = e.target.closest("button");
      if (!b) return;
      if (b.hasAttribute("data-size-up")) state.size = (state.size | 0) + 1;
      else if (b.hasAttribute("data-size-down")) state.size = (state.size | 0) - 1;
      else if (b.hasAttribute("data-elder")) {
        var name = b.getAttribute("data-elder");
        state[name] = !state[name];
      } else if (b.hasAttribute("data-speak")) { speak(b); return; }
      else if (b.hasAttribute("data-elder-off")) { state = {on: false, size: 0}; toggle.focus(); }
      state.size = Math.max(0, Math.min(SIZES.length - 1, state.size | 0));
      save(); apply();
    });
    var speakButton = bar.querySelector("[data-speak]");
    function offerSpeech() { speakButton.hidden = !chineseVoice(); }
    if (window.speechSynthesis) {
      offerSpeech();
      speechSynthesis.addEventListener("voiceschanged", offerSpeech);
    }
    /* The reading guide follows the pointer, and the keyboard's focus. */
    var line = document.getElementById("elder-guide-line");
    function moveTo(y) { line.style.transform = "translateY(" + Math.round(y) + "px)"; }
    document.addEventListener("mousemove", function (e) { moveTo(e.clientY); }, {passive: true});
    document.addEventListener("focusin", function (e) {
      var r = e.target.getBoundingClientRect();
      moveTo(r.bottom + 2);
    });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape") stopSpeaking();
    });
    window.addEventListener("pagehide", stopSpeaking);
    apply();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();

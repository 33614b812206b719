// Chapters, transcript times and highlights seek the episode's own player: a link with data-seek
// plays from that second instead of opening the audio file (which is what it does without script).
(function () {
  "use strict";
  const audio = document.querySelector("figure.episode audio");
  if (!audio) return;
  document.addEventListener("click", function (event) {
    const link = event.target.closest("a[data-seek]");
    if (!link) return;
    const seconds = Number(link.getAttribute("data-seek"));
    if (!Number.isFinite(seconds) || seconds < 0) return;
    event.preventDefault();
    audio.currentTime = seconds;
    audio.play().catch(function () { /* autoplay refused: the position is set, the learner presses play */ });
    audio.focus();
  });
})();

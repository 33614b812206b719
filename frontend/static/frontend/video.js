// Click-to-load YouTube player: until the learner asks for the video, nothing is requested from a
// third party. The button becomes a youtube-nocookie.com iframe (the only frame host the CSP allows).
(function () {
  "use strict";
  document.querySelectorAll("button.video-facade[data-video-id]").forEach(function (button) {
    button.addEventListener("click", function () {
      const id = button.getAttribute("data-video-id");
      if (!/^[A-Za-z0-9_-]{6,20}$/.test(id)) return;
      const frame = document.createElement("iframe");
      frame.className = "video-frame";
      frame.src = "https://www.youtube-nocookie.com/embed/" + id + "?autoplay=1&rel=0";
      frame.title = button.getAttribute("data-title") || "Video";
      frame.allow = "accelerometer; autoplay; encrypted-media; gyroscope; picture-in-picture";
      frame.allowFullscreen = true;
      frame.referrerPolicy = "strict-origin-when-cross-origin";
      button.replaceWith(frame);
      frame.focus();
    });
  });
})();

/* Tidings: the little script the reader needs. Pages work without it; it registers the service worker
   and tells it which saved articles to keep for reading offline. No inline script anywhere (see the CSP). */
"use strict";

(function () {
  if (!("serviceWorker" in navigator)) {
    return;
  }

  function ask(message) {
    return navigator.serviceWorker.ready.then(function (registration) {
      return new Promise(function (resolve) {
        var channel = new MessageChannel();
        channel.port1.onmessage = function (event) {
          resolve(event.data || {});
        };
        registration.active.postMessage(message, [channel.port2]);
      });
    });
  }

  function keepSavedList(status) {
    var links = document.querySelectorAll(".saved-list .item-title a");
    var urls = Array.prototype.map.call(links, function (a) {
      return a.href;
    });
    ask({ type: "saved", urls: urls }).then(function (answer) {
      if (answer.ok) {
        status.textContent =
          answer.kept === 1
            ? "1 saved article is kept on this device for reading offline."
            : answer.kept + " saved articles are kept on this device for reading offline.";
        status.setAttribute("data-offline-ready", String(answer.kept));
      }
    });
  }

  navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function () {
    var status = document.querySelector("[data-offline-list='saved']");
    if (status) {
      keepSavedList(status);
    }
    var article = document.querySelector("[data-saved='true']");
    if (article) {
      ask({ type: "keep", url: window.location.pathname });
    }
  });

  document.addEventListener("submit", function (event) {
    if (event.target.classList && event.target.classList.contains("logout-form") && navigator.serviceWorker.controller) {
      /* Another reader may use this device next: forget this one's saved pages. */
      navigator.serviceWorker.controller.postMessage({ type: "clear" });
    }
  });
})();

// briefkit serve: live reload. The server sends every brief's version (Server-Sent Events at /_events) whenever
// one changes; this page then fetches itself again and swaps in the parts that change (the bar and the problems
// overlay, or the index's table), and swaps the brief's new page into the frame in place, so the reader's
// scroll position stays where it was. The brief's page itself runs no script (its frame is sandboxed).
"use strict";

(function () {
  const body = document.body;
  const kind = body.dataset.page;
  const brief = body.dataset.brief || "";
  let shown = body.dataset.version;
  let latest = 0;
  let hiddenKey = null;

  function live(text, ok) {
    const mark = document.getElementById("live");
    if (mark) {
      mark.textContent = text;
      mark.className = ok ? "live" : "live off";
    }
  }

  async function fetchText(url) {
    const response = await fetch(url, { cache: "no-store", credentials: "same-origin" });
    return response.text();
  }

  function swap(fresh, id) {
    const old = document.getElementById(id);
    const next = fresh.getElementById(id);
    if (old && next) {
      old.replaceWith(document.adoptNode(next));
    }
  }

  function swapShell(text) {
    const fresh = new DOMParser().parseFromString(text, "text/html");
    if (kind === "index") {
      swap(fresh, "main");
      return;
    }
    const wasLive = document.getElementById("live");
    const status = wasLive ? [wasLive.textContent, wasLive.className] : null;
    swap(fresh, "bar");
    swap(fresh, "overlay");
    if (status) {
      live(status[0], status[1] === "live");
    }
    const overlay = document.getElementById("overlay");
    if (overlay && overlay.dataset.key && overlay.dataset.key === hiddenKey) {
      overlay.hidden = true;
    }
    const frame = document.getElementById("page");
    if (!frame && fresh.getElementById("page")) {
      location.reload(); // the brief is back: show its page
    }
  }

  // A link out of the brief opens in a new tab: the frame itself shows only this server's pages.
  function linksOut(doc) {
    if (!doc) {
      return;
    }
    for (const link of doc.querySelectorAll("a[href]")) {
      if (/^(https?|mailto):/i.test(link.getAttribute("href"))) {
        link.target = "_blank";
        link.rel = "noopener noreferrer";
      }
    }
  }

  function swapPage(frame, text) {
    const doc = frame.contentDocument;
    // Parsed in the frame's own window, under the page's own policy (which allows its inline styles).
    const Parser = frame.contentWindow ? frame.contentWindow.DOMParser : DOMParser;
    const fresh = new Parser().parseFromString(text, "text/html");
    const style = doc && doc.querySelector("head > style");
    const freshStyle = fresh.querySelector("head > style");
    if (!doc || !doc.body || !style || !freshStyle || doc.body.dataset.placeholder || fresh.body.dataset.placeholder) {
      const y = doc && doc.defaultView ? doc.defaultView.scrollY : 0;
      frame.addEventListener("load", function () {
        frame.contentWindow.scrollTo(0, y);
      }, { once: true });
      frame.contentWindow.location.replace(frame.getAttribute("src"));
      return;
    }
    if (style.textContent !== freshStyle.textContent) {
      style.textContent = freshStyle.textContent;
    }
    doc.documentElement.lang = fresh.documentElement.lang;
    doc.documentElement.dir = fresh.documentElement.dir;
    doc.title = fresh.title;
    doc.body.className = fresh.body.className;
    doc.body.replaceChildren(...Array.from(fresh.body.childNodes, function (node) {
      return doc.importNode(node, true);
    }));
    linksOut(doc);
  }

  async function refresh() {
    const mine = ++latest;
    const frame = document.getElementById("page");
    const page = frame ? fetchText(frame.getAttribute("src")) : null;
    const shell = fetchText(location.href);
    if (page) {
      const text = await page;
      if (mine === latest) {
        swapPage(frame, text);
      }
    }
    const text = await shell;
    if (mine === latest) {
      swapShell(text);
    }
  }

  const frame = document.getElementById("page");
  if (frame) {
    frame.addEventListener("load", function () {
      linksOut(frame.contentDocument);
    });
    linksOut(frame.contentDocument);
  }

  document.addEventListener("click", function (event) {
    if (event.target && event.target.id === "hide") {
      const overlay = document.getElementById("overlay");
      hiddenKey = overlay.dataset.key;
      overlay.hidden = true;
    }
  });

  const events = new EventSource("/_events" + (brief ? "?brief=" + encodeURIComponent(brief) : ""));
  events.onopen = function () {
    live("live", true);
  };
  events.onerror = function () {
    live("disconnected: is briefkit serve still running?", false);
  };
  events.onmessage = function (event) {
    const news = JSON.parse(event.data);
    const version = kind === "brief" ? news.briefs[brief] : news.version;
    const now = version === undefined ? "gone" : String(version);
    if (now !== shown) {
      shown = now;
      refresh().catch(function () {
        live("disconnected: is briefkit serve still running?", false);
      });
    }
  };
})();

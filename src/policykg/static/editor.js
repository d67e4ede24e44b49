// The /query page: the SPARQL editor, running a query in place, cancelling it,
// sorting and paging its results. Without this script the page is a plain
// form whose results come back as a whole page; with it, the same server
// answers with the results alone (?fragment=1), rendered and escaped by the
// same template, and this script puts them under the editor.
(function () {
  "use strict";

  const form = document.getElementById("adhoc-form");
  const textarea = document.getElementById("query-text");
  const area = document.getElementById("results-area");
  const running = document.getElementById("running");
  const cancel = document.getElementById("cancel");
  const picker = document.getElementById("example-picker");
  const dataNode = document.getElementById("editor-data");
  if (!form || !textarea || !area || !window.PolicykgEditor) return;

  const data = JSON.parse(dataNode ? dataNode.textContent : "{}");
  const examples = new Map((data.examples || []).map((e) => [e.name, e]));
  const editor = window.PolicykgEditor.create(textarea, { prefixes: data.prefixes || {}, onRun: () => run() });

  let inFlight = null; // { controller, timer }

  function stopIndicator(message) {
    if (inFlight) {
      clearInterval(inFlight.timer);
      inFlight = null;
    }
    running.textContent = message || "";
    cancel.hidden = true;
    area.removeAttribute("aria-busy");
  }

  // Marks the line and column an error message names ("at line 2, column 7").
  function markError() {
    const pre = area.querySelector(".error pre");
    const m = pre && /\bline (\d+), column (\d+)\b/.exec(pre.textContent);
    if (m) editor.markError(Number(m[1]), Number(m[2]));
  }

  // Fetches the results for `href` (a URL of this page) and shows them under the editor.
  async function load(href) {
    if (inFlight) inFlight.controller.abort();
    const url = new URL(href, window.location.href);
    url.searchParams.delete("fragment");
    const pageUrl = url.pathname + url.search;
    url.searchParams.set("fragment", "1");
    const controller = new AbortController();
    const started = Date.now();
    const timer = setInterval(() => {
      running.textContent = `running… ${Math.round((Date.now() - started) / 1000)} s`;
    }, 1000);
    inFlight = { controller, timer };
    running.textContent = "running…";
    cancel.hidden = false;
    area.setAttribute("aria-busy", "true");
    editor.clearError();
    try {
      const response = await fetch(url, { signal: controller.signal, headers: { Accept: "text/html" } });
      const html = await response.text();
      if (inFlight === null || inFlight.controller !== controller) return;
      area.innerHTML = html; // rendered by the server's autoescaped template
      window.history.replaceState(null, "", pageUrl);
      stopIndicator("");
      markError();
    } catch (err) {
      if (err.name === "AbortError") {
        if (inFlight === null || inFlight.controller === controller) stopIndicator("cancelled");
        return;
      }
      stopIndicator("");
      area.textContent = "";
      const box = document.createElement("div");
      box.className = "error";
      box.setAttribute("role", "alert");
      box.textContent = `The server could not be reached (${err.message}).`;
      area.appendChild(box);
    }
  }

  function run() {
    const params = new URLSearchParams(new FormData(form));
    params.set("query", editor.getValue());
    load(`${form.getAttribute("action")}?${params}`);
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run();
  });

  cancel.addEventListener("click", () => {
    // Aborting closes the connection: that is what tells the server to stop the query and free its worker.
    if (inFlight) inFlight.controller.abort();
    editor.focus();
  });

  // Sorting by a column and turning pages re-run the query the results came from.
  area.addEventListener("click", (event) => {
    const link = event.target.closest("a.sort, nav.pager a");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    load(link.getAttribute("href"));
  });

  if (picker) {
    const examplesForm = document.getElementById("examples-form");
    const loadExample = () => {
      const chosen = examples.get(picker.value);
      if (!chosen) return;
      editor.setValue(chosen.text);
      editor.focus();
    };
    picker.addEventListener("change", loadExample);
    examplesForm.addEventListener("submit", (event) => {
      event.preventDefault();
      loadExample();
    });
  }

  markError();
})();

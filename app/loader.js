// -----------------------------------------------------------------------------
// fgsmlab's loader, appended to go-app's app.js (see page.go).
//
// go-app's app.js calls goappInitWebAssembly() while it runs; this function
// declaration comes later in the same script, so it is the one called. It
// differs from go-app's in four ways:
//   - it starts even where the browser denies web storage (a cross-site frame
//     with third-party storage blocked, or a profile that blocks all cookies),
//     where go-app's start-up read of localStorage would throw;
//   - it compiles app.wasm while it downloads (instantiateStreaming), whatever
//     MIME type the host sends;
//   - it explains itself when WebAssembly is missing or the download fails;
//   - when the Go program exits, for any reason, it says so and offers a
//     reload, instead of leaving a page that looks alive and does nothing.
// -----------------------------------------------------------------------------

// memoryStorage is a Storage kept in memory for this page's life. It is
// installed where the browser denies the real one, so that go-app starts;
// the lab keeps its state in the address bar, so nothing is lost that a
// visitor would miss.
class memoryStorage {
  #items = new Map();
  get length() { return this.#items.size; }
  key(i) { return Array.from(this.#items.keys())[i] ?? null; }
  getItem(k) { return this.#items.has(String(k)) ? this.#items.get(String(k)) : null; }
  setItem(k, v) { this.#items.set(String(k), String(v)); }
  removeItem(k) { this.#items.delete(String(k)); }
  clear() { this.#items.clear(); }
}

function fgsmlabEnsureStorage(name) {
  try {
    const s = window[name];
    s.setItem("fgsmlab:probe", "1");
    s.removeItem("fgsmlab:probe");
    return true;
  } catch (err) {
    const shim = new memoryStorage();
    Object.defineProperty(window, name, { configurable: true, get: () => shim });
    return false;
  }
}

const fgsmlabStorage = {
  local: fgsmlabEnsureStorage("localStorage"),
  session: fgsmlabEnsureStorage("sessionStorage"),
};
if (!fgsmlabStorage.local || !fgsmlabStorage.session) {
  document.documentElement.dataset.fgsmlabStorage = "memory";
}

// fgsmlabShow replaces the loading screen's text with a message and, when
// reload is true, a button that reloads the page. The loading screen stays in
// the body (hidden while the lab runs): go-app removes any element added to
// the body after it starts.
function fgsmlabShow(message, reload) {
  const loader = document.getElementById("app-wasm-loader");
  const icon = document.getElementById("app-wasm-loader-icon");
  const label = document.getElementById("app-wasm-loader-label");
  if (!loader || !label) {
    return;
  }
  loader.style.display = "";
  loader.classList.add("fgsm-alert"); // the whole window, not the corner note
  loader.setAttribute("role", "alert");
  if (icon) {
    icon.className = "goapp-logo";
  }
  label.textContent = message;
  label.classList.add("fgsm-nowasm");
  if (reload && !document.getElementById("fgsmlab-reload")) {
    const button = document.createElement("button");
    button.id = "fgsmlab-reload";
    button.type = "button";
    button.className = "fgsm-reload";
    button.textContent = "Reload the lab";
    button.addEventListener("click", () => location.reload());
    label.after(button);
  }
}

function fgsmlabStopped() {
  document.documentElement.dataset.fgsmlab = "stopped";
  fgsmlabShow("The lab stopped because of an internal error, so its controls no longer answer. " +
    "Reload the page to start it again; the address keeps your example.", true);
}

// goappInitServiceWorker replaces go-app's, which registers the service
// worker at once. The worker caches the whole lab for offline use, so on a
// first visit it downloads app.wasm, the models and the digits a second
// time, and on a phone's slow link that competes with the page. It is
// registered once the lab shows its first live result, or, on a page
// without one, a few seconds after the runtime has started.
function goappInitServiceWorker() {
  if (!("serviceWorker" in navigator)) {
    return;
  }
  let started = false;
  const register = () => {
    if (started) {
      return;
    }
    started = true;
    observer.disconnect();
    fgsmlabRegisterWorker();
  };
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (e.name === "fgsmlab:first-prediction") {
        register();
      } else if (e.name === "fgsmlab:go-running") {
        setTimeout(register, 3000);
      }
    }
  });
  observer.observe({ type: "mark", buffered: true });
}

// fgsmlabRegisterWorker is go-app's registration.
async function fgsmlabRegisterWorker() {
  try {
    const registration = await navigator.serviceWorker.register("{{.Worker}}");
    goappServiceWorkerRegistration = registration;
    goappSetupNotifyUpdate(registration);
    goappSetupAutoUpdate(registration);
    goappSetupPushNotification();
  } catch (err) {
    console.error("fgsmlab: the service worker's registration failed", err);
  }
}

// fgsmlabPrefetched holds the fetches the loader starts for Go, by address;
// fetch_wasm.go takes them with fgsmlabTakePrefetch.
const fgsmlabPrefetched = new Map();

// fgsmlabPrefetch starts the fetch of the model the page's first prediction
// needs (its data-prefetch), once app.wasm has arrived: it then downloads
// while the browser compiles and starts Go, instead of after.
function fgsmlabPrefetch() {
  const el = document.querySelector("[data-prefetch]");
  const url = el && el.dataset.prefetch;
  // Not when the page was rendered for the plain link and opened with
  // another (firstexample.go): that link may name another model.
  if (!url || (el.dataset.example === "default" && document.documentElement.dataset.link !== "plain")) {
    return;
  }
  const abs = new URL(url, location.href).href;
  const p = fetch(abs);
  p.catch(() => {}); // Go reads the error, if it takes the fetch
  fgsmlabPrefetched.set(abs, p);
}

function fgsmlabTakePrefetch(url) {
  const abs = new URL(url, location.href).href;
  const p = fgsmlabPrefetched.get(abs);
  fgsmlabPrefetched.delete(abs);
  return p;
}

// fgsmlabWasmSize is app.wasm's size, uncompressed, written in when the
// site is generated or served (page.go).
const fgsmlabWasmSize = "{{.WasmSize}}";

// fgsmlabFetch fetches app.wasm and returns a response whose body reports
// its progress as it streams into the compiler: progress(done, wire) hears
// the fraction received (0…1, NaN when unknown) and the bytes on the wire,
// compressed as the host sent them (0 when unknown).
async function fgsmlabFetch(url, progress) {
  const res = await fetch(url);
  if (!res.ok) {
    throw new Error(`${url} answered ${res.status} ${res.statusText}`);
  }
  // The stream holds uncompressed bytes; a host that compresses app.wasm
  // sends the compressed Content-Length, so the fraction comes from the
  // uncompressed size and the wire total from Content-Length.
  const length = parseInt(res.headers.get("Content-Length"), 10) || 0;
  const encoded = (res.headers.get("Content-Encoding") || "identity") !== "identity";
  const total = fgsmlabWasmSize || parseInt(res.headers.get("X-Uncompressed-Length"), 10) ||
    (encoded ? 0 : length);
  const count = async (reader, chunk) => {
    let loaded = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        fgsmlabPrefetch();
        return;
      }
      loaded += value.byteLength;
      progress(total ? Math.min(loaded / total, 1) : NaN, length, loaded);
      chunk(value);
    }
  };
  if ((res.headers.get("Content-Type") || "").split(";")[0].trim() === "application/wasm") {
    // The compiler gets the browser's own response, which it reads off the
    // main thread; the bytes are counted on a copy. Passing them through a
    // JavaScript stream instead made the main thread carry every chunk
    // into the compiler: long tasks of up to 0.8 s during the download.
    count(res.clone().body.getReader(), () => {}).catch(() => {});
    return res;
  }
  // A host that sends another type: the compiler refuses it, so the bytes
  // go through a stream of the right type.
  const reader = res.body.getReader();
  const body = new ReadableStream({
    start(controller) {
      count(reader, (value) => controller.enqueue(value)).then(() => controller.close(), (err) => controller.error(err));
    },
  });
  return new Response(body, { headers: { "Content-Type": "application/wasm" } });
}

async function goappInitWebAssembly() {
  const loader = document.getElementById("app-wasm-loader");
  const label = document.getElementById("app-wasm-loader-label");
  if (!loader || !label) {
    return;
  }
  // Crawlers get the pre-rendered page, as with go-app. (go-app also skips
  // the program for ?wasm=false, which left a lab that looked alive and was
  // not; the lab has no use without it, so the parameter is ignored.)
  if (/bot|googlebot|crawler|spider|robot|crawling/i.test(navigator.userAgent)) {
    loader.remove();
    return;
  }
  if (typeof WebAssembly !== "object" || typeof WebAssembly.instantiateStreaming !== "function") {
    fgsmlabShow("This lab runs its neural networks in your browser with WebAssembly, which this browser " +
      "does not support or has turned off. Please open the page in a recent Firefox, Chrome, Edge or Safari.", false);
    return;
  }
  // The page above already shows the lab's example; this note, in a corner,
  // says how much of the runtime has arrived and what comes next.
  const mb = (n) => (n / 1048576).toFixed(1);
  const progress = (done, wire, loaded) => {
    if (done >= 1) {
      label.textContent = "Starting the lab…";
    } else if (wire > 0 && done >= 0) {
      label.textContent = `Loading ${mb(done * wire)} of ${mb(wire)} MB, then starting`;
    } else if (done >= 0) {
      label.textContent = `Loading ${Math.round(100 * done)}%, then starting`;
    } else {
      label.textContent = `Loading ${mb(loaded)} MB, then starting`;
    }
  };
  try {
    label.textContent = "Loading the lab…";
    // The page's HTML already shows the lab and its example: let the
    // browser paint it, and report that paint as the largest, before the
    // runtime's download starts (a background tab, which paints nothing,
    // goes on after a moment).
    await new Promise((resolve) => {
      const painted = new PerformanceObserver(() => {
        painted.disconnect();
        setTimeout(resolve, 0);
      });
      painted.observe({ type: "largest-contentful-paint", buffered: true });
      setTimeout(resolve, 1000);
    });
    const go = new Go();
    const wasm = await WebAssembly.instantiateStreaming(fgsmlabFetch("{{.Wasm}}", progress), go.importObject);
    label.textContent = "Starting the lab…";
    const exited = go.run(wasm.instance);
    loader.style.display = "none";
    document.documentElement.dataset.fgsmlabGo = "running";
    performance.mark("fgsmlab:go-running");
    await exited;
    fgsmlabStopped();
  } catch (err) {
    console.error("fgsmlab: loading the lab failed:", err);
    const offline = navigator.onLine === false || err instanceof TypeError;
    fgsmlabShow(offline ?
      "The lab could not be downloaded. It needs the network once; after that it also works offline. " +
      "Check the connection and reload." :
      `The lab could not start (${err.message || err}). Reload to try again.`, true);
  }
}

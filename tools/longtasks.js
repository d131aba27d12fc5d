// Lists the main-thread tasks over 50 ms in a Chrome trace (Lighthouse's
// --save-assets writes one), with what they spent their time in, so the
// startup task can be named: wasm compilation, Go's start, the first render…
// Usage: node tools/longtasks.js page.trace.json
const fs = require("fs");
const raw = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const events = Array.isArray(raw) ? raw : raw.traceEvents;
// The renderer's main thread is the one that ran the most script.
const score = new Map();
for (const e of events) {
  if (e.name === "FunctionCall" || e.name === "EvaluateScript") {
    const k = `${e.pid}:${e.tid}`;
    score.set(k, (score.get(k) || 0) + (e.dur || 0));
  }
}
const [key] = [...score.entries()].sort((a, b) => b[1] - a[1])[0];
const onMain = events.filter((e) => `${e.pid}:${e.tid}` === key && e.ph === "X" && e.dur);
const t0 = Math.min(...events.filter((e) => e.ts > 0).map((e) => e.ts));
const tasks = onMain.filter((e) => e.name === "RunTask" && e.dur > 50e3);
for (const t of tasks) {
  console.log(`task at ${((t.ts - t0) / 1e3).toFixed(0)} ms: ${(t.dur / 1e3).toFixed(0)} ms`);
  const inside = onMain.filter((e) => e !== t && e.ts >= t.ts && e.ts + e.dur <= t.ts + t.dur && e.dur > 5e3);
  for (const e of inside) {
    const d = e.args && e.args.data || {};
    const what = [d.url, d.functionName, d.type].filter(Boolean).join(" ");
    const depth = inside.filter((p) => p !== e && p.ts <= e.ts && p.ts + p.dur >= e.ts + e.dur).length;
    console.log(`${"  ".repeat(depth + 1)}${e.name} ${(e.dur / 1e3).toFixed(1)} ms ${what}`);
  }
}

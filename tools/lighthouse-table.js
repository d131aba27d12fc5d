// Prints one row per page from the Lighthouse reports page1.json… in a
// directory, in the order of the pages given, and the accessibility and
// best-practices audits that failed, so a score below 100 says why.
const fs = require("fs");
const [dir, ...pages] = process.argv.slice(2);
const pct = (c) => (c && c.score != null ? Math.round(c.score * 100) : "-");
const ms = (a) => (a && a.numericValue != null ? Math.round(a.numericValue) : "-");
const pad = (s, n) => String(s).padEnd(n);
console.log(["page", "perf", "a11y", "best-pr", "TBT ms", "LCP ms", "FCP ms"].map((s, i) => pad(s, i ? 8 : 12)).join(""));
const failures = [];
pages.forEach((page, i) => {
  let r;
  try {
    r = JSON.parse(fs.readFileSync(`${dir}/page${i + 1}.json`, "utf8"));
  } catch (e) {
    console.log(pad(page, 12) + "no report");
    return;
  }
  const c = r.categories, a = r.audits;
  console.log([page, pct(c.performance), pct(c.accessibility), pct(c["best-practices"]),
    ms(a["total-blocking-time"]), ms(a["largest-contentful-paint"]), ms(a["first-contentful-paint"])]
    .map((s, i) => pad(s, i ? 8 : 12)).join(""));
  for (const cat of ["accessibility", "best-practices"]) {
    for (const ref of c[cat].auditRefs) {
      const au = a[ref.id];
      if (au.score !== null && au.score < 1) failures.push(`${page}: ${cat}: ${au.id}: ${au.title}`);
    }
  }
});
if (failures.length) console.log("\nfailed audits:\n" + failures.join("\n"));

// What every browser test of the back office shares: a shop started on its own database
// (`serve --demo`, an employee made by the CLI), Debian's Chromium, a logged-in page, the
// API called as a key, and the PASS/FAIL tally whose last line scripts/test.sh reads.
import { chromium } from "playwright-core";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

export const BIN = process.env.SHOPWS_BIN || "target/release/shopws";
export const SHOTS = process.env.SCREENSHOTS || "docs/screenshots";
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
mkdirSync(SHOTS, { recursive: true });

export const EMAIL = "merchant@example.com";
export const PASSWORD = "a very long passphrase";

let passed = 0;
let failed = 0;
export function check(name, cond, detail = "") {
  if (cond) { passed++; console.log(`PASS  ${name}`); } else { failed++; console.log(`FAIL  ${name}${detail ? "  -- " + detail : ""}`); }
}
export const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/// Starts the shop (JOURNEY_DATABASE: another, empty, database to run on, e.g. a MySQL
/// one) and creates the employee EMAIL / PASSWORD. `extra`: more `serve` arguments.
export async function startShop(extra = []) {
  const dir = mkdtempSync(join(tmpdir(), "shopws-browser-"));
  const database = process.env.JOURNEY_DATABASE || `sqlite:${join(dir, "shop.db")}`;
  const env = { ...process.env, SHOPWS_DATABASE: database, SHOPWS_LOG: "warn" };
  const server = spawn(BIN, ["serve", "--demo", "--listen", "127.0.0.1:0", ...extra], { env, stdio: ["ignore", "pipe", "inherit"] });
  const { base, demoKey } = await new Promise((resolve, reject) => {
    let key = "";
    const timer = setTimeout(() => reject(new Error("shopws did not start")), 60000);
    createInterface({ input: server.stdout }).on("line", (line) => {
      const t = line.trim();
      if (/^[A-Z0-9]{32}$/.test(t)) key = t;
      const m = line.match(/^shopws serving .* on (http:\/\/[^/]+)\/api\/$/);
      if (m) { clearTimeout(timer); resolve({ base: m[1], demoKey: key }); }
    });
  });
  const admin = spawnSync(BIN, ["admin", "create", "--email", EMAIL], { env, input: `${PASSWORD}\n` });
  check("shopws admin create reads the password from stdin", admin.status === 0, String(admin.stderr));
  const stop = () => { server.kill(); rmSync(dir, { recursive: true, force: true }); };
  return { base, demoKey, env, dir, server, stop };
}

/// The API as `key` would call it: status, PrestaShop error codes, Retry-After and body.
export async function call(base, path, key, init = {}) {
  const headers = { Authorization: "Basic " + Buffer.from(`${key}:`).toString("base64"), ...(init.headers || {}) };
  const r = await fetch(`${base}${path}`, { ...init, headers });
  const body = await r.text();
  const codes = [...body.matchAll(/<code><!\[CDATA\[(\d+)\]\]><\/code>/g)].map((m) => Number(m[1]));
  return { status: r.status, codes, retryAfter: r.headers.get("retry-after"), body };
}

export async function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
}

/// A new page logged in as EMAIL, on Advanced Parameters > Webservice.
export async function loggedIn(browser, base) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on("dialog", (d) => d.accept());
  await page.goto(`${base}/admin/`);
  await page.getByLabel("E-mail").fill(EMAIL);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL(/\/admin\/webservice/);
  return page;
}

/// Runs `body` and prints the tally; the process exits non-zero on any failure.
export async function run(name, body) {
  try {
    await body();
  } catch (e) {
    check(`${name} ran to the end`, false, String(e && e.stack || e));
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

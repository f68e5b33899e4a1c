// Browser test of the back office: Debian's Chromium, driven by playwright-core, through the
// journey a merchant takes (log in, switch the webservice, create a key with the permission
// grid, use it) and the failure paths a browser shows. Screenshots go to SCREENSHOTS (docs/).
// Usage: SHOPWS_BIN=target/release/shopws node tests/browser/journey.mjs
import { chromium } from "playwright-core";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

const BIN = process.env.SHOPWS_BIN || "target/release/shopws";
const SHOTS = process.env.SCREENSHOTS || "docs/screenshots";
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
mkdirSync(SHOTS, { recursive: true });

let passed = 0;
let failed = 0;
function check(name, cond, detail = "") {
  if (cond) { passed++; console.log(`PASS  ${name}`); } else { failed++; console.log(`FAIL  ${name}${detail ? "  -- " + detail : ""}`); }
}

const dir = mkdtempSync(join(tmpdir(), "shopws-browser-"));
const env = { ...process.env, SHOPWS_DATABASE: `sqlite:${join(dir, "shop.db")}`, SHOPWS_LOG: "warn" };
const server = spawn(BIN, ["serve", "--demo", "--listen", "127.0.0.1:0"], { env, stdio: ["ignore", "pipe", "inherit"] });
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
const admin = spawnSync(BIN, ["admin", "create", "--email", "merchant@example.com"], { env, input: "a very long passphrase\n" });
check("shopws admin create reads the password from stdin", admin.status === 0, String(admin.stderr));

async function api(path, key) {
  const r = await fetch(`${base}${path}`, { headers: { Authorization: "Basic " + Buffer.from(`${key}:`).toString("base64") } });
  return r.status;
}

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on("dialog", (d) => d.accept());

  // Wrong password first.
  await page.goto(`${base}/admin/`);
  await page.screenshot({ path: join(SHOTS, "login.png") });
  await page.getByLabel("E-mail").fill("merchant@example.com");
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForLoadState();
  const afterWrong = await page.content();
  check("wrong password: 'Invalid e-mail or password.'", afterWrong.includes("Invalid e-mail or password."), afterWrong.slice(0, 300));

  // Log in.
  await page.getByLabel("E-mail").fill("merchant@example.com");
  await page.getByLabel("Password").fill("a very long passphrase");
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL(/\/admin\/webservice/);
  check("login lands on Advanced Parameters > Webservice", (await page.content()).includes("Enable PrestaShop"));
  await page.screenshot({ path: join(SHOTS, "webservice.png"), fullPage: true });

  // Switch the webservice off, then on again.
  await page.getByLabel("No").check();
  await page.getByRole("button", { name: "Save" }).click();
  await page.waitForURL(/updated/);
  check("switch off: /api/ answers 503 at once", (await api("/api/customers", demoKey)) === 503);
  await page.getByLabel("Yes").check();
  await page.getByRole("button", { name: "Save" }).click();
  await page.waitForURL(/updated/);
  check("switch on: /api/ answers again", (await api("/api/customers", demoKey)) === 200);

  // New key through the grid: row toggle for customers, column toggle for HEAD.
  await page.getByRole("link", { name: "Add new webservice key" }).click();
  await page.getByLabel("customers all").check();
  check("row 'All' ticks the whole row", await page.getByLabel("customers DELETE").isChecked());
  await page.getByLabel("all HEAD").check();
  check("column 'all' ticks the whole column", await page.getByLabel("products HEAD").isChecked());
  check("forbidden methods are disabled", await page.getByLabel("search POST").isDisabled());
  await page.getByLabel("Key description").fill("Mobile app (browser test)");
  await page.screenshot({ path: join(SHOTS, "key-form.png") });
  await page.getByRole("button", { name: "Save" }).click();
  const key = await page.locator("#new-key").inputValue();
  check("a 32-character key is revealed once", /^[1-9A-NP-Z]{32}$/.test(key), key);
  await page.screenshot({ path: join(SHOTS, "key-reveal.png") });
  check("the new key works on /api/ at once", (await api("/api/customers", key)) === 200);
  check("HEAD was granted on every resource by its column toggle, GET was not", (await api("/api/products", key)) === 405);

  // Disable it from the list: /api/ answers 401.
  await page.getByRole("link", { name: "Done, I have stored it" }).click();
  check("the list never shows the key again", !(await page.content()).includes(key));
  const hint = `${key.slice(0, 4)}…${key.slice(-4)}`;
  await page.getByRole("button", { name: `Disable key ${hint}` }).click();
  await page.waitForURL(/updated/);
  await new Promise((r) => setTimeout(r, 1100));
  check("a disabled key answers 401", (await api("/api/customers", key)) === 401);

  // An invalid custom key shows PrestaShop's message.
  await page.goto(`${base}/admin/webservice/keys/new`);
  await page.getByLabel("Use an existing key").check();
  await page.getByLabel("Existing key (32 characters)").fill("too-short");
  await page.getByLabel("customers GET").check();
  await page.getByRole("button", { name: "Save" }).click();
  check("invalid custom key: PrestaShop's length message", (await page.content()).includes("Key length must be 32 characters long."));

  await page.goto(`${base}/admin/audit`);
  await page.screenshot({ path: join(SHOTS, "audit.png"), fullPage: true });
  const audit = await page.content();
  check("audit log records the changes, never the key", audit.includes("key.create") && !audit.includes(key));
} catch (e) {
  check("browser journey ran to the end", false, String(e && e.stack || e));
} finally {
  await browser.close();
  server.kill();
  rmSync(dir, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);

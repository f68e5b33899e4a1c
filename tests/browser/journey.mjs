// Browser test of the back office: Debian's Chromium, driven by playwright-core, through the
// journey a merchant takes (log in, switch the webservice, create a key with the permission
// grid, use it) and the failure paths a browser shows. Screenshots go to SCREENSHOTS (docs/).
// Usage: SHOPWS_BIN=target/release/shopws node tests/browser/journey.mjs
import { join } from "node:path";
import { SHOTS, EMAIL, PASSWORD, check, same, startShop, call as callAs, launch, run } from "./lib.mjs";

const shop = await startShop();
const { base, demoKey } = shop;
const call = (path, key) => callAs(base, path, key);
async function api(path, key) {
  return (await call(path, key)).status;
}

const browser = await launch();
await run("browser journey", async () => { try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on("dialog", (d) => d.accept());

  // Wrong password first.
  await page.goto(`${base}/admin/`);
  await page.screenshot({ path: join(SHOTS, "login.png") });
  await page.getByLabel("E-mail").fill(EMAIL);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForLoadState();
  const afterWrong = await page.content();
  check("wrong password: 'Invalid e-mail or password.'", afterWrong.includes("Invalid e-mail or password."), afterWrong.slice(0, 300));

  // Log in.
  await page.getByLabel("E-mail").fill(EMAIL);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL(/\/admin\/webservice/);
  check("login lands on Advanced Parameters > Webservice", (await page.content()).includes("Enable PrestaShop"));
  await page.screenshot({ path: join(SHOTS, "webservice.png"), fullPage: true });

  // Switch the webservice off, then on again.
  const enable = page.getByRole("group", { name: "Enable PrestaShop's webservice" });
  await enable.getByLabel("No").check();
  await page.getByRole("button", { name: "Save" }).click();
  await page.waitForURL(/done=settings/);
  check("switch off: /api/ answers 503 at once", (await api("/api/customers", demoKey)) === 503);
  await page.screenshot({ path: join(SHOTS, "webservice-disabled.png"), fullPage: true });
  await enable.getByLabel("Yes").check();
  await page.getByRole("button", { name: "Save" }).click();
  await page.waitForURL(/done=settings/);
  check("switch on: /api/ answers again", (await api("/api/customers", demoKey)) === 200);

  // New key through the grid: row toggle for customers, column toggle for HEAD.
  await page.getByRole("link", { name: "Add new webservice key" }).click();
  await page.getByRole("button", { name: "Generate" }).click();
  check("Generate: the key is made on the server when saving", await page.locator("#generate-note").isVisible());
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
  const disabled = await call("/api/customers", key);
  check("a disabled key answers 401 with errors 20 and 21", disabled.status === 401 && same(disabled.codes, [20, 21]), JSON.stringify(disabled));

  // The edit page derives the row and column toggles from what is granted.
  await page.getByRole("link", { name: hint }).click();
  await page.waitForURL(/\/keys\/\d+$/);
  check("edit page: row 'All' is derived on load", await page.getByLabel("customers all").isChecked());
  check("edit page: column 'all' is derived on load", await page.getByLabel("all HEAD").isChecked());
  check("edit page never shows the key", !(await page.content()).includes(key));

  // The grid's search and group toggle.
  await page.goto(`${base}/admin/webservice/keys/new`);
  await page.getByLabel("Search resources").fill("order");
  check("grid search hides what does not match", (await page.getByLabel("orders GET").isVisible()) && !(await page.getByLabel("customers GET").isVisible()));
  await page.getByLabel("Search resources").fill("");
  await page.getByLabel("Customers group: all").check();
  check("group toggle ticks the group", (await page.getByLabel("addresses DELETE").isChecked()) && !(await page.getByLabel("orders GET").isChecked()));
  check("live summary counts the ticks", (await page.locator("#grid-summary").textContent()).startsWith("4 resources"));

  // Invalid custom keys: PrestaShop's messages, and shopws's guessability check.
  await page.goto(`${base}/admin/webservice/keys/new`);
  for (const [value, msg] of [
    ["", "This field is required."],
    ["too-short", "Key length must be 32 characters long."],
    ["é".repeat(32), "Only non-accented characters, numbers, and the following special characters are allowed: @ ? # - _"],
    ["AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "This key is too easy to guess"],
  ]) {
    await page.getByLabel("Use an existing key").check();
    await page.getByLabel("Existing key (32 characters)").fill(value);
    await page.getByLabel("taxes GET").check();
    await page.getByRole("button", { name: "Save" }).click();
    await page.waitForLoadState();
    check(`invalid custom key: "${msg}"`, (await page.content()).includes(msg));
  }
  const imported = "UCCLLQ9N2ARSHWCXLT74KUKSSK34BFKX";
  const importedHint = "UCCL…BFKX";
  await page.getByLabel("Use an existing key").check();
  await page.getByLabel("Existing key (32 characters)").fill(imported);
  await page.getByLabel("Key description").fill("ERP (imported)");
  await page.getByRole("button", { name: "Save" }).click();
  await page.waitForURL(/done=created/);
  check("an existing key is imported and works", (await api("/api/taxes", imported)) === 200);
  await page.goto(`${base}/admin/webservice/keys/new`);
  await page.getByLabel("Use an existing key").check();
  await page.getByLabel("Existing key (32 characters)").fill(imported.toLowerCase());
  await page.getByLabel("taxes GET").check();
  await page.getByRole("button", { name: "Save" }).click();
  await page.waitForLoadState();
  check("duplicate key (case-insensitive): 'This key already exists.'", (await page.content()).includes("This key already exists."));
  await page.screenshot({ path: join(SHOTS, "key-invalid.png"), fullPage: false });

  // Policies from the edit form: expiry, IP allowlist, rate limit.
  await page.goto(`${base}/admin/webservice`);
  await page.getByRole("link", { name: importedHint }).click();
  await page.waitForURL(/\/keys\/\d+$/);
  const editUrl = page.url();
  await page.getByLabel("Expires", { exact: true }).selectOption("date");
  await page.getByLabel("Expiry date (UTC, YYYY-MM-DD or YYYY-MM-DD HH:MM:SS)").fill("2001-01-01");
  await page.getByRole("button", { name: "Save" }).click();
  await page.waitForURL(/done=updated/);
  const expired = await call("/api/taxes", imported);
  check("an expired key answers 401 with errors 20 and 21", expired.status === 401 && same(expired.codes, [20, 21]), JSON.stringify(expired));
  check("the list shows the Expired badge", (await page.locator("tr", { hasText: importedHint }).textContent()).includes("Expired"));
  await page.screenshot({ path: join(SHOTS, "key-expired.png"), fullPage: true });

  await page.goto(editUrl);
  await page.getByLabel("Expires", { exact: true }).selectOption("");
  await page.getByLabel("Expiry date (UTC, YYYY-MM-DD or YYYY-MM-DD HH:MM:SS)").fill("");
  await page.getByLabel("Expires", { exact: true }).selectOption("");
  await page.getByLabel("IP allowlist (optional)").fill("10.0.0.0/8, 2001:db8::/32");
  await page.screenshot({ path: join(SHOTS, "key-edit.png"), fullPage: true });
  await page.getByRole("button", { name: "Save" }).click();
  await page.waitForURL(/done=updated/);
  const foreign = await call("/api/taxes", imported);
  check("IP not in the allowlist: 403 with code 1001", foreign.status === 403 && same(foreign.codes, [1001]), JSON.stringify(foreign));

  await page.goto(editUrl);
  await page.getByLabel("IP allowlist (optional)").fill("");
  await page.getByLabel("Rate limit (requests per second, optional)").fill("1");
  await page.getByLabel("Burst (requests allowed at once, optional)").fill("1");
  await page.getByRole("button", { name: "Save" }).click();
  await page.waitForURL(/done=updated/);
  const firstCall = await call("/api/taxes", imported);
  const secondCall = await call("/api/taxes", imported);
  check("rate limit: 429 with Retry-After and code 1002", firstCall.status === 200 && secondCall.status === 429 && Number(secondCall.retryAfter) >= 1 && same(secondCall.codes, [1002]), JSON.stringify([firstCall, secondCall]));

  // Rotation with an overlap: both secrets work until the old one retires.
  await page.goto(editUrl);
  await page.getByLabel("Rate limit (requests per second, optional)").fill("");
  await page.getByLabel("Burst (requests allowed at once, optional)").fill("");
  await page.getByRole("button", { name: "Save" }).click();
  await page.waitForURL(/done=updated/);
  await page.goto(editUrl);
  await page.getByLabel("The current secret keeps working").selectOption("3600");
  await page.getByRole("button", { name: "Rotate key" }).click();
  await page.waitForLoadState();
  const rotated = await page.locator("#new-key").inputValue();
  check("rotation reveals a new key once", /^[1-9A-NP-Z]{32}$/.test(rotated) && rotated !== imported);
  await page.screenshot({ path: join(SHOTS, "key-rotated.png") });
  check("during the overlap both secrets work", (await api("/api/taxes", imported)) === 200 && (await api("/api/taxes", rotated)) === 200);

  // Bulk delete with PrestaShop's confirmation.
  await page.goto(`${base}/admin/webservice`);
  await page.getByLabel(`Select key ${rotated.slice(0, 4)}…${rotated.slice(-4)}`).check();
  let asked = "";
  page.once("dialog", (d) => { asked = d.message(); });
  await page.getByRole("button", { name: "Delete selected" }).click();
  await page.waitForURL(/done=bulk-deleted/);
  check("bulk delete asks PrestaShop's question", asked === "Are you sure you want to delete the selected item(s)?", asked);
  check("bulk delete: 'The selection has been successfully deleted.'", (await page.content()).includes("The selection has been successfully deleted."));
  check("deleted keys stop at once", (await api("/api/taxes", rotated)) === 401 && (await api("/api/taxes", imported)) === 401);
  await page.screenshot({ path: join(SHOTS, "webservice-list.png"), fullPage: true });

  // The status card's Authorization check.
  await page.getByRole("button", { name: "Check the Authorization header" }).click();
  await page.locator("#auth-check-result", { hasText: "reaches shopws" }).waitFor({ timeout: 5000 });
  check("Authorization header check reports the header arrives", true);

  // A form without its CSRF token is refused with 403.
  await page.evaluate(() => document.querySelectorAll('form[action$="/webservice/settings"] input[name="csrf"]').forEach((i) => i.remove()));
  const [refused] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith("/webservice/settings")),
    page.getByRole("button", { name: "Save" }).click(),
  ]);
  await page.waitForLoadState();
  check("CSRF token missing: 403", refused.status() === 403 && (await page.content()).includes("invalid or missing security token"));
  await page.screenshot({ path: join(SHOTS, "csrf-refused.png") });

  await page.goto(`${base}/admin/audit`);
  await page.screenshot({ path: join(SHOTS, "audit.png"), fullPage: true });
  const audit = await page.content();
  check("audit log records the changes, never a key", audit.includes("key.create") && audit.includes("key.rotate") && audit.includes("csrf.refused") && !audit.includes(key) && !audit.includes(imported) && !audit.includes(rotated));

  // Lock-out after five failures for one e-mail from one address.
  const intruder = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  let last = null;
  for (let i = 0; i < 6; i++) {
    await intruder.goto(`${base}/admin/`);
    await intruder.getByLabel("E-mail").fill("merchant@example.com.invalid");
    await intruder.getByLabel("Password").fill(`guess number ${i}`);
    [last] = await Promise.all([
      intruder.waitForResponse((r) => r.url().endsWith("/admin/login")),
      intruder.getByRole("button", { name: "Log in" }).click(),
    ]);
    await intruder.waitForLoadState();
  }
  check("lock-out: 429 with Retry-After after five failures", last.status() === 429 && Number(last.headers()["retry-after"]) > 0 && (await intruder.content()).includes("Too many failed attempts."));
  await intruder.screenshot({ path: join(SHOTS, "login-locked.png") });
} finally {
  await browser.close();
  shop.stop();
} });

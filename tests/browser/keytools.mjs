// Browser test of the key page's tools: "Test this key" (the table read against what /api/
// really answers), then "Export permissions (JSON)" as a download imported into a new key
// through the file picker, which then works on the same resources. Screenshots to SCREENSHOTS.
// Usage: SHOPWS_BIN=target/release/shopws node tests/browser/keytools.mjs
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SHOTS, check, same, startShop, call as callAs, launch, loggedIn, run } from "./lib.mjs";

const shop = await startShop();
const { base } = shop;
const call = (path, key) => callAs(base, path, key);
/// `200` or `405 #25`, as the test page writes an answer.
async function answer(path, key) {
  const r = await call(path, key);
  return r.codes.length ? `${r.status} #${r.codes.join("/#")}` : String(r.status);
}

const browser = await launch();
await run("browser keytools", async () => { try {
  const page = await loggedIn(browser, base);

  // A key made with the grid: GET+HEAD on customers, HEAD only on products, GET on taxes.
  async function newKey(description, boxes) {
    await page.goto(`${base}/admin/webservice/keys/new`);
    for (const b of boxes) { await page.getByLabel(b, { exact: true }).check(); }
    await page.getByLabel("Key description").fill(description);
    await page.getByRole("button", { name: "Save" }).click();
    const key = await page.locator("#new-key").inputValue();
    await page.getByRole("link", { name: "Done, I have stored it" }).click();
    await page.getByRole("link", { name: `${key.slice(0, 4)}…${key.slice(-4)}` }).click();
    await page.waitForURL(/\/keys\/\d+$/);
    return { key, url: page.url() };
  }
  const source = await newKey("Source (keytools)", ["customers GET", "customers HEAD", "products HEAD", "taxes GET"]);
  check("the source key is made", /^[1-9A-NP-Z]{32}$/.test(source.key), source.key);

  // Test this key: the table, row by row, against the API.
  await page.getByRole("button", { name: "Test this key" }).click();
  await page.waitForURL(/\/test/);
  const rows = await page.locator("table.key-test tbody tr").evaluateAll((trs) =>
    trs.map((tr) => [tr.querySelector("th").textContent.trim(), ...[...tr.querySelectorAll("td")].map((td) => td.textContent.trim())]));
  const table = rows.map((r) => [r[0], r[1], r[2]]);
  check("Test this key: resources, methods granted and answers", same(table, [
    ["customers", "GET, HEAD", "200"],
    ["products", "HEAD", "405 #25"],
    ["taxes", "GET", "200"],
  ]), JSON.stringify(rows));
  const root = (await page.locator(".verdict .answer").first().textContent()).trim();
  check("Test this key: GET /api/ answers 200", root === "200", root);
  let agree = root === await answer("/api/", source.key);
  for (const [res, , said] of table) { agree = agree && said === await answer(`/api/${res}`, source.key); }
  check("the page says what /api/ really answers the key", agree);
  check("each row says why", rows.every((r) => r[3].length > 10), JSON.stringify(rows));
  await page.locator("#key-test").screenshot({ path: join(SHOTS, "key-test.png") });

  // Tested from an address outside an allowlist the page would explain #1001; here: any.
  check("the notes say which addresses may use it", (await page.locator(".test-notes").textContent()).includes("Addresses: any"));

  // Export: a download with the format marker and no secret.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Export permissions (JSON)" }).click(),
  ]);
  const file = await download.path();
  const text = readFileSync(file, "utf8");
  const doc = JSON.parse(text);
  check("the export is a JSON download named after the key", /^shopws-key-\d+-permissions\.json$/.test(download.suggestedFilename()), download.suggestedFilename());
  check("the export has the format marker and the permissions", doc.format === "shopws-key-permissions/1" &&
    same(doc.permissions, { customers: ["GET", "HEAD"], products: ["HEAD"], taxes: ["GET"] }), text);
  check("the export holds no secret", !text.includes(source.key) && !text.includes(source.key.slice(0, 4)));

  // Import into a new key with the file picker: preview, then apply.
  const target = await newKey("Target (keytools)", ["zones GET"]);
  check("before the import the new key cannot read customers", (await call("/api/customers", target.key)).status === 401);
  await page.locator("#import_file").setInputFiles(file);
  await page.waitForFunction(() => document.getElementById("import_json").value.includes("shopws-key-permissions/1"));
  await page.getByRole("button", { name: "Import permissions" }).click();
  await page.waitForLoadState();
  const preview = await page.locator(".import-preview").textContent();
  check("the preview shows the permission diff", ["+customers:GET", "+products:HEAD", "+taxes:GET", "-zones:GET"].every((d) => preview.includes(d)), preview);
  await page.locator("#key-transfer").screenshot({ path: join(SHOTS, "key-import-preview.png") });
  await page.getByRole("button", { name: "Apply import" }).click();
  await page.waitForURL(/done=imported/);
  check("applied: 'Permissions imported.'", (await page.content()).includes("Permissions imported."));
  let alike = true;
  for (const path of ["/api/", "/api/customers", "/api/products", "/api/taxes", "/api/zones", "/api/orders"]) {
    const [a, b] = [await answer(path, source.key), await answer(path, target.key)];
    check(`the new key answers like the source on ${path} (${b})`, a === b, `${a} vs ${b}`);
    alike = alike && a === b;
  }
  check("the new key works on the same resources", alike && (await call("/api/customers", target.key)).status === 200);
  check("the grid shows the imported permissions", await page.getByLabel("customers HEAD", { exact: true }).isChecked() &&
    !(await page.getByLabel("zones GET", { exact: true }).isChecked()));

  // And Test this key on the new key agrees.
  await page.getByRole("button", { name: "Test this key" }).click();
  await page.waitForURL(/\/test/);
  const rows2 = await page.locator("table.key-test tbody tr th").allTextContents();
  check("Test this key on the new key lists the same resources", same(rows2.map((s) => s.trim()), ["customers", "products", "taxes"]), JSON.stringify(rows2));
  await page.screenshot({ path: join(SHOTS, "key-tools.png"), fullPage: true });
} finally {
  await browser.close();
  shop.stop();
} });

// The API activity page of a key, in headless Chromium: traffic made with the demo key (some
// errors, one request with the key in the query), written behind by the shop within a second
// (`--activity-flush 1`), then the page reached from the key list: both SVG charts with
// their bars and accessible names, the totals, and the latest requests — never the key.
import { join } from "node:path";
import { SHOTS, call, check, launch, loggedIn, run, startShop } from "./lib.mjs";

await run("activity", async () => {
  const shop = await startShop(["--activity-flush", "1"]);
  const { base, demoKey } = shop;
  let browser;
  try {
    for (let i = 0; i < 5; i++) {
      const r = await call(base, "/api/taxes/1", demoKey);
      if (r.status !== 200) throw new Error(`taxes/1: ${r.status}`);
    }
    const missing = await call(base, "/api/taxes/999999", demoKey);
    check("a missing tax answers 404", missing.status === 404, String(missing.status));
    const inQuery = await fetch(`${base}/api/customers?ws_key=${demoKey}&limit=1`);
    check("the key in the query is accepted", inQuery.status === 200, String(inQuery.status));
    await inQuery.text();
    // Two flushes at most.
    await new Promise((r) => setTimeout(r, 2500));

    browser = await launch();
    const page = await loggedIn(browser, base);
    const violations = [];
    page.on("console", (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(m.text()); });
    await page.getByRole("link", { name: "Activity" }).first().click();
    await page.waitForURL(/\/webservice\/keys\/\d+\/activity$/);
    check("the activity page is titled with the key's hint", /API activity of key/.test(await page.locator("h1").innerText()));

    const hourly = page.getByRole("img", { name: /Requests per hour, last 24 hours/ });
    check("the hourly chart is an SVG with an accessible name", (await hourly.count()) === 1);
    const daily = page.getByRole("img", { name: /Requests per day, last 7 days/ });
    check("the daily chart too", (await daily.count()) === 1);
    const attrs = async (loc) => [await loc.getAttribute("data-requests"), await loc.getAttribute("data-errors")];
    check("the hourly chart counts 7 requests, 1 error", JSON.stringify(await attrs(hourly)) === '["7","1"]', JSON.stringify(await attrs(hourly)));
    check("the daily chart counts the same", JSON.stringify(await attrs(daily)) === '["7","1"]', JSON.stringify(await attrs(daily)));
    const bars = page.locator("#chart-hourly rect.req");
    check("the hourly chart draws a request bar", (await bars.count()) >= 1, String(await bars.count()));
    const box = await bars.first().boundingBox();
    check("the request bar has a visible height", box && box.height > 10, JSON.stringify(box));
    check("errors are drawn in their own colour", (await page.locator("#chart-hourly rect.err").count()) >= 1);
    const desc = await page.locator("#chart-hourly-desc").textContent();
    check("the chart's description gives the totals", /7 requests, 1 errors/.test(desc), desc);
    check("the 24-hour total shows 7 requests", (await page.locator("#total-24h .requests").innerText()) === "7");
    check("the 7-day total shows 1 error", (await page.locator("#total-7d .errors").innerText()) === "1");

    const rows = page.locator("#recent-requests tbody tr");
    check("the latest requests are listed", (await rows.count()) === 7, String(await rows.count()));
    const first = await rows.first().locator("td").allInnerTexts();
    check("newest first: the request made with ws_key, without it", first[1] === "GET" && first[2] === "/api/customers?limit=1" && first[3] === "200", JSON.stringify(first));
    check("with its address and duration", first[5] === "127.0.0.1" && /ms$/.test(first[4]), JSON.stringify(first));
    check("the 404 is listed", (await page.locator("#recent-requests .status-error").allInnerTexts()).includes("404"));
    const html = await page.content();
    check("the key appears nowhere on the page", !html.includes(demoKey));
    check("no inline style or script", !/style=|<script>/.test(html));
    check("no Content Security Policy violation", violations.length === 0, violations.join(" | "));
    await page.screenshot({ path: join(SHOTS, "activity.png"), fullPage: true });
  } finally {
    if (browser) await browser.close();
    shop.stop();
  }
});

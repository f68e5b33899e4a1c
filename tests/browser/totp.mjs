// The second factor in a real browser: set it up on My account with a code computed here
// (RFC 6238: HMAC-SHA-1 of the step, dynamic truncation), log out, log in with a code, log in
// with a recovery code; then the audit log's CSV export and its retention setting.
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { startShop, launch, check, run, SHOTS, EMAIL, PASSWORD } from "./lib.mjs";

function base32(text) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0, value = 0;
  const out = [];
  for (const ch of text.replace(/=+$/, "").toUpperCase()) {
    value = (value << 5) | alphabet.indexOf(ch);
    bits += 5;
    if (bits >= 8) { out.push((value >>> (bits - 8)) & 255); bits -= 8; }
  }
  return Buffer.from(out);
}

/// The code of the authenticator app, `steps` 30-second steps from now.
function totp(secret, steps = 0) {
  const counter = Math.floor(Date.now() / 1000 / 30) + steps;
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const h = createHmac("sha1", base32(secret)).update(msg).digest();
  const o = h[h.length - 1] & 15;
  const n = ((h[o] & 127) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3];
  return String(n % 1000000).padStart(6, "0");
}

async function password(page, base) {
  await page.goto(`${base}/admin/`);
  await page.getByLabel("E-mail").fill(EMAIL);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
}

async function logout(page) {
  await page.getByRole("button", { name: /Log out/ }).click();
  await page.waitForURL(/\/admin\/$/);
}

await run("totp", async () => {
  const shop = await startShop();
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    await password(page, shop.base);
    await page.waitForURL(/\/admin\/webservice/);

    // Set up.
    await page.getByRole("link", { name: "My account" }).click();
    await page.getByRole("button", { name: "Set up two-step verification" }).click();
    const secret = (await page.locator("#totp-secret").textContent()).trim();
    check("the set-up page shows the key for manual entry", /^[A-Z2-7]{32}$/.test(secret), secret);
    check("the set-up page shows a QR code", (await page.locator("img.qr").getAttribute("src") || "").startsWith("data:image/png;base64,"));
    await page.screenshot({ path: `${SHOTS}/totp-enrol.png`, fullPage: true });
    await page.getByLabel("Code from the app").fill(totp(secret));
    await page.getByRole("button", { name: "Turn on" }).click();
    const codes = (await page.locator("#recovery-codes code").allTextContents()).map((c) => c.trim());
    check("ten recovery codes are shown once", codes.length === 10, String(codes.length));
    await page.screenshot({ path: `${SHOTS}/totp-recovery-codes.png`, fullPage: true });
    await page.getByRole("link", { name: /continue/ }).click();
    check("the account page says it is on", (await page.locator("#two-step").textContent()).includes("Recovery codes left: 10"));
    await logout(page);

    // Log in with a code (the next step: the set-up spent this one).
    await password(page, shop.base);
    await page.waitForURL(/\/admin\/login\/code/);
    check("after the password a code is asked", await page.getByLabel(/6-digit code/).isVisible());
    await page.screenshot({ path: `${SHOTS}/totp-login-code.png`, fullPage: true });
    await page.getByLabel(/6-digit code/).fill("000000" === totp(secret, 1) ? "111111" : "000000");
    await page.getByRole("button", { name: "Verify" }).click();
    check("a wrong code is refused", (await page.locator(".alert-error").textContent()).includes("not correct"));
    await page.getByLabel(/6-digit code/).fill(totp(secret, 1));
    await page.getByRole("button", { name: "Verify" }).click();
    await page.waitForURL(/\/admin\/webservice/);
    check("the right code logs in", true);
    await logout(page);

    // Log in with a recovery code.
    await password(page, shop.base);
    await page.waitForURL(/\/admin\/login\/code/);
    await page.getByLabel(/6-digit code/).fill(codes[0]);
    await page.getByRole("button", { name: "Verify" }).click();
    await page.waitForURL(/\/admin\/webservice/);
    check("a recovery code logs in", true);
    await page.goto(`${shop.base}/admin/account`);
    check("one recovery code is spent", (await page.locator("#recovery-left").textContent()).trim() === "9");

    // Audit log: export and retention.
    await page.getByRole("link", { name: "Audit log" }).click();
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Export CSV" }).click(),
    ]);
    const csv = readFileSync(await download.path(), "utf8");
    const lines = csv.trim().split("\n");
    check("the CSV export has a header and rows", lines[0].startsWith("id,when_utc,who,from") && lines.length > 5, lines[0]);
    check("the CSV export holds the second-factor events", csv.includes("totp.enrolled") && csv.includes("totp.recovery_used"));
    check("the CSV export holds no secret", !csv.includes(secret) && !codes.some((c) => csv.includes(c)));
    await page.getByLabel(/Keep audit entries for/).fill("90");
    await page.getByRole("button", { name: "Save" }).click();
    await page.waitForURL(/done=retention/);
    check("the retention setting saves", (await page.getByLabel(/Keep audit entries for/).inputValue()) === "90");
    await page.screenshot({ path: `${SHOTS}/audit-export-retention.png`, fullPage: true });
  } finally {
    await browser.close();
    shop.stop();
  }
});

#!/usr/bin/env bash
# Order creation: POST /api/orders from a 5-line cart (two combinations, three plain
# products), p50 / p90 / p99 on one connection, on SQLite, beside POST /api/carts of the same
# 5-line cart measured in the same run (the ratio is order / cart: an order does the cart's
# reading plus every row of the order, the stock and the first state). Server pinned to
# CPU 0, wrk to CPU 1. Every order needs a cart of its own: the carts are made first, the
# orders then take them one by one.
# Also GET of a cart and of its summary (the totals an app shows), the ratio summary / cart.
# Usage: bash bench/checkout.sh [SECONDS]      (default 5; about a minute)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
SECS=${1:-5}
source bench/lib.sh
bench_tools
cargo build --release --locked --quiet
BIN=$ROOT/target/release/shopws

WORK=$(mktemp -d)
SERVER=
cleanup() { [ -z "$SERVER" ] || kill "$SERVER" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

export SHOPWS_DATABASE="sqlite:$WORK/shop.db" SHOPWS_LOG=warn
"$BIN" demo --products 1000 --pictures false >/dev/null 2>&1
"$BIN" webservice enable >/dev/null
KEY=$("$BIN" key add --all 2>/dev/null | tail -1)
AUTH="Authorization: Basic $(printf '%s:' "$KEY" | base64 -w0)"
# Enough stock for every order of the run.
python3 - "$WORK/shop.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("UPDATE stock_available SET quantity = 1000000, out_of_stock = 0")
c.commit()
PY
P=$(port)
taskset -c 0 "$BIN" serve --listen "127.0.0.1:$P" >/dev/null 2>&1 &
SERVER=$!
wait_port "$P"
URL="http://127.0.0.1:$P"

CART='<prestashop><cart><id_currency>1</id_currency><id_lang>1</id_lang><id_customer>1</id_customer><id_address_delivery>1</id_address_delivery><id_address_invoice>1</id_address_invoice><id_carrier>2</id_carrier><delivery_option>{"1":"2,"}</delivery_option><associations><cart_rows><cart_row><id_product>1</id_product><id_product_attribute>1</id_product_attribute><quantity>2</quantity></cart_row><cart_row><id_product>9</id_product><id_product_attribute>22</id_product_attribute><quantity>1</quantity></cart_row><cart_row><id_product>6</id_product><id_product_attribute>0</id_product_attribute><quantity>1</quantity></cart_row><cart_row><id_product>7</id_product><id_product_attribute>0</id_product_attribute><quantity>1</quantity></cart_row><cart_row><id_product>8</id_product><id_product_attribute>0</id_product_attribute><quantity>3</quantity></cart_row></cart_rows></associations></cart></prestashop>'

cat >"$WORK/cart.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/xml"
wrk.body = [[$CART]]
LUA
# The cart timing run makes the carts the orders then use (at least as many as orders).
read -r c50 c90 c99 < <(lat "$URL/api/carts" -s "$WORK/cart.lua")
FIRST=$(curl -s -H "$AUTH" "$URL/api/carts?display=%5Bid%5D&sort=%5Bid_ASC%5D&filter%5Bid%5D=%3E%5B5%5D&limit=1" | grep -o 'CDATA\[[0-9]*' | head -1 | tr -dc 0-9)
# Carts are made at least three times as fast as orders; make a margin more.
read -r _ _ _ < <(lat "$URL/api/carts" -s "$WORK/cart.lua")
# Reading a cart, and its totals (what an app shows before ordering).
read -r g50 g90 _ < <(lat "$URL/api/carts/$FIRST")
read -r s50 s90 _ < <(lat "$URL/api/carts/$FIRST/summary")

# The amount paid is the cart's total: ask the first cart (all carts are the same).
TOTAL=$(curl -s -H "$AUTH" -X POST -H 'Content-Type: application/xml' "$URL/api/orders" --data "<prestashop><order><id_address_delivery>1</id_address_delivery><id_address_invoice>1</id_address_invoice><id_cart>$FIRST</id_cart><id_currency>1</id_currency><id_lang>1</id_lang><id_customer>1</id_customer><id_carrier>2</id_carrier><module>ps_checkpayment</module><payment>Check</payment><total_paid>0</total_paid><total_paid_real>0</total_paid_real><total_products>0</total_products><total_products_wt>0</total_products_wt><conversion_rate>1</conversion_rate></order></prestashop>" | grep -o '<total_paid_tax_incl><!\[CDATA\[[0-9.]*' | grep -o '[0-9.]*$')
cat >"$WORK/order.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/xml"
local n = $FIRST
request = function()
  n = n + 1
  return wrk.format(nil, nil, nil, "<prestashop><order><id_address_delivery>1</id_address_delivery><id_address_invoice>1</id_address_invoice><id_cart>" .. n .. "</id_cart><id_currency>1</id_currency><id_lang>1</id_lang><id_customer>1</id_customer><id_carrier>2</id_carrier><module>ps_checkpayment</module><payment>Check</payment><total_paid>$TOTAL</total_paid><total_paid_real>0</total_paid_real><total_products>0</total_products><total_products_wt>0</total_products_wt><conversion_rate>1</conversion_rate></order></prestashop>")
end
response = function(status, headers, body)
  if status ~= 201 then io.stderr:write("order answered " .. status .. "\n") end
end
LUA
read -r o50 o90 o99 < <(lat "$URL/api/orders" -s "$WORK/order.lua" 2>"$WORK/errors")
BAD=$(sort "$WORK/errors" | uniq -c | head -3)
STATES=$(curl -s -H "$AUTH" "$URL/api/orders?display=%5Bcurrent_state%5D&filter%5Bid%5D=%3E%5B5%5D&limit=100000" | { grep -o '<!\[CDATA\[[0-9]*' || true; } | sed 's/.*\[//' | sort | uniq -c | tr -s ' ' | tr '\n' ';')

echo
echo "| request (SQLite, one connection) | p50 ms | p90 ms | p99 ms |"
echo "|---|---|---|---|"
echo "| GET /api/carts/{id}, 5 lines | $g50 | $g90 | |"
echo "| GET /api/carts/{id}/summary, 5 lines | $s50 | $s90 | |"
echo "| POST /api/carts, 5 lines | $c50 | $c90 | $c99 |"
echo "| POST /api/orders from a 5-line cart | $o50 | $o90 | $o99 |"
echo "| summary / GET cart, p50 | $(ratio "$s50" "$g50") | | |"
echo "| order / cart POST, p50 | $(ratio "$o50" "$c50") | | |"
echo
echo "cart total paid: $TOTAL; orders by state:$STATES ${BAD:+ refused: $BAD}"

#!/usr/bin/env python3
"""Build an existing PrestaShop 9 shop database in a running MariaDB/MySQL server.

The database is left as PrestaShop's installer and back office would have left it
(storage-mysql.md §6.3), without going through shopws:

  * structure: catalog/schema.mysql.sql with PREFIX_ replaced by the table prefix;
  * data: every catalog/seed/*.json file (except _*.json) as multi-row INSERTs;
  * attach prerequisites: PS_WEBSERVICE = 1, and for every key a webservice_account row,
    webservice_permission rows (every resource x GET/POST/PUT/PATCH/DELETE/HEAD) and a
    webservice_account_shop row for shop 1.

Everything is loaded with SET NAMES utf8mb4 and sql_mode='' (the seed holds zero dates, as
real shops do), by piping SQL into the `mariadb` command-line client: only the Python
standard library is needed.

Usage:
  scripts/ps-fixture.py (--socket PATH | --host H --port P) [--user U] [--password PW]
                        --database NAME [--prefix ps_] [--catalog DIR] [--key KEY]...
                        [--second-prefix PFX] [--recreate]

Prints a one-line summary on stdout; diagnostics and warnings go to stderr. Exit status is
non-zero on any failure.
"""

import argparse
import json
import math
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
# The repository's own copy of the catalog (its seed files sit beside it, in assets/seed).
DEFAULT_CATALOG = REPO_ROOT / "assets" / "catalog"
DEFAULT_KEY = "ATTACHKEYATTACHKEYATTACHKEY12345"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD")
ROWS_PER_STATEMENT = 200
PROG = "ps-fixture"


class FixtureError(Exception):
    pass


# --------------------------------------------------------------------------------------------
# SQL rendering


def quote_ident(name):
    return "`" + name.replace("`", "``") + "`"


_ESCAPES = {
    "\\": "\\\\",
    "'": "\\'",
    "\0": "\\0",
    "\n": "\\n",
    "\r": "\\r",
    "\x1a": "\\Z",
}
_ESCAPE_RE = re.compile("[\\\\'\0\n\r\x1a]")


def quote_str(s):
    return "'" + _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group(0)], s) + "'"


def literal(value, where):
    """A JSON value as a MySQL literal."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):  # before int: bool is a subclass of int
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise FixtureError(f"{where}: non-finite number {value!r}")
        return repr(value)
    if isinstance(value, str):
        return quote_str(value)
    raise FixtureError(f"{where}: unsupported value {value!r}")


def like_prefix(prefix):
    """A quoted LIKE pattern matching names that start with prefix."""
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return quote_str(escaped + "%")


def marker(*parts):
    """A statement whose output line tells which part of the load the next warnings belong to."""
    return "SELECT " + ", ".join(quote_str(p) for p in ("@@",) + parts) + ";"


# --------------------------------------------------------------------------------------------
# Catalog


def load_schema(catalog):
    path = catalog / "schema.mysql.sql"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise FixtureError(f"cannot read {path}: {e}") from e
    tables = re.findall(r"CREATE TABLE `PREFIX_(\w+)`", text)
    if not tables:
        raise FixtureError(f"{path}: no CREATE TABLE `PREFIX_...` statement")
    return text, tables


def configuration_ddl(schema_text):
    m = re.search(r"CREATE TABLE `PREFIX_configuration` \(.*?\n\)[^;]*;", schema_text, re.S)
    if not m:
        raise FixtureError("schema.mysql.sql has no PREFIX_configuration table")
    return m.group(0)


def load_seed(catalog, schema_tables):
    seed_dir = catalog / "seed"
    if not seed_dir.is_dir():
        seed_dir = catalog.parent / "seed"
    files = sorted(p for p in seed_dir.glob("*.json") if not p.name.startswith("_"))
    if not files:
        raise FixtureError(f"no seed files in {seed_dir}")
    known = set(schema_tables)
    seeds = []
    for path in files:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            table, columns, rows = data["table"], data["columns"], data["rows"]
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise FixtureError(f"{path}: not a seed file ({e})") from e
        if table not in known:
            raise FixtureError(f"{path}: table {table!r} is not in schema.mysql.sql")
        if not columns:
            raise FixtureError(f"{path}: no columns")
        seeds.append((table, columns, rows, path.name))
    return seeds


def load_resources(catalog):
    path = catalog / "resources.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        names = [r["api"] for r in data["resources"]]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise FixtureError(f"{path}: cannot read the resource list ({e})") from e
    seen = set()
    ordered = []
    for n in names:
        if n not in seen:
            seen.add(n)
            ordered.append(n)
    if not ordered:
        raise FixtureError(f"{path}: empty resource list")
    return ordered


# --------------------------------------------------------------------------------------------
# Script building


def insert_statements(table_name, columns, rows, source):
    cols = ", ".join(quote_ident(c) for c in columns)
    head = f"INSERT INTO {quote_ident(table_name)} ({cols}) VALUES\n"
    for start in range(0, len(rows), ROWS_PER_STATEMENT):
        chunk = rows[start:start + ROWS_PER_STATEMENT]
        tuples = []
        for i, row in enumerate(chunk, start):
            if not isinstance(row, dict):
                raise FixtureError(f"{source}: row {i} is not an object")
            extra = set(row) - set(columns)
            if extra:
                raise FixtureError(f"{source}: row {i} has unknown columns {sorted(extra)}")
            vals = []
            for c in columns:
                if c in row:
                    vals.append(literal(row[c], f"{source} row {i} column {c}"))
                else:
                    vals.append("DEFAULT")
            tuples.append("(" + ", ".join(vals) + ")")
        yield head + ",\n".join(tuples) + ";"


def build_script(args, schema_text, seeds, resources):
    p = args.prefix
    out = []
    counts = {"seed_rows": 0, "seed_tables": 0, "attach_rows": 0, "ps_webservice": "inserted"}

    db = quote_ident(args.database)
    out.append("SET NAMES utf8mb4;")
    out.append("SET SESSION sql_mode = '';")
    if args.recreate:
        out.append(f"DROP DATABASE IF EXISTS {db};")
    out.append(
        f"CREATE DATABASE IF NOT EXISTS {db} CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;"
    )
    out.append(f"USE {db};")

    # 1. Structure; a marker before each table so that warnings can be attributed.
    schema_sql = re.sub(
        r"^CREATE TABLE `PREFIX_(\w+)`",
        lambda m: marker("schema", m.group(1)) + "\n" + m.group(0),
        schema_text,
        flags=re.M,
    )
    out.append(schema_sql.replace("PREFIX_", p))
    out.append("SET SESSION sql_mode = '';")
    out.append("SET NAMES utf8mb4;")

    if args.second_prefix is not None:
        out.append(marker("second-prefix", "configuration"))
        out.append(configuration_ddl(schema_text).replace("PREFIX_", args.second_prefix))

    # 2. Data, in one transaction.
    out.append("START TRANSACTION;")
    for table, columns, rows, source in seeds:
        counts["seed_tables"] += 1
        if not rows:
            continue
        out.append(marker("seed", table))
        out.extend(insert_statements(p + table, columns, rows, source))
        counts["seed_rows"] += len(rows)

    if args.second_prefix is not None:
        # A second install's settings: the same configuration rows as the first shop's.
        for table, columns, rows, source in seeds:
            if table == "configuration" and rows:
                out.append(marker("second-prefix", "configuration"))
                out.extend(
                    insert_statements(args.second_prefix + "configuration", columns, rows, source)
                )

    # 3. Attach prerequisites, as the back office writes them.
    conf = quote_ident(p + "configuration")
    global_row = "name = 'PS_WEBSERVICE' AND id_shop IS NULL AND id_shop_group IS NULL"
    out.append(marker("attach", "configuration"))
    out.append(f"UPDATE {conf} SET value = '1', date_upd = NOW() WHERE {global_row};")
    out.append(
        f"INSERT INTO {conf} (id_shop_group, id_shop, name, value, date_add, date_upd) "
        f"SELECT NULL, NULL, 'PS_WEBSERVICE', '1', NOW(), NOW() FROM DUAL "
        f"WHERE NOT EXISTS (SELECT 1 FROM {conf} WHERE {global_row});"
    )
    seed_has_row = any(
        r.get("name") == "PS_WEBSERVICE"
        and r.get("id_shop") is None
        and r.get("id_shop_group") is None
        for table, _, rows, _ in seeds
        if table == "configuration"
        for r in rows
    )
    if seed_has_row:
        counts["ps_webservice"] = "updated"
    else:
        counts["attach_rows"] += 1

    account = quote_ident(p + "webservice_account")
    permission = quote_ident(p + "webservice_permission")
    account_shop = quote_ident(p + "webservice_account_shop")
    for key in args.keys:
        out.append(marker("attach", "key " + key))
        out.append(
            f"INSERT INTO {account} (`key`, description, class_name, is_module, module_name, "
            f"active) VALUES ({quote_str(key)}, 'fixture', 'WebserviceRequest', 0, NULL, 1);"
        )
        out.append("SET @id_webservice_account = LAST_INSERT_ID();")
        perms = [
            f"({quote_str(r)}, '{m}', @id_webservice_account)" for r in resources for m in METHODS
        ]
        out.append(
            f"INSERT INTO {permission} (resource, method, id_webservice_account) VALUES\n"
            + ",\n".join(perms)
            + ";"
        )
        out.append(
            f"INSERT INTO {account_shop} (id_webservice_account, id_shop) "
            f"VALUES (@id_webservice_account, 1);"
        )
        counts["attach_rows"] += 1 + len(perms) + 1
    out.append("COMMIT;")

    # 4. Check: the tables exist.
    out.append(marker("done", ""))
    out.append(
        "SELECT '@@result', COUNT(*) FROM information_schema.TABLES "
        f"WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE {like_prefix(p)};"
    )
    return "\n".join(out) + "\n", counts


# --------------------------------------------------------------------------------------------
# Running the client


def client_command(args):
    client = shutil.which("mariadb") or shutil.which("mysql")
    if client is None:
        raise FixtureError(
            "the mariadb command-line client is not on PATH (apt-get install mariadb-client)"
        )
    cmd = [
        client,
        "--no-defaults",
        "--batch",
        "--skip-column-names",
        "--show-warnings",
        "--default-character-set=utf8mb4",
        f"--user={args.user}",
    ]
    if args.socket:
        cmd += ["--protocol=socket", f"--socket={args.socket}"]
    else:
        cmd += ["--protocol=tcp", f"--host={args.host}", f"--port={args.port}"]
    return cmd


def run(args, script):
    env = dict(os.environ)
    env.pop("MYSQL_PWD", None)
    if args.password:
        env["MYSQL_PWD"] = args.password  # keeps the password off the command line
    try:
        proc = subprocess.run(
            client_command(args),
            input=script.encode("utf-8"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            check=False,
        )
    except OSError as e:
        raise FixtureError(f"cannot run the mariadb client: {e}") from e
    stdout = proc.stdout.decode("utf-8", "replace")
    stderr = proc.stderr.decode("utf-8", "replace")
    return proc.returncode, stdout, stderr


def parse_output(stdout):
    """Returns (warnings as (part, line), table count)."""
    part = "start"
    warnings = []
    table_count = None
    for line in stdout.splitlines():
        if line.startswith("@@\t"):
            fields = line.split("\t")
            part = " ".join(f for f in fields[1:] if f)
        elif line.startswith("@@result\t"):
            table_count = int(line.split("\t")[1])
        elif re.match(r"(Warning|Note|Error) \(Code \d+\)", line):
            warnings.append((part, line))
    return warnings, table_count


def last_part(stdout):
    part = None
    for line in stdout.splitlines():
        if line.startswith("@@\t"):
            part = " ".join(f for f in line.split("\t")[1:] if f)
    return part


# --------------------------------------------------------------------------------------------


def parse_args(argv):
    ap = argparse.ArgumentParser(
        prog="ps-fixture.py",
        description="Create a PrestaShop 9 shop database (structure, seed, webservice keys) "
        "in a running MariaDB/MySQL server, through the mariadb client.",
    )
    conn = ap.add_argument_group("connection")
    conn.add_argument("--socket", help="unix socket of the server (instead of --host/--port)")
    conn.add_argument("--host", default="127.0.0.1", help="TCP host (default: %(default)s)")
    conn.add_argument("--port", type=int, default=3306, help="TCP port (default: %(default)s)")
    conn.add_argument("--user", default="shopws", help="user (default: %(default)s)")
    conn.add_argument(
        "--password", default="shopws", help="password (default: %(default)s; '' for none)"
    )
    ap.add_argument(
        "--database", required=True, help="database, created if missing (utf8mb4_general_ci)"
    )
    ap.add_argument("--recreate", action="store_true", help="drop the database first if it exists")
    ap.add_argument("--prefix", default="ps_", help="table prefix (default: %(default)s)")
    ap.add_argument(
        "--catalog",
        type=Path,
        default=DEFAULT_CATALOG,
        help="catalog folder with schema.mysql.sql, seed/ and resources.json "
        "(default: the repository's assets/catalog, seed files in assets/seed)",
    )
    ap.add_argument(
        "--key",
        dest="keys",
        action="append",
        metavar="KEY",
        help=f"webservice key (32 characters), repeatable (default: {DEFAULT_KEY})",
    )
    ap.add_argument(
        "--second-prefix",
        metavar="PFX",
        help="also create another install's configuration table under this prefix "
        "(several shops in one database)",
    )
    args = ap.parse_args(argv)

    if not args.keys:
        args.keys = [DEFAULT_KEY]
    for k in args.keys:
        if len(k) != 32 or not re.fullmatch(r"[!-~]{32}", k):
            ap.error(f"--key {k!r}: a webservice key is 32 printable ASCII characters, no spaces")
    if len({k.lower() for k in args.keys}) != len(args.keys):
        ap.error("--key: the same key twice")
    if not re.fullmatch(r"[A-Za-z0-9_]*", args.prefix):
        ap.error("--prefix: letters, digits and _ only (as PrestaShop's installer requires)")
    if args.second_prefix is not None:
        if not re.fullmatch(r"[A-Za-z0-9_]+", args.second_prefix):
            ap.error("--second-prefix: letters, digits and _ only")
        if args.second_prefix == args.prefix:
            ap.error("--second-prefix must differ from --prefix")
    if not args.database or len(args.database) > 64:
        ap.error("--database: 1 to 64 characters")
    if args.socket and not os.path.exists(args.socket):
        ap.error(f"--socket {args.socket}: no such file")
    return args


def main(argv):
    args = parse_args(argv)
    t0 = time.monotonic()
    catalog = args.catalog.resolve()
    schema_text, schema_tables = load_schema(catalog)
    if args.second_prefix is not None:
        clash = args.second_prefix + "configuration"
        if clash in {args.prefix + t for t in schema_tables}:
            raise FixtureError(f"--second-prefix: {clash} is one of the shop's own tables")
    seeds = load_seed(catalog, schema_tables)
    resources = load_resources(catalog)
    script, counts = build_script(args, schema_text, seeds, resources)

    rc, stdout, stderr = run(args, script)
    if rc != 0:
        msg = stderr.strip() or f"mariadb client exited with status {rc}"
        part = last_part(stdout)
        where = f" (while loading: {part})" if part else ""
        hint = ""
        if re.search(r"ERROR (1044|1045|2002|2003|2005)\b", msg):
            raise FixtureError(f"cannot connect to the server:\n{msg}")
        if "ERROR 1050" in msg:
            hint = (
                "\nhint: the database already holds these tables;"
                " use --recreate or another --database"
            )
        raise FixtureError(f"load failed{where}:\n{msg}{hint}")

    warnings, table_count = parse_output(stdout)
    expected = len(schema_tables)
    if args.second_prefix is not None and args.second_prefix.startswith(args.prefix):
        expected += 1
    if table_count is None:
        raise FixtureError("load finished but the table check returned nothing")
    if table_count != expected:
        raise FixtureError(
            f"{table_count} tables named {args.prefix}* in {args.database}, expected {expected}"
        )

    for part, line in warnings[:50]:
        print(f"{PROG}: {part}: {line}", file=sys.stderr)
    if len(warnings) > 50:
        print(f"{PROG}: ... {len(warnings) - 50} more warnings", file=sys.stderr)

    second = ""
    if args.second_prefix is not None:
        second = f"; second install {args.second_prefix}configuration"
    print(
        f"{PROG}: database {args.database} prefix {args.prefix}: "
        f"{len(schema_tables)} tables created, "
        f"{counts['seed_rows'] + counts['attach_rows']} rows inserted "
        f"({counts['seed_rows']} seed rows in {counts['seed_tables']} tables, "
        f"{counts['attach_rows']} webservice rows), PS_WEBSERVICE=1 {counts['ps_webservice']}, "
        f"{len(args.keys)} key{'s' if len(args.keys) != 1 else ''} written"
        f"{second}; {len(warnings)} warnings; {time.monotonic() - t0:.2f} s"
    )
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except FixtureError as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)

import { DuckDBInstance, DuckDBConnection, LIST, VARCHAR, listValue, version as duckdbVersion } from '@duckdb/node-api';
import type { DuckDBType, DuckDBValue } from '@duckdb/node-api';
import { InputError, escapeControls } from '../errors.js';
import { startMemtrace } from './memtrace.js';
import { readSql, splitStatements } from './sql.js';

/** A parameter value bound to `$name` in SQL. Dates are passed as 'YYYY-MM-DD' strings and cast in SQL. */
export type Param = string | number | boolean | bigint | null | readonly string[];
export type Params = Record<string, Param>;

export interface DbOptions {
  /** The memory the process may use, e.g. '2GB' (`--memory-limit`): DuckDB's pool gets POOL_SHARE of it. */
  memoryLimit?: string;
  /** Folder DuckDB may spill to. */
  tempDirectory?: string;
  /** DuckDB threads; default PBR_THREADS when set, else all cores. */
  threads?: number;
}

/** PBR_THREADS: the DuckDB threads of every command that does not say (`--threads` wins). */
function envThreads(): number | undefined {
  const v = process.env.PBR_THREADS;
  if (v === undefined || v === '') return undefined;
  if (!/^[1-9][0-9]{0,3}$/.test(v)) throw new InputError(`PBR_THREADS: '${escapeControls(v.slice(0, 20))}' is not a number of threads; set it to a whole number such as 2, or unset it`);
  return Number(v);
}

/** PBR_PROFILE=1 prints each statement's time to stderr (for finding slow SQL; never in outputs). */
const PROFILE = process.env.PBR_PROFILE === '1';
/** The statement's time, and when it ended (seconds since the process started, to line up with memory samples). */
function profiled(sql: string, started: number): void {
  const now = performance.now();
  process.stderr.write(`[sql ${((now - started) / 1000).toFixed(2)}s @${(now / 1000).toFixed(1)}] ${sql.replace(/\s+/g, ' ').slice(0, 110)}\n`);
}

function toDuckValue(v: Param): DuckDBValue {
  if (Array.isArray(v)) return listValue([...v]);
  return v as DuckDBValue;
}

/** The session variable that carries a statement's parameter values (readParams, paramsSet). */
const PARAMS_VAR = 'pbr_params';

/** A parameter's name, as a statement names it (`$name`). */
const NAME = '[A-Za-z_][A-Za-z0-9_]*';
const PARAM_NAME = new RegExp(`^${NAME}$`);

/** String literals, quoted identifiers and comments (passed over), and `$name` parameters. */
const TOKENS = new RegExp(`'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\\n]*|/\\*[\\s\\S]*?\\*/|\\$(${NAME})`, 'g');

/** `SET VARIABLE pbr_params = {...}` and the values it binds. */
interface ParamsSet {
  sql: string;
  values: Record<string, DuckDBValue>;
  types: Record<string, DuckDBType | undefined>;
}

/**
 * A statement's parameters read from a session variable: each `$name` becomes a field of the
 * STRUCT `pbr_params` (paramsSet binds it), a NULL value the literal NULL. `uses` is whether the
 * statement reads the variable at all. A `$name` in a string literal, a quoted identifier or a
 * comment is left alone; a parameter the caller did not give is an error.
 *
 * Why not a prepared statement's parameters: DuckDB binds a prepared statement when it is
 * prepared and, when the values' types were not all known then (any `$x::DATE`, any `$x` inside
 * a macro), binds it again when it runs. Our statements are long (the exact arithmetic of
 * pay_macros.sql is macros within macros), so binding is most of their time on small data and
 * binding twice doubled it (BENCHMARKS.md, "Binding once"). getvariable() is replaced by its
 * value while the statement is bound, so the plan is the one a literal would give, and the
 * values are still never written into SQL text.
 */
function readParams(sql: string, params: Params): { text: string; uses: boolean } {
  let uses = false;
  const text = sql.replace(TOKENS, (token: string, name: string | undefined) => {
    if (name === undefined) return token;
    if (!(name in params)) throw new Error(`SQL parameter $${name} was not provided`);
    if (params[name] === null) return 'NULL';
    uses = true;
    return `struct_extract(getvariable('${PARAMS_VAR}'), '${name}')`;
  });
  return { text, uses };
}

/**
 * The statement that binds every non-NULL parameter of `params` into `pbr_params`, as the
 * parameters of a prepared statement of its own. Lists are typed VARCHAR[] explicitly (an empty
 * list has no type of its own); a JS number is an INTEGER when whole, else a DOUBLE, as when it
 * was bound directly.
 */
function paramsSet(params: Params): ParamsSet {
  const values: Record<string, DuckDBValue> = {};
  const types: Record<string, DuckDBType | undefined> = {};
  const fields: string[] = [];
  for (const [name, v] of Object.entries(params)) {
    if (v === null || !PARAM_NAME.test(name)) continue;
    values[name] = toDuckValue(v);
    if (Array.isArray(v)) types[name] = LIST(VARCHAR);
    fields.push(`'${name}': $${name}`);
  }
  return { sql: `SET VARIABLE ${PARAMS_VAR} = {${fields.join(', ')}}`, values, types };
}

/**
 * The share of `--memory-limit` given to DuckDB's buffer pool. The rest is for what DuckDB
 * allocates outside its pool (hash tables and sorts in flight, the allocator's caches) and for
 * Node (BENCHMARKS.md, "Scale 10 and memory").
 */
export const POOL_SHARE = 0.75;

const UNIT: Record<string, number> = { kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40 };

/** DuckDB's memory_limit for a process limit such as '2GB' or '1.5 GiB' (in KiB, rounded down). */
export function poolLimit(size: string): string {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]i?b)$/i.exec(size.trim());
  if (!m) return size; // DuckDB reports what it cannot read
  return `${Math.floor((Number(m[1]) * UNIT[m[2]!.toLowerCase()]! * POOL_SHARE) / 1024)}KiB`;
}

/**
 * One DuckDB database for one engine run. All computation happens in SQL through this object:
 * `exec` runs a named file from queries/ (statement by statement, each with the parameters it uses),
 * `all` returns rows as plain JS objects (for small results only: summaries, never per-person data).
 */
export class Db {
  /** Rows this database handed to JavaScript: the largest single result and the total (timings.json). */
  readonly jsRows = { max: 0, total: 0 };

  private constructor(
    readonly instance: DuckDBInstance,
    readonly conn: DuckDBConnection,
    /** A second connection (fork) closes only itself; the database closes with its first. */
    private readonly ownsInstance = true,
  ) {}

  static async open(opts: DbOptions = {}): Promise<Db> {
    const config: Record<string, string> = {};
    if (opts.memoryLimit) config.memory_limit = poolLimit(opts.memoryLimit);
    if (opts.tempDirectory) config.temp_directory = opts.tempDirectory;
    const threads = opts.threads ?? envThreads();
    if (threads) config.threads = String(threads);
    const instance = await DuckDBInstance.create(':memory:', config);
    const conn = await instance.connect();
    await startMemtrace(instance);
    return new Db(instance, conn);
  }

  /**
   * Another connection to the same database, for work that runs beside this connection's (the
   * run cache is written while payments and the report are made). Tables are shared; TEMP tables
   * and macros are per connection.
   */
  async fork(): Promise<Db> {
    return new Db(this.instance, await this.instance.connect(), false);
  }

  static get version(): string {
    return duckdbVersion();
  }

  /**
   * Run SQL text (one or more statements) with bound parameters: bound once for all of its
   * statements (readParams, paramsSet). The statements go to DuckDB in one call, which costs a
   * fraction of a call each (BENCHMARKS.md, "Statements in one call"); with PBR_PROFILE one at a
   * time, to time each.
   */
  async run(sql: string, params: Params = {}): Promise<void> {
    const stmts = splitStatements(sql).map((stmt) => ({ stmt, ...readParams(stmt, params) }));
    if (stmts.some((s) => s.uses)) await this.bind(params);
    if (!PROFILE) {
      if (stmts.length > 0) await this.conn.run(stmts.map((s) => s.text).join('\n;\n'));
      return;
    }
    for (const s of stmts) {
      const t = performance.now();
      await this.conn.run(s.text);
      profiled(s.stmt, t);
    }
  }

  /** Run the named query file from queries/. */
  async exec(name: string, params: Params = {}): Promise<void> {
    await this.run(readSql(name), params);
  }

  /** The files of macros this connection has defined (execMacros). */
  private readonly macroFiles = new Set<string>();

  /**
   * Define the macros of a query file (`*_macros.sql`) once on this connection: they take no
   * parameters and each replaces itself, so defining them again changes nothing but costs a
   * statement each (pay_macros has 32, and measure() and pay both need them).
   */
  async execMacros(name: string): Promise<void> {
    if (this.macroFiles.has(name)) return;
    await this.exec(name);
    this.macroFiles.add(name);
  }

  /** This connection's database (catalog), as dropRelation names it. */
  private catalog: string | undefined;

  /**
   * Drop the table or view `name` of the main schema, whichever it is (CREATE OR REPLACE cannot
   * replace a view by a table or the other way round). Nothing when there is neither.
   */
  async dropRelation(name: string): Promise<void> {
    // DROP TABLE of a view fails, and so does DROP VIEW of a table: try one, then the other (one
    // statement instead of a catalog query and a drop, BENCHMARKS.md "Statements in one call")
    this.catalog ??= await this.scalar<string>(`SELECT current_database()`);
    // in full: `main.name` alone would be a TEMP table of that name first
    const target = `${ident(this.catalog)}.main.${ident(name)}`;
    try {
      await this.conn.run(`DROP TABLE IF EXISTS ${target}`);
    } catch (asTable) {
      await this.conn.run(`DROP VIEW IF EXISTS ${target}`).catch(() => {
        throw asTable;
      });
    }
  }

  /** Rows of a single statement, JSON-friendly (numbers, strings, null; BIGINT and DECIMAL as strings). */
  async all<T = Record<string, unknown>>(sql: string, params: Params = {}): Promise<T[]> {
    return this.count((await this.read(sql, params)).getRowObjectsJson() as T[]);
  }

  /** Rows of the last statement of a named query file (the ones before it run first). */
  async allNamed<T = Record<string, unknown>>(name: string, params: Params = {}): Promise<T[]> {
    const stmts = splitStatements(readSql(name));
    for (const s of stmts.slice(0, -1)) await this.run(s, params);
    return this.all<T>(stmts[stmts.length - 1]!, params);
  }

  /**
   * Rows of a single statement, JSON-friendly like `all`, a chunk at a time (DuckDB's vectors of
   * up to 2,048 rows): for results too large to hold in JavaScript at once (an area's offences in
   * a workbook). The statement runs as the chunks are read.
   */
  async *chunks<T = Record<string, unknown>>(sql: string, params: Params = {}): AsyncGenerator<T[]> {
    const result = await this.conn.stream(await this.bound(sql, params));
    for await (const rows of result.yieldRowObjectJson()) yield this.count(rows as T[]);
  }

  /** A single scalar, JSON-friendly. */
  async scalar<T = unknown>(sql: string, params: Params = {}): Promise<T> {
    const r = this.count((await this.read(sql, params)).getRowsJson())[0];
    return (r ? r[0] : null) as T;
  }

  private count<R>(rows: R[]): R[] {
    this.jsRows.max = Math.max(this.jsRows.max, rows.length);
    this.jsRows.total += rows.length;
    return rows;
  }

  /** Bind the values of `params` into this connection's `pbr_params` (paramsSet). */
  private async bind(params: Params): Promise<void> {
    const set = paramsSet(params);
    await this.conn.run(set.sql, set.values, set.types);
  }

  /** A single statement's text as DuckDB runs it, its parameter values bound first if it reads any. */
  private async bound(sql: string, params: Params): Promise<string> {
    const r = readParams(sql, params);
    if (r.uses) await this.bind(params);
    return r.text;
  }

  private async read(sql: string, params: Params) {
    const t = PROFILE ? performance.now() : 0;
    const result = await this.conn.runAndReadAll(await this.bound(sql, params));
    if (PROFILE) profiled(sql, t);
    return result;
  }

  close(): void {
    this.conn.closeSync();
    if (this.ownsInstance) this.instance.closeSync();
  }
}

/** Quote an identifier (table or column name) for SQL text; values are always bound, never spliced. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A string literal, for the few places DuckDB takes no parameters (file paths in COPY / read_csv). */
export function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

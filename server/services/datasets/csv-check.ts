/**
 * The strict reading of an uploaded CSV, chunk by chunk as it arrives: the
 * bytes must be UTF-8 text (no NUL byte, no binary file), the first line a
 * header naming every column once, and every row after it a well-formed
 * record (quotes balanced, `""` inside a quoted field) with as many fields as
 * the header. The records are parsed by csv-parse; the first problem stops
 * the upload with a CsvRefused whose message names its line.
 *
 * The delimiter is the one of `,` `;` tab `|` that the header line uses most
 * (a comma when it has none); DuckDB then reads the file with the same one.
 */
import { CsvError, Parser } from "csv-parse";
import { parse as parseSync } from "csv-parse/sync";

/** A record longer than this stops the upload (in practice: a quote that is never closed swallowing the file). */
export const MAX_RECORD_BYTES = 8 * 1024 * 1024;

/** Why an upload is not a CSV Conveyor reads; `line` is 1-based, null when the problem is the whole file. */
export class CsvRefused extends Error {
  constructor(
    message: string,
    readonly line: number | null = null,
  ) {
    super(message);
    this.name = "CsvRefused";
  }
}

export interface CsvShape {
  delimiter: string;
  header: string[];
  /** Data rows (blank lines are not rows). */
  rows: number;
}

const MAGIC_BYTES = 8;
/** Characters of the file's start kept for its header. */
export const HEAD_CHARS = 64 * 1024;
const EMPTY = "the file is empty; a CSV needs a header row and at least one data row";
const noRows = (header: string[], line: number) => new CsvRefused(`the CSV has a header row (${header.join(", ")}) but no data rows`, line + 1);
const DELIMITERS = [",", ";", "\t", "|"] as const;
const DELIMITER_NAMES: Record<string, string> = { ",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe" };

/** File types people upload by mistake, by their first bytes. */
const MAGIC: [number[], string][] = [
  [[0x50, 0x41, 0x52, 0x31], "a Parquet file"],
  [[0x50, 0x4b, 0x03, 0x04], "a ZIP archive (an Excel .xlsx workbook is one)"],
  [[0x1f, 0x8b], "a gzip-compressed file"],
  [[0xd0, 0xcf, 0x11, 0xe0], "an old Excel .xls workbook"],
  [[0x25, 0x50, 0x44, 0x46], "a PDF document"],
];

/** The delimiter the header line uses most, outside quoted names. */
export function sniffDelimiter(headerLine: string): string {
  const bare = headerLine.replace(/"(?:[^"]|"")*"/g, "");
  let best: string = ",";
  let most = 0;
  for (const d of DELIMITERS) {
    const n = bare.split(d).length - 1;
    if (n > most) [best, most] = [d, n];
  }
  return best;
}

/**
 * The byte layer: an upload's chunks as UTF-8 text. Refuses a known binary
 * file type (by its first bytes), a NUL byte and bytes that are not UTF-8,
 * naming the line; keeps the first HEAD_CHARS characters (the header).
 */
export class CsvText {
  private readonly decoder = new TextDecoder("utf-8", { fatal: true }); // drops a leading BOM
  private bytes = 0;
  /** Line breaks decoded so far (to name the line of a byte that is not UTF-8). */
  newlines = 0;
  /** The first characters of the file. */
  head = "";
  private held: Uint8Array | null = new Uint8Array();

  /** The text of the next chunk ("" while the first bytes are held to tell the file type). */
  write(chunk: Uint8Array): string {
    if (this.held) {
      this.held = concat(this.held, chunk);
      if (this.held.byteLength < MAGIC_BYTES) return "";
      chunk = this.held;
      this.held = null;
      refuseKnownBinary(chunk);
    }
    let text: string;
    try {
      text = this.decoder.decode(chunk, { stream: true });
    } catch {
      throw this.notUtf8(chunk);
    }
    const nul = text.indexOf("\u0000");
    if (nul >= 0) {
      const line = this.newlines + countNewlines(text.slice(0, nul)) + 1;
      throw new CsvRefused(
        `the file holds binary data (a NUL byte at byte ${(this.bytes + chunk.indexOf(0) + 1).toLocaleString("en-US")}, on line ${line}), not CSV text`,
      );
    }
    this.bytes += chunk.byteLength;
    return this.took(text);
  }

  /** The text of the file's end. */
  end(): string {
    let text = "";
    if (this.held) {
      const held = this.held;
      this.held = null;
      refuseKnownBinary(held);
      if (held.byteLength) text = this.write(held);
    }
    try {
      return text + this.took(this.decoder.decode());
    } catch {
      throw new CsvRefused(`the file ends inside a UTF-8 character (line ${this.newlines + 1}); save the file as UTF-8`, this.newlines + 1);
    }
  }

  private took(text: string): string {
    this.newlines += countNewlines(text);
    if (this.head.length < HEAD_CHARS) this.head += text.slice(0, HEAD_CHARS - this.head.length);
    return text;
  }

  /** The line of the first byte of `chunk` that is not UTF-8 (the replacement character a lenient decoder puts there). */
  private notUtf8(chunk: Uint8Array): CsvRefused {
    const lenient = new TextDecoder().decode(chunk);
    const line = this.newlines + countNewlines(lenient.slice(0, Math.max(0, lenient.indexOf("\uFFFD")))) + 1;
    if (line === 1 && this.bytes < 1024)
      return new CsvRefused("the file is binary data, not CSV text (it does not start with UTF-8 text); upload a CSV saved as UTF-8");
    return new CsvRefused(`line ${line} is not UTF-8 text; save the file as UTF-8 ("CSV UTF-8" in Excel)`, line);
  }
}

/** The whole check: the text layer, then every record parsed. */
export class CsvCheck {
  private readonly text = new CsvText();
  private parser: Parser | null = null;
  /** Text before the header line is complete (the delimiter is not known yet). */
  private pending = "";
  private header: string[] | null = null;
  private headerLine = 1;
  private rows = 0;
  /** The line the last record ended on. */
  private lastLine = 0;
  private delimiter = ",";

  /** Checks the next chunk of the file; throws a CsvRefused at the first problem. */
  async write(chunk: Uint8Array): Promise<void> {
    await this.feed(this.text.write(chunk));
  }

  /** Finishes the check: the file's shape, or a CsvRefused. */
  async end(): Promise<CsvShape> {
    await this.feed(this.text.end());
    if (!this.parser) {
      if (!this.pending.trim()) throw new CsvRefused(EMPTY);
      this.start();
      await this.push(this.pending);
    }
    await new Promise<void>((resolve, reject) => {
      const parser = this.parser!;
      parser.once("error", (e) => reject(this.refusal(e)));
      parser.once("finish", () => resolve());
      parser.end();
    });
    if (!this.header) throw new CsvRefused(EMPTY);
    if (this.rows === 0) throw noRows(this.header, this.headerLine);
    return { delimiter: this.delimiter, header: this.header, rows: this.rows };
  }

  private async feed(text: string): Promise<void> {
    if (!text) return;
    if (this.parser) return this.push(text);
    this.pending += text;
    // The delimiter is sniffed from the header line, so parsing starts once it is whole (or clearly long).
    if (!/[\r\n]/.test(this.pending) && this.pending.length < HEAD_CHARS) return;
    const text0 = this.pending;
    this.pending = "";
    this.start(text0);
    await this.push(text0);
  }

  private start(sample = this.pending): void {
    this.delimiter = sniffDelimiter(sample.trimStart().split(/\r?\n|\r/, 1)[0] ?? "");
    this.parser = new Parser({
      delimiter: this.delimiter,
      quote: '"',
      escape: '"',
      record_delimiter: ["\r\n", "\n", "\r"], // line ends may be mixed (a file edited on two systems)
      relax_column_count: true, // the count is checked below, to name the row's first line
      max_record_size: MAX_RECORD_BYTES,
      on_record: (record: string[], info: { lines: number }) => this.record(record, info.lines),
    });
    this.parser.on("error", () => {}); // errors reach the writer through the write/end callbacks
    this.parser.resume();
  }

  private push(text: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.parser!.write(text, (e) => (e ? reject(this.refusal(e)) : resolve()));
    });
  }

  /** One parsed record (on_record): checks it and keeps nothing. */
  private record(record: string[], endLine: number): null {
    const line = this.lastLine + 1;
    this.lastLine = endLine;
    if (record.length === 1 && (record[0] === "" || (!this.header && !record[0]!.trim()))) return null; // a blank line
    if (!this.header) {
      this.header = record;
      this.headerLine = line;
      checkHeader(record, line);
      return null;
    }
    if (record.length !== this.header.length) {
      const where = endLine > line ? `lines ${line}–${endLine}` : `line ${line}`;
      throw new CsvRefused(
        `${where} ${record.length === 1 ? "has 1 field" : `has ${record.length} fields`} but the header has ${this.header.length} (${DELIMITER_NAMES[this.delimiter]}-separated); every row needs one value per column (an empty value is fine)`,
        line,
      );
    }
    this.rows++;
    return null;
  }

  /** A parser error as a sentence naming the line it is on. */
  private refusal(e: unknown): CsvRefused {
    if (e instanceof CsvRefused) return e;
    if (!(e instanceof CsvError)) return new CsvRefused(`the CSV could not be read: ${e instanceof Error ? e.message : String(e)}`);
    const start = this.lastLine + 1;
    const at = (e as CsvError & { lines?: number }).lines ?? start;
    const column = (e as CsvError & { column?: number }).column;
    const named = typeof column === "number" && this.header?.[column] !== undefined ? ` (column "${this.header[column]}")` : "";
    switch (e.code) {
      case "CSV_QUOTE_NOT_CLOSED":
        return new CsvRefused(`line ${start}: a quoted field opens here and is never closed (the file ends inside the quotes)`, start);
      case "CSV_INVALID_CLOSING_QUOTE":
        return at > start
          ? new CsvRefused(
              `line ${start}: a quoted field opens here and is not closed on its line (the quotes run on to line ${at}); close it, and write a quote inside a quoted field as ""`,
              start,
            )
          : new CsvRefused(`line ${at}: text follows a closing quote${named}; write a quote inside a quoted field as ""`, at);
      case "INVALID_OPENING_QUOTE":
        return new CsvRefused(`line ${at}: a quote inside an unquoted field${named}; put the whole field in quotes and write the quote as ""`, at);
      case "CSV_MAX_RECORD_SIZE":
        return new CsvRefused(`line ${start}: a row runs past ${MAX_RECORD_BYTES / 1024 / 1024} MB; is a quote opened there and never closed?`, start);
      default:
        return new CsvRefused(`line ${at}: ${e.message.replace(/\s*at line \d+\.?$/, "")}`, at);
    }
  }
}

/**
 * The header from the file's first characters (CsvText.head): its delimiter,
 * names and line, the names checked. Null when the header line itself is not
 * well-formed (the full check names the problem).
 */
export function readHeader(head: string): { delimiter: string; header: string[]; line: number } | null {
  const start = head.search(/\S/);
  if (start < 0) throw new CsvRefused(EMPTY);
  const line = countNewlines(head.slice(0, start)) + 1;
  const text = head.slice(start);
  const delimiter = sniffDelimiter(text.split(/\r?\n|\r/, 1)[0] ?? "");
  let records: unknown[];
  try {
    records = parseSync(text, { delimiter, quote: '"', escape: '"', record_delimiter: ["\r\n", "\n", "\r"], relax_column_count: true, to: 1 });
  } catch {
    return null;
  }
  const header = records[0] as string[] | undefined;
  if (!header) return null;
  checkHeader(header, line);
  return { delimiter, header, line };
}

/** The refusal of a file whose header is fine but that has no rows. */
export const headerOnly = noRows;

export function checkHeader(names: string[], line: number): void {
  const seen = new Map<string, number>();
  names.forEach((name, i) => {
    if (!name.trim()) {
      throw new CsvRefused(
        `line ${line} (the header): column ${i + 1} of ${names.length} has no name; name every column (the first line of the file is the header)`,
        line,
      );
    }
    const first = seen.get(name);
    if (first !== undefined) throw new CsvRefused(`line ${line} (the header): column "${name}" is named twice (columns ${first + 1} and ${i + 1})`, line);
    seen.set(name, i);
  });
}

function refuseKnownBinary(head: Uint8Array): void {
  for (const [magic, what] of MAGIC) {
    if (head.length >= magic.length && magic.every((b, i) => head[i] === b)) {
      throw new CsvRefused(`the file is ${what}, not CSV text; export the data as CSV (UTF-8) and upload that`);
    }
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a);
  out.set(b, a.byteLength);
  return out;
}

function countNewlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) n++;
  return n;
}

/** Checks a whole file at once (tests, small inputs). */
export async function checkCsv(bytes: Uint8Array | string, chunkBytes = 64 * 1024): Promise<CsvShape> {
  const data = typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes;
  const check = new CsvCheck();
  for (let at = 0; at < data.byteLength; at += chunkBytes) await check.write(data.subarray(at, at + chunkBytes));
  return check.end();
}

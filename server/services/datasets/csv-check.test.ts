import { describe, expect, it } from "vitest";
import { checkCsv, CsvRefused, MAX_RECORD_BYTES, readHeader, sniffDelimiter } from "./csv-check";

/** The refusal of `csv`, read in chunks of every size given (the answer must not depend on where chunks break). */
async function refusal(csv: string | Uint8Array, chunks = [1, 7, 64 * 1024]): Promise<{ message: string; line: number | null }> {
  const seen = new Set<string>();
  let out: { message: string; line: number | null } | undefined;
  for (const size of chunks) {
    const e = await checkCsv(csv, size).then(
      () => null,
      (err: unknown) => err,
    );
    expect(e, `chunks of ${size}`).toBeInstanceOf(CsvRefused);
    out = { message: (e as CsvRefused).message, line: (e as CsvRefused).line };
    seen.add(JSON.stringify(out));
  }
  expect(seen.size).toBe(1);
  return out!;
}

const bytes = (...parts: (string | number[])[]) => new Uint8Array(parts.flatMap((p) => (typeof p === "string" ? [...new TextEncoder().encode(p)] : p)));

describe("csv-check accepts", () => {
  it("a well-formed CSV: quoted delimiters, doubled quotes, line breaks in quotes, CRLF, a BOM, blank lines", async () => {
    expect(await checkCsv('a,b,c\n1,"x, ""y""",3\n2,"two\nlines",4\n')).toEqual({ delimiter: ",", header: ["a", "b", "c"], rows: 2 });
    expect(await checkCsv("\uFEFFa,b\r\n1,2\r\n\r\n3,4\r\n\n")).toEqual({ delimiter: ",", header: ["a", "b"], rows: 2 });
    expect(await checkCsv("a,b\n1,2", 1)).toMatchObject({ rows: 1 }); // no final line break
  });

  it("semicolon-, tab- and pipe-separated files (the header line's delimiter)", async () => {
    expect(await checkCsv("a;b;c\n1;2,5;3\n")).toEqual({ delimiter: ";", header: ["a", "b", "c"], rows: 1 });
    expect((await checkCsv("a\tb\n1\t2\n")).delimiter).toBe("\t");
    expect((await checkCsv("a|b\n1|2\n")).delimiter).toBe("|");
    expect(sniffDelimiter('"x;y",b')).toBe(","); // a delimiter inside a quoted name does not count
    expect(sniffDelimiter("single")).toBe(",");
  });
});

describe("csv-check refuses, naming the line", () => {
  it("a quote that is never closed: the line where it opens", async () => {
    expect(await refusal('a,b,c\n1,2,3\n4,"five,6\n7,8,9\n')).toEqual({
      message: "line 3: a quoted field opens here and is never closed (the file ends inside the quotes)",
      line: 3,
    });
  });

  it("a quote left open until a later quoted field: the line where it opens, and where it ran to", async () => {
    expect(await refusal('a,b,c\n1,2,3\n4,"five,6\n7,"8",9\n')).toEqual({
      message:
        'line 3: a quoted field opens here and is not closed on its line (the quotes run on to line 4); close it, and write a quote inside a quoted field as ""',
      line: 3,
    });
  });

  it("text after a closing quote, and a quote inside an unquoted field: the line and the column", async () => {
    expect(await refusal('a,b,c\n1,2,3\n4,"five"x,6\n')).toEqual({
      message: 'line 3: text follows a closing quote (column "b"); write a quote inside a quoted field as ""',
      line: 3,
    });
    expect(await refusal('a,b\n1,2\n1,5" pipe\n')).toEqual({
      message: 'line 3: a quote inside an unquoted field (column "b"); put the whole field in quotes and write the quote as ""',
      line: 3,
    });
  });

  it("a ragged row: its line (the first line of a row that spans several), its count and the header's", async () => {
    expect(await refusal("a,b,c\n1,2,3\n4,5\n7,8,9\n")).toEqual({
      message: "line 3 has 2 fields but the header has 3 (comma-separated); every row needs one value per column (an empty value is fine)",
      line: 3,
    });
    expect((await refusal("a,b,c\n1,2,3\n\n\n4,5,6,7\n")).message).toMatch(/^line 5 has 4 fields but the header has 3/);
    expect((await refusal('a,b\n1,2\n3,"x\ny",z\n')).message).toMatch(/^lines 3–4 has 3 fields but the header has 2/);
    expect((await refusal("a;b\n1;2\n3\n")).message).toMatch(/^line 3 has 1 field but the header has 2 \(semicolon-separated\)/);
  });

  it("a header with no data rows", async () => {
    expect(await refusal("size,rooms,price\n")).toEqual({ message: "the CSV has a header row (size, rooms, price) but no data rows", line: 2 });
    expect((await refusal("size,rooms,price")).message).toBe("the CSV has a header row (size, rooms, price) but no data rows");
    expect((await refusal("size,rooms,price\n\n\r\n")).message).toBe("the CSV has a header row (size, rooms, price) but no data rows");
  });

  it("an empty file, or one of blank lines", async () => {
    for (const csv of ["", "\n\n", "  \r\n \n", "\uFEFF"]) {
      expect(await refusal(csv)).toEqual({ message: "the file is empty; a CSV needs a header row and at least one data row", line: null });
    }
  });

  it("a header naming a column twice, or leaving one unnamed", async () => {
    expect(await refusal("a,b,a\n1,2,3\n")).toEqual({ message: 'line 1 (the header): column "a" is named twice (columns 1 and 3)', line: 1 });
    expect((await refusal(",price\n0,1\n")).message).toBe(
      "line 1 (the header): column 1 of 2 has no name; name every column (the first line of the file is the header)",
    );
  });

  it("binary data: a known file type by name, a NUL byte, bytes that are not UTF-8", async () => {
    expect((await refusal(bytes([0x50, 0x41, 0x52, 0x31, 0x15, 0x04]))).message).toBe(
      "the file is a Parquet file, not CSV text; export the data as CSV (UTF-8) and upload that",
    );
    expect((await refusal(bytes([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 6, 0, 8]))).message).toMatch(
      /^the file is a ZIP archive \(an Excel \.xlsx workbook is one\)/,
    );
    expect((await refusal(bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]))).message).toMatch(/^the file is binary data, not CSV text/);
    expect((await refusal(bytes([0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0, 0x01, 0]))).message).toBe(
      "the file holds binary data (a NUL byte at byte 8, on line 1), not CSV text",
    );
    expect(await refusal(bytes([0xff, 0xd8, 0xff, 0xe0, 0x10, 0x4a, 0x46, 0x49, 0x46]))).toEqual({
      message: "the file is binary data, not CSV text (it does not start with UTF-8 text); upload a CSV saved as UTF-8",
      line: null,
    });
    expect(await refusal(bytes("a,b\n1,2\n3,", [0]))).toEqual({
      message: "the file holds binary data (a NUL byte at byte 11, on line 3), not CSV text",
      line: null,
    });
    // Latin-1 "café" on line 3.
    expect(await refusal(bytes("a,b\n1,2\n3,caf", [0xe9], "\n4,5\n"), [64 * 1024])).toEqual({
      message: 'line 3 is not UTF-8 text; save the file as UTF-8 ("CSV UTF-8" in Excel)',
      line: 3,
    });
  });

  it("a row past the record limit (a quote opened and never closed in a large file) stops there", async () => {
    const csv = `a,b\n1,2\n3,"${"x".repeat(MAX_RECORD_BYTES + 10)}\n`;
    expect(await refusal(csv, [1024 * 1024])).toEqual({ message: "line 3: a row runs past 8 MB; is a quote opened there and never closed?", line: 3 });
  });
});

describe("readHeader (the header from the file's first 64 KB)", () => {
  it("reads the names and the delimiter, whatever follows (even a record cut in half)", () => {
    expect(readHeader('\n\nsize;"rooms; total";city\n1;2;"Os')).toEqual({ delimiter: ";", header: ["size", "rooms; total", "city"], line: 3 });
  });

  it("refuses an empty start or a bad name, and leaves a malformed header line to the full check", () => {
    expect(() => readHeader(" \n\n")).toThrow("the file is empty");
    expect(() => readHeader("a,a\n1,2\n")).toThrow('line 1 (the header): column "a" is named twice (columns 1 and 2)');
    expect(readHeader('a,"b\n1,2\n')).toBeNull();
  });
});

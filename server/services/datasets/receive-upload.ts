/**
 * An upload's body to a file, as it arrives: each chunk is counted, checked
 * as text (csv-check.ts: no binary data, UTF-8) and written, so memory holds
 * one chunk whatever the size, and the body stops being read the moment it
 * passes the limit (413) or shows binary data; the caller removes the file
 * on any error.
 */
import fsp from "node:fs/promises";
import { ServiceError } from "../../errors";
import { CsvText } from "./csv-check";

/** An upload's bytes: whole (tests, scripts) or as they arrive (a request body). */
export type UploadBytes = Uint8Array | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

export const tooLarge = (limit: number) => new ServiceError("payload_too_large", `the CSV is larger than ${Math.round(limit / 1024 / 1024)} MB`);

/** The chunks of `bytes`; stopping early (a throw) cancels a stream, so the rest of the body is not read. */
async function* chunksOf(bytes: UploadBytes): AsyncGenerator<Uint8Array> {
  if (bytes instanceof Uint8Array) {
    for (let at = 0; at < bytes.byteLength; at += 1024 * 1024) yield bytes.subarray(at, at + 1024 * 1024);
    return;
  }
  if (!("getReader" in bytes)) {
    yield* bytes;
    return;
  }
  const reader = bytes.getReader();
  let done = false;
  try {
    for (;;) {
      const r = await reader.read();
      if (r.done) {
        done = true;
        return;
      }
      yield r.value;
    }
  } finally {
    if (!done) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

/** Writes `bytes` to `file` while checking them as text; throws a ServiceError (413) past `limit` bytes, or a CsvRefused. */
export async function receiveCsv(bytes: UploadBytes, file: string, limit: number): Promise<{ bytes: number; head: string }> {
  const text = new CsvText();
  const out = await fsp.open(file, "w");
  let size = 0;
  try {
    for await (const chunk of chunksOf(bytes)) {
      size += chunk.byteLength;
      if (size > limit) throw tooLarge(limit);
      text.write(chunk);
      await out.write(chunk);
    }
  } finally {
    await out.close();
  }
  if (size === 0) throw new ServiceError("bad_request", "the request body is empty; send the CSV as text/csv");
  text.end();
  return { bytes: size, head: text.head };
}

/** A value as text for messages and form fields: strings as they are, objects and arrays as JSON, the rest with String(). */
export function toText(v: unknown): string {
  if (typeof v === "string") return v;
  if (v !== null && typeof v === "object") return JSON.stringify(v);
  return String(v);
}

/** Changed fields as a table, before (rose) → after (emerald): the compare view's look, shared with the node upgrade dialog. */
import type { FieldChange } from "../../workflows/spec/diff";

export function showValue(v: unknown): string {
  if (v === undefined || v === null) return "—";
  return typeof v === "string" ? v : JSON.stringify(v);
}

export function FieldChangesTable({ changes, testId }: { changes: FieldChange[]; testId?: string }) {
  return (
    <table className="mt-1.5 w-full table-fixed border-collapse text-[12px]" data-testid={testId}>
      <thead>
        <tr className="text-left text-[11px] uppercase tracking-wide text-slate-400">
          <th className="w-2/5 py-1 font-medium">field</th>
          <th className="py-1 font-medium">before</th>
          <th className="py-1 font-medium">after</th>
        </tr>
      </thead>
      <tbody>
        {changes.map((f) => (
          <tr key={f.field} className="border-t border-slate-100 align-top" data-field={f.field}>
            <td className="break-all py-1 pr-2 font-mono text-slate-600">{f.field}</td>
            <td className="break-all py-1 pr-2 font-mono text-rose-700">{showValue(f.before)}</td>
            <td className="break-all py-1 font-mono text-emerald-700">{showValue(f.after)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

import { describeError } from "../trpc/errors";
import { AlertIcon } from "./icons";

/** A refused action, next to the button that asked: the status, the server's message and the fields it names. */
export function ActionError({ error }: { error: unknown }) {
  if (!error) return null;
  const d = describeError(error);
  return (
    <div role="alert" className="flex gap-2 rounded-md border border-rose-200 bg-rose-50 px-3 py-2 text-[12.5px] text-rose-800" data-testid="action-error">
      <AlertIcon className="mt-0.5 h-3.5 w-3.5 shrink-0" />
      <div className="min-w-0">
        <div className="font-medium">{d.title}</div>
        <div className="mt-0.5 break-words text-rose-700">{d.message}</div>
        {d.fields.length ? (
          <ul className="mt-1 space-y-0.5">
            {d.fields.map((f) => (
              <li key={`${f.field}:${f.message}`}>
                <span className="font-mono text-[11.5px] font-semibold">{f.field}</span>: {f.message}
              </li>
            ))}
          </ul>
        ) : null}
      </div>
    </div>
  );
}

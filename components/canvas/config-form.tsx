"use client";
/**
 * The config form of a node, generated from its zod schema (see
 * config-fields.ts). Values the user did not set stay out of the config so
 * saved specs stay minimal; defaults are shown as placeholders.
 */
import { useEffect, useId, useState, type ReactNode } from "react";
import { describeBounds, fieldLabel, newRow, parseList, type ConfigField } from "./config-fields";
import type { FormHints } from "../../workflows/nodes/types";
import type { FieldProblem } from "./problems";
import type { ColumnInfo } from "./graph-spec";
import { TrashIcon, PlusIcon } from "../ui/icons";
import { toText } from "../../contract/text";

export type FieldWidget = (props: { id: string; field: ConfigField; value: unknown; onChange: (v: unknown) => void; invalid: boolean }) => ReactNode;

const inputClass = (invalid: boolean) =>
  `h-8 w-full rounded-md border bg-white px-2.5 text-sm text-slate-800 shadow-[inset_0_1px_1px_rgb(15_23_42/0.03)] placeholder:text-slate-400 focus:outline-none focus:ring-2 ${
    invalid ? "border-rose-300 focus:border-rose-400 focus:ring-rose-100" : "border-slate-200 focus:border-indigo-400 focus:ring-indigo-100"
  }`;

function defaultText(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v.join(", ") : toText(v);
}

export function ConfigForm({
  nodeId,
  fields,
  config,
  problems,
  onChange,
  widgets = {},
  columns,
  hints = {},
  note,
}: {
  nodeId: string;
  fields: ConfigField[];
  config: Record<string, unknown>;
  problems: ReadonlyMap<string, FieldProblem[]>;
  onChange: (config: Record<string, unknown>) => void;
  widgets?: Record<string, FieldWidget>;
  /** Columns of the input dataset when known: column fields become pickers. */
  columns?: readonly ColumnInfo[];
  /** What the pipeline around the node says the form should offer (NodeDefinition.formHints). */
  hints?: FormHints;
  /** A change the editor made on its own after an edit, shown under the field it changed. */
  note?: { field: string; message: string } | null;
}) {
  const set = (name: string, v: unknown) => {
    const next = { ...config };
    if (v === undefined) delete next[name];
    else next[name] = v;
    onChange(next);
  };
  if (fields.length === 0) return <p className="text-sm text-slate-500">This node has no settings.</p>;
  return (
    <div className="space-y-4">
      {fields.map((f) => {
        const id = `cfg-${nodeId}-${f.name}`;
        const fieldProblems = problems.get(f.name) ?? [];
        const Widget = widgets[f.name];
        const invalid = fieldProblems.length > 0;
        return (
          <div key={f.name} data-field={f.name}>
            <div className="mb-1 flex items-baseline justify-between gap-2">
              <label
                htmlFor={id}
                className={`${f.title ? "" : "font-mono "}text-[12px] font-medium text-slate-700`}
                title={f.title ? `config field "${f.name}"` : undefined}
              >
                {fieldLabel(f)}
                {f.required ? (
                  <span className="ml-0.5 text-rose-500" aria-hidden="true">
                    *
                  </span>
                ) : null}
              </label>
              {f.default !== undefined ? <span className="truncate text-[11px] text-slate-400">default {defaultText(f.default)}</span> : null}
            </div>
            {Widget ? (
              <Widget id={id} field={f} value={config[f.name]} onChange={(v) => set(f.name, v)} invalid={invalid} />
            ) : columns && f.column === "one" && f.kind === "string" ? (
              <ColumnSelect id={id} field={f} value={config[f.name]} onChange={(v) => set(f.name, v)} invalid={invalid} columns={columns} />
            ) : columns && f.column === "many" && f.kind === "string-list" ? (
              <ColumnChecklist
                id={id}
                field={f}
                value={config[f.name]}
                onChange={(v) => set(f.name, v)}
                columns={columns}
                exclude={[config.target, config.timeColumn]}
              />
            ) : (
              <FieldControl
                id={id}
                field={f}
                value={config[f.name]}
                onChange={(v) => set(f.name, v)}
                invalid={invalid}
                problems={fieldProblems}
                hints={hints}
              />
            )}
            {note?.field === f.name ? (
              <p role="status" data-testid={`field-note-${f.name}`} className="mt-1 text-[11.5px] font-medium leading-snug text-indigo-700">
                {note.message}
              </p>
            ) : null}
            {f.description ? <p className="mt-1 text-[11.5px] leading-snug text-slate-500">{f.description}</p> : null}
            {fieldProblems
              .filter((p) => f.kind !== "object-list" || p.subPath === "")
              .map((p, i) => (
                <p key={i} role="alert" data-testid={`field-error-${f.name}`} className="mt-1 text-[11.5px] font-medium text-rose-600">
                  {p.subPath ? `${p.subPath}: ` : ""}
                  {p.message}
                </p>
              ))}
          </div>
        );
      })}
    </div>
  );
}

function FieldControl({
  id,
  field,
  value,
  onChange,
  invalid,
  problems,
  hints,
}: {
  id: string;
  field: ConfigField;
  value: unknown;
  onChange: (v: unknown) => void;
  invalid: boolean;
  problems: FieldProblem[];
  hints: FormHints;
}) {
  switch (field.kind) {
    case "string":
      return (
        <input
          id={id}
          aria-label={fieldLabel(field)}
          aria-invalid={invalid || undefined}
          className={inputClass(invalid)}
          value={value === undefined ? "" : toText(value)}
          placeholder={hints.placeholders?.[field.name] ?? defaultText(field.default) ?? ""}
          onChange={(e) => onChange(e.target.value === "" ? undefined : e.target.value)}
        />
      );
    case "number":
      return <NumberInput id={id} field={field} value={value} onChange={onChange} invalid={invalid} />;
    case "enum":
      return (
        <select
          id={id}
          aria-label={fieldLabel(field)}
          aria-invalid={invalid || undefined}
          className={inputClass(invalid)}
          value={typeof value === "string" ? value : typeof field.default === "string" ? field.default : ""}
          onChange={(e) => onChange(e.target.value === "" ? undefined : e.target.value)}
        >
          {field.default === undefined ? <option value="">{field.required ? "Choose…" : "—"}</option> : null}
          {offered(field.options, hints.options?.[field.name], value).map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      );
    case "boolean":
      return (
        <input
          id={id}
          type="checkbox"
          aria-label={fieldLabel(field)}
          className="h-4 w-4 rounded border-slate-300 text-indigo-600"
          checked={typeof value === "boolean" ? value : field.default === true}
          onChange={(e) => onChange(e.target.checked)}
        />
      );
    case "string-list":
      return <ListInput id={id} field={field} value={value} onChange={onChange} invalid={invalid} />;
    case "object-list":
      return <RowsEditor id={id} field={field} value={value} onChange={onChange} problems={problems} hints={hints} />;
    case "json":
      return <JsonInput id={id} field={field} value={value} onChange={onChange} invalid={invalid} />;
  }
}

/** The choices of an enum: those the pipeline allows (hints), in the schema's order, and the current value even when it is not among them (validation flags it). */
function offered(options: readonly string[], allowed: readonly string[] | undefined, value: unknown): string[] {
  if (!allowed) return [...options];
  return options.filter((o) => allowed.includes(o) || o === value);
}

/** Keeps what the user types (e.g. "0.") while storing numbers; unparseable text is stored as is so validation names it. */
function NumberInput({
  id,
  field,
  value,
  onChange,
  invalid,
  ariaLabel,
}: {
  id: string;
  field: Extract<ConfigField, { kind: "number" }>;
  value: unknown;
  onChange: (v: unknown) => void;
  invalid: boolean;
  ariaLabel?: string;
}) {
  const external = value === undefined ? "" : toText(value);
  const [text, setText] = useState(external);
  useEffect(() => {
    setText((t) => (t.trim() !== "" && Number(t) === value ? t : external));
  }, [external, value]);
  const bounds = describeBounds(field);
  return (
    <input
      id={id}
      aria-label={ariaLabel ?? fieldLabel(field)}
      aria-invalid={invalid || undefined}
      inputMode="decimal"
      className={inputClass(invalid)}
      value={text}
      placeholder={defaultText(field.default) ?? (bounds ? bounds : "")}
      title={bounds}
      onChange={(e) => {
        const t = e.target.value;
        setText(t);
        if (t.trim() === "") onChange(undefined);
        else {
          const n = Number(t);
          onChange(Number.isFinite(n) ? n : t);
        }
      }}
    />
  );
}

const typeLabel = (t: string) =>
  /^(DOUBLE|FLOAT|REAL|DECIMAL|BIGINT|INTEGER|SMALLINT|TINYINT|HUGEINT|U?INT)/i.test(t) ? "number" : /CHAR|TEXT|STRING/i.test(t) ? "text" : t.toLowerCase();

/** One column of the input dataset; a value not among them stays visible and is flagged. */
function ColumnSelect({
  id,
  field,
  value,
  onChange,
  invalid,
  columns,
}: {
  id: string;
  field: ConfigField;
  value: unknown;
  onChange: (v: unknown) => void;
  invalid: boolean;
  columns: readonly ColumnInfo[];
}) {
  const current = typeof value === "string" ? value : "";
  const missing = current !== "" && !columns.some((c) => c.name === current);
  return (
    <select
      id={id}
      aria-label={fieldLabel(field)}
      aria-invalid={invalid || missing || undefined}
      className={inputClass(invalid || missing)}
      value={current}
      onChange={(e) => onChange(e.target.value === "" ? undefined : e.target.value)}
    >
      <option value="">{field.required ? "Choose a column…" : "—"}</option>
      {missing ? <option value={current}>{current} (not in the input data)</option> : null}
      {columns.map((c) => (
        <option key={c.name} value={c.name}>
          {c.name} · {typeLabel(c.type)}
        </option>
      ))}
    </select>
  );
}

/** Several columns, ticked; none ticked means the field's default (e.g. every other column). */
function ColumnChecklist({
  id,
  field,
  value,
  onChange,
  columns,
  exclude,
}: {
  id: string;
  field: ConfigField;
  value: unknown;
  onChange: (v: unknown) => void;
  columns: readonly ColumnInfo[];
  exclude: unknown[];
}) {
  const picked = new Set(Array.isArray(value) ? (value as string[]) : []);
  const shown = columns.filter((c) => !exclude.includes(c.name) || picked.has(c.name));
  const toggle = (name: string, on: boolean) => {
    const next = shown.map((c) => c.name).filter((n) => (n === name ? on : picked.has(n)));
    onChange(next.length ? next : undefined);
  };
  return (
    <div id={id} role="group" aria-label={fieldLabel(field)} className="max-h-44 overflow-y-auto rounded-md border border-slate-200 bg-white px-2.5 py-1.5">
      {shown.map((c) => (
        <label key={c.name} className="flex items-center gap-2 py-0.5 text-[12.5px] text-slate-700">
          <input
            type="checkbox"
            className="h-3.5 w-3.5 accent-indigo-600"
            checked={picked.has(c.name)}
            onChange={(e) => toggle(c.name, e.target.checked)}
            aria-label={`${field.name}: ${c.name}`}
          />
          <span className="font-mono">{c.name}</span>
          <span className="ml-auto text-[11px] text-slate-400">{typeLabel(c.type)}</span>
        </label>
      ))}
      {picked.size === 0 ? <div className="pt-1 text-[11px] text-slate-400">None ticked: every other column is used.</div> : null}
    </div>
  );
}

function ListInput({
  id,
  field,
  value,
  onChange,
  invalid,
}: {
  id: string;
  field: ConfigField;
  value: unknown;
  onChange: (v: unknown) => void;
  invalid: boolean;
}) {
  const external = Array.isArray(value) ? value.join(", ") : "";
  const [text, setText] = useState(external);
  useEffect(() => {
    setText((t) => (JSON.stringify(parseList(t) ?? []) === JSON.stringify(Array.isArray(value) ? value : []) ? t : external));
  }, [external, value]);
  return (
    <input
      id={id}
      aria-label={fieldLabel(field)}
      aria-invalid={invalid || undefined}
      className={inputClass(invalid)}
      value={text}
      placeholder={field.default !== undefined ? defaultText(field.default) : "comma-separated, e.g. a, b, c"}
      onChange={(e) => {
        setText(e.target.value);
        onChange(parseList(e.target.value));
      }}
    />
  );
}

function JsonInput({
  id,
  field,
  value,
  onChange,
  invalid,
}: {
  id: string;
  field: ConfigField;
  value: unknown;
  onChange: (v: unknown) => void;
  invalid: boolean;
}) {
  const [text, setText] = useState(value === undefined ? "" : JSON.stringify(value, null, 2));
  const [parseError, setParseError] = useState<string | null>(null);
  return (
    <>
      <textarea
        id={id}
        aria-label={fieldLabel(field)}
        rows={4}
        className={`${inputClass(invalid || !!parseError)} h-auto py-1.5 font-mono text-xs`}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          if (e.target.value.trim() === "") {
            setParseError(null);
            onChange(undefined);
            return;
          }
          try {
            onChange(JSON.parse(e.target.value));
            setParseError(null);
          } catch {
            setParseError("not valid JSON yet");
          }
        }}
      />
      {parseError ? <p className="mt-1 text-[11.5px] text-amber-600">{parseError}</p> : null}
    </>
  );
}

/** A small table editor for lists of objects (e.g. gate conditions). */
function RowsEditor({
  id,
  field,
  value,
  onChange,
  problems,
  hints,
}: {
  id: string;
  field: Extract<ConfigField, { kind: "object-list" }>;
  value: unknown;
  onChange: (v: unknown) => void;
  problems: FieldProblem[];
  hints: FormHints;
}) {
  const rows = Array.isArray(value) ? (value as Record<string, unknown>[]) : [];
  const uid = useId();
  const setRow = (i: number, row: Record<string, unknown>) => onChange(rows.map((r, j) => (j === i ? row : r)));
  const rowProblems = (i: number) => problems.filter((p) => p.subPath.startsWith(`[${i}]`));
  return (
    <div id={id} role="group" aria-label={fieldLabel(field)} className="space-y-1.5">
      {rows.map((row, i) => (
        <div key={i}>
          <div className="flex items-center gap-1">
            {field.itemFields.map((sub) => {
              const label = `${field.name}[${i}].${sub.name}`;
              const bad = rowProblems(i).some((p) => p.subPath === `[${i}].${sub.name}`);
              const subValue = row?.[sub.name];
              const set = (v: unknown) => {
                const next = { ...row };
                if (v === undefined) delete next[sub.name];
                else next[sub.name] = v;
                setRow(i, next);
              };
              if (sub.kind === "enum") {
                const options = offered(sub.options, hints.options?.[`${field.name}[].${sub.name}`], subValue);
                // Wide enough to read the longest choice beside the select's arrow; extra space goes to the wordier select (metric over op).
                // (At least 3ch: operators like ">=" are wider than digits.)
                const longest = Math.max(3, sub.name.length, ...options.map((o) => o.length));
                return (
                  <select
                    key={sub.name}
                    aria-label={label}
                    className={`${inputClass(bad)} px-1.5`}
                    style={{ flex: `${longest} 1 0`, minWidth: `calc(${longest}ch + 2.5rem)` }}
                    value={typeof subValue === "string" ? subValue : ""}
                    onChange={(e) => set(e.target.value || undefined)}
                  >
                    {typeof subValue !== "string" ? <option value="">{sub.name}</option> : null}
                    {options.map((o) => (
                      <option key={o} value={o}>
                        {o}
                      </option>
                    ))}
                  </select>
                );
              }
              if (sub.kind === "number") {
                return (
                  <div key={sub.name} className="w-14 shrink-0">
                    <NumberInput id={`${uid}-${i}-${sub.name}`} ariaLabel={label} field={sub} value={subValue} onChange={set} invalid={bad} />
                  </div>
                );
              }
              return (
                <input
                  key={sub.name}
                  aria-label={label}
                  className={`${inputClass(bad)} min-w-0 flex-1`}
                  value={typeof subValue === "string" ? subValue : ""}
                  placeholder={sub.name}
                  onChange={(e) => set(e.target.value || undefined)}
                />
              );
            })}
            <button
              type="button"
              aria-label={`Remove ${field.name} row ${i + 1}`}
              onClick={() => onChange(rows.filter((_, j) => j !== i))}
              className="flex h-8 w-7 shrink-0 items-center justify-center rounded-md text-slate-400 hover:bg-slate-100 hover:text-rose-600"
            >
              <TrashIcon />
            </button>
          </div>
          {rowProblems(i).map((p, k) => (
            <p key={k} role="alert" className="mt-0.5 text-[11.5px] font-medium text-rose-600">
              {p.subPath.replace(/^\[\d+\]\.?/, "")}: {p.message}
            </p>
          ))}
        </div>
      ))}
      <button
        type="button"
        onClick={() => onChange([...rows, hints.newRow?.[field.name] ?? newRow(field.itemFields)])}
        className="inline-flex items-center gap-1 rounded-md px-1.5 py-1 text-xs font-medium text-indigo-600 hover:bg-indigo-50"
      >
        <PlusIcon width={14} height={14} />
        Add {field.name === "conditions" ? "condition" : "row"}
      </button>
    </div>
  );
}

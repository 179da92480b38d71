"use client";
/** The editor's dialogs: save a version with a message; import a spec from a file or pasted JSON. */
import { useEffect, useRef, useState } from "react";
import type { PipelineSpecInput, SpecError } from "../../workflows/spec/spec";
import { Button } from "../ui/button";
import { Dialog } from "../ui/dialog";
import { describeProblem } from "./problems";
import { importSpec } from "../../workflows/compiler/spec-file";

export function SaveDialog({
  open,
  onOpenChange,
  version,
  onSave,
  busy,
  refusal,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  version: number;
  onSave: (message: string) => void;
  busy: boolean;
  /** Why the last attempt was not saved. */
  refusal: string | null;
}) {
  const [message, setMessage] = useState("");
  useEffect(() => {
    if (open) setMessage("");
  }, [open]);
  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title={`Save version ${version}`}
      description="A version is immutable: runs, deployments and diffs refer to it. Describe what changed."
      footer={
        <>
          <Button variant="ghost" onClick={() => onOpenChange(false)}>
            Cancel
          </Button>
          <Button variant="primary" disabled={busy} onClick={() => onSave(message.trim())} form="save-version">
            Save version
          </Button>
        </>
      }
    >
      <form
        id="save-version"
        onSubmit={(e) => {
          e.preventDefault();
          onSave(message.trim());
        }}
      >
        <label className="block text-[13px] font-medium text-slate-700" htmlFor="version-message">
          Message
        </label>
        <input
          id="version-message"
          autoFocus
          maxLength={500}
          value={message}
          onChange={(e) => setMessage(e.target.value)}
          placeholder="e.g. Deeper trees, stricter RMSE gate"
          className="mt-1 h-9 w-full rounded-md border border-slate-200 px-2.5 text-sm focus:border-indigo-400 focus:outline-none focus:ring-2 focus:ring-indigo-100"
        />
        {refusal ? (
          <p role="alert" className="mt-3 rounded-md border border-rose-200 bg-rose-50 px-3 py-2 text-[12.5px] text-rose-800">
            {refusal}
          </p>
        ) : null}
      </form>
    </Dialog>
  );
}

export function ImportDialog({
  open,
  onOpenChange,
  onImport,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onImport: (spec: PipelineSpecInput, problems: number) => void;
}) {
  const [text, setText] = useState("");
  const [errors, setErrors] = useState<SpecError[]>([]);
  const file = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (open) {
      setText("");
      setErrors([]);
    }
  }, [open]);

  const submit = (source: string) => {
    const r = importSpec(source);
    if (!r.ok) {
      setErrors(r.errors);
      return;
    }
    onImport(r.spec, r.problems.length);
  };

  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      wide
      title="Import a pipeline spec"
      description="Choose a .json file or paste a conveyor/v1 spec. It replaces what is on the canvas; undo brings the canvas back."
      footer={
        <>
          <Button variant="ghost" onClick={() => onOpenChange(false)}>
            Cancel
          </Button>
          <Button variant="primary" disabled={!text.trim()} onClick={() => submit(text)}>
            Import
          </Button>
        </>
      }
    >
      <div className="flex items-center gap-3">
        <Button onClick={() => file.current?.click()}>Choose file…</Button>
        <input
          ref={file}
          type="file"
          accept=".json,application/json"
          aria-label="Spec file"
          className="hidden"
          onChange={(e) => {
            const f = e.target.files?.[0];
            e.target.value = "";
            if (!f) return;
            void f.text().then((t) => {
              setText(t);
              submit(t);
            });
          }}
        />
        <span className="text-[12px] text-slate-500">or paste below</span>
      </div>
      <textarea
        aria-label="Spec JSON"
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setErrors([]);
        }}
        spellCheck={false}
        placeholder='{ "apiVersion": "conveyor/v1", "name": "…", "nodes": [ … ] }'
        className="mt-3 h-56 w-full resize-y rounded-md border border-slate-200 p-2.5 font-mono text-[12px] leading-5 focus:border-indigo-400 focus:outline-none focus:ring-2 focus:ring-indigo-100"
      />
      {errors.length ? (
        <div role="alert" className="mt-3 rounded-md border border-rose-200 bg-rose-50 p-3 text-[12.5px] text-rose-800">
          <div className="font-semibold">
            Not imported: {errors.length} problem{errors.length === 1 ? "" : "s"}
          </div>
          <ul className="mt-1 list-disc space-y-0.5 pl-5">
            {errors.slice(0, 20).map((e, i) => (
              <li key={i}>
                {e.nodeId ? <span className="font-mono">{e.nodeId}</span> : null}
                {e.nodeId ? " · " : null}
                {describeProblem(e)}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </Dialog>
  );
}

"use client";
/**
 * A move that is kept in the audit trail (promote, roll back, demote,
 * approve…): a dialog that says what will happen, asks why (required), and
 * shows the server's refusal next to the button. `children` are the move's
 * own fields (e.g. which version).
 */
import { useEffect, useState, type ReactNode } from "react";
import { ActionError } from "./action-error";
import { Button } from "./button";
import { Dialog } from "./dialog";

export function ReasonDialog({
  open,
  onOpenChange,
  title,
  description,
  confirmLabel,
  danger = false,
  disabled = false,
  pending,
  error,
  onConfirm,
  children,
  placeholder = "Why? It is kept in the audit trail.",
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  description?: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  /** The move's own fields are not ready (e.g. no version picked). */
  disabled?: boolean;
  pending: boolean;
  error: unknown;
  onConfirm: (reason: string) => void;
  children?: ReactNode;
  placeholder?: string;
}) {
  const [reason, setReason] = useState("");
  useEffect(() => {
    if (open) setReason("");
  }, [open]);
  const ready = reason.trim().length > 0 && !disabled && !pending;
  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      title={title}
      description={description}
      footer={
        <>
          <Button variant="ghost" onClick={() => onOpenChange(false)}>
            Cancel
          </Button>
          <Button variant={danger ? "danger" : "primary"} type="submit" form="reason-dialog-form" disabled={!ready}>
            {pending ? "Working…" : confirmLabel}
          </Button>
        </>
      }
    >
      <form
        id="reason-dialog-form"
        className="space-y-3"
        onSubmit={(e) => {
          e.preventDefault();
          if (ready) onConfirm(reason.trim());
        }}
      >
        {children}
        <div>
          <label htmlFor="reason-dialog-reason" className="mb-1 block text-[12px] font-medium text-slate-700">
            Reason <span className="font-normal text-slate-400">(required)</span>
          </label>
          <textarea
            id="reason-dialog-reason"
            value={reason}
            required
            rows={3}
            autoFocus
            onChange={(e) => setReason(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter" && (e.metaKey || e.ctrlKey) && ready) {
                e.preventDefault();
                onConfirm(reason.trim());
              }
            }}
            placeholder={placeholder}
            className="w-full resize-y rounded-md border border-slate-200 px-2.5 py-1.5 text-[13px] focus:border-indigo-400 focus:outline-none focus:ring-2 focus:ring-indigo-100"
          />
        </div>
        <ActionError error={error} />
      </form>
    </Dialog>
  );
}

/** A labelled select inside a move dialog. */
export function SelectField({
  id,
  label,
  value,
  onChange,
  children,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  children: ReactNode;
}) {
  return (
    <div>
      <label htmlFor={id} className="mb-1 block text-[12px] font-medium text-slate-700">
        {label}
      </label>
      <select
        id={id}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        className="h-8 w-full rounded-md border border-slate-200 bg-white px-2 text-[13px] focus:border-indigo-400 focus:outline-none focus:ring-2 focus:ring-indigo-100"
      >
        {children}
      </select>
    </div>
  );
}

"use client";
/** Dropdown menus (Radix: keyboard, focus and ARIA handled), styled like the shell. */
import type { ReactNode } from "react";
import * as Dropdown from "@radix-ui/react-dropdown-menu";
import { buttonClass } from "./button";
import { ChevronIcon } from "./icons";

export function Menu({ label, icon, children, align = "end" }: { label: string; icon?: ReactNode; children: ReactNode; align?: "start" | "end" }) {
  return (
    <Dropdown.Root modal={false}>
      <Dropdown.Trigger className={buttonClass("ghost", "md", "data-[state=open]:bg-slate-100")}>
        {icon}
        {label}
        <ChevronIcon className="h-3.5 w-3.5 rotate-90 text-slate-400" />
      </Dropdown.Trigger>
      <Dropdown.Portal>
        <Dropdown.Content align={align} sideOffset={6} className="z-50 min-w-56 rounded-lg border border-slate-200 bg-white p-1 shadow-lg">
          {children}
        </Dropdown.Content>
      </Dropdown.Portal>
    </Dropdown.Root>
  );
}

export function MenuItem({ onSelect, shortcut, disabled, children }: { onSelect: () => void; shortcut?: string; disabled?: boolean; children: ReactNode }) {
  return (
    <Dropdown.Item
      disabled={disabled}
      onSelect={onSelect}
      className="flex h-8 cursor-default select-none items-center gap-6 rounded-md px-2.5 text-[13px] text-slate-700 outline-none data-[disabled]:text-slate-300 data-[highlighted]:bg-slate-100 data-[highlighted]:text-slate-900"
    >
      <span className="flex-1">{children}</span>
      {shortcut ? <kbd className="font-sans text-[11px] text-slate-400">{shortcut}</kbd> : null}
    </Dropdown.Item>
  );
}

export function MenuSeparator() {
  return <Dropdown.Separator className="my-1 h-px bg-slate-100" />;
}

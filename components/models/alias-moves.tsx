"use client";
/**
 * Moving a model's aliases by hand, each with a required reason (kept in the
 * alias history): promote (point an alias such as champion at a version),
 * demote (remove an alias) and roll back (the alias back to the version it
 * pointed at before its last move). Endpoints that follow the alias serve
 * the move within a second.
 */
import Link from "next/link";
import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { rollbackTarget } from "../deployments/history";
import { useTRPC, type RouterOutputs } from "../trpc/trpc";
import { Button } from "../ui/button";
import { formatNumber, formatRelative } from "../ui/format";
import { PromoteIcon, TrashIcon, UndoIcon } from "../ui/icons";
import { ReasonDialog, SelectField } from "../ui/reason-dialog";

type Model = RouterOutputs["models"]["get"];
type Deployment = RouterOutputs["deployments"]["list"][number];
type Move = "promote" | "demote" | "rollback";

const ALIAS_RE = /^[a-z][a-z0-9_-]{0,62}$/;

export function AliasMoves({ model, deployments }: { model: Model; deployments: Deployment[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState<Move | null>(null);
  const [alias, setAlias] = useState("champion");
  const [version, setVersion] = useState("");
  const [outcome, setOutcome] = useState<string | null>(null);
  const onSuccess = (r: { alias: string; version: number | null; fromVersion: number | null }) => {
    setOpen(null);
    setOutcome(`${r.alias}: ${r.fromVersion !== null ? `v${r.fromVersion}` : "none"} → ${r.version !== null ? `v${r.version}` : "removed"}`);
    void queryClient.invalidateQueries({ queryKey: trpc.models.pathKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.deployments.pathKey() });
  };
  const set = useMutation(trpc.models.setAlias.mutationOptions({ onSuccess }));
  const remove = useMutation(trpc.models.deleteAlias.mutationOptions({ onSuccess }));

  const aliases = Object.keys(model.aliases).sort();
  const targets = Object.fromEntries(aliases.map((a) => [a, rollbackTarget(model.events, a, model.aliases[a])]));
  const rollbackable = aliases.filter((a) => targets[a] !== null);
  const following = (a: string) => deployments.filter((d) => d.alias === a);

  const start = (move: Move) => {
    set.reset();
    remove.reset();
    setOutcome(null);
    if (move === "promote") {
      const a = "champion";
      setAlias(a);
      setVersion(String(model.versions.find((v) => v.version !== model.aliases[a])?.version ?? model.versions[0]?.version ?? ""));
    } else if (move === "demote") setAlias(aliases.includes("challenger") ? "challenger" : (aliases[0] ?? ""));
    else setAlias(rollbackable.includes("champion") ? "champion" : (rollbackable[0] ?? ""));
    setOpen(move);
  };
  const onOpenChange = (move: Move) => (o: boolean) => setOpen(o ? move : null);

  const followNote = (a: string, what: string) => {
    const deps = following(a);
    if (!deps.length) return null;
    return (
      <div className="rounded-md bg-slate-50 px-2.5 py-2 text-[12px] text-slate-600 ring-1 ring-inset ring-slate-200">
        {deps.map((d, i) => (
          <span key={d.name}>
            {i > 0 ? ", " : ""}
            <Link href={`/deployments/${encodeURIComponent(d.name)}`} className="font-medium text-indigo-600 hover:underline">
              {d.name}
            </Link>
          </span>
        ))}{" "}
        follow{deps.length === 1 ? "s" : ""} {a}: {what}
        {deps.some((d) => d.rollout) ? (
          <div className="mt-1 text-amber-700">A rollout is in progress there: promote or roll it back on the deployment’s page instead.</div>
        ) : null}
      </div>
    );
  };

  const current = model.aliases[alias];
  const target = alias ? (targets[alias] ?? null) : null;
  const aliasValid = ALIAS_RE.test(alias);
  return (
    <>
      <Button
        size="sm"
        onClick={() => start("rollback")}
        disabled={rollbackable.length === 0}
        title={rollbackable.length ? undefined : "no alias has an earlier version"}
      >
        <UndoIcon className="h-3.5 w-3.5" />
        Roll back
      </Button>
      <Button size="sm" onClick={() => start("demote")} disabled={aliases.length === 0}>
        <TrashIcon className="h-3.5 w-3.5" />
        Demote
      </Button>
      <Button size="sm" variant="primary" onClick={() => start("promote")} disabled={model.versions.length === 0}>
        <PromoteIcon className="h-3.5 w-3.5" />
        Promote
      </Button>
      {outcome ? (
        <span role="status" className="text-[12px] text-emerald-700" data-testid="alias-outcome">
          {outcome}
        </span>
      ) : null}

      <ReasonDialog
        open={open === "promote"}
        onOpenChange={onOpenChange("promote")}
        title={`Promote a version of ${model.name}`}
        description="Points an alias at a version. Moving champion changes what its endpoints serve."
        confirmLabel={aliasValid && version ? `Point ${alias} at v${version}` : "Promote"}
        disabled={!aliasValid || !version}
        pending={set.isPending}
        error={set.error}
        onConfirm={(reason) => set.mutate({ name: model.name, alias, version: Number(version), reason })}
      >
        <div>
          <label htmlFor="promote-alias" className="mb-1 block text-[12px] font-medium text-slate-700">
            Alias
          </label>
          <input
            id="promote-alias"
            list="promote-alias-options"
            value={alias}
            onChange={(e) => setAlias(e.target.value.trim())}
            className={`h-8 w-full rounded-md border px-2 font-mono text-[13px] focus:outline-none focus:ring-2 ${aliasValid ? "border-slate-200 focus:border-indigo-400 focus:ring-indigo-100" : "border-rose-300 focus:ring-rose-100"}`}
          />
          <datalist id="promote-alias-options">
            {[...new Set(["champion", ...aliases])].map((a) => (
              <option key={a} value={a} />
            ))}
          </datalist>
          {aliasValid ? (
            <p className="mt-0.5 text-[11.5px] text-slate-500">{current !== undefined ? `now v${current}` : "a new alias"}</p>
          ) : (
            <p className="mt-0.5 text-[11.5px] text-rose-600">lower-case letters, digits, “-” or “_”, starting with a letter</p>
          )}
        </div>
        <SelectField id="promote-version" label="Version" value={version} onChange={setVersion}>
          {model.versions.map((v) => (
            <option key={v.version} value={v.version}>
              v{v.version}
              {v.version === current ? ` (${alias} now)` : ""} · {formatRelative(v.createdAt)}
              {Object.entries(v.metrics ?? {})
                .slice(0, 2)
                .map(([k, x]) => ` · ${k} ${formatNumber(x)}`)
                .join("")}
            </option>
          ))}
        </SelectField>
        {aliasValid ? followNote(alias, `it serves v${version || "?"} within a second.`) : null}
      </ReasonDialog>

      <ReasonDialog
        open={open === "demote"}
        onOpenChange={onOpenChange("demote")}
        title={`Remove an alias of ${model.name}`}
        description="The alias stops pointing at any version; the versions stay registered."
        confirmLabel={alias ? `Remove ${alias}` : "Remove"}
        danger
        disabled={!alias}
        pending={remove.isPending}
        error={remove.error}
        onConfirm={(reason) => remove.mutate({ name: model.name, alias, reason })}
      >
        <SelectField id="demote-alias" label="Alias" value={alias} onChange={setAlias}>
          {aliases.map((a) => (
            <option key={a} value={a}>
              {a} (v{model.aliases[a]})
            </option>
          ))}
        </SelectField>
        {followNote(alias, "with no version to answer with, it stops serving.")}
      </ReasonDialog>

      <ReasonDialog
        open={open === "rollback"}
        onOpenChange={onOpenChange("rollback")}
        title={`Roll back ${alias || "an alias"}`}
        description={
          target !== null ? (
            <>
              Moves {alias} from v{model.aliases[alias]} back to v{target}, the version it pointed at before its last move.
            </>
          ) : (
            "No alias has an earlier version."
          )
        }
        confirmLabel={target !== null ? `Roll back to v${target}` : "Roll back"}
        danger
        disabled={target === null}
        pending={set.isPending}
        error={set.error}
        onConfirm={(reason) => set.mutate({ name: model.name, alias, version: target!, reason })}
      >
        {rollbackable.length > 1 ? (
          <SelectField id="rollback-alias" label="Alias" value={alias} onChange={setAlias}>
            {rollbackable.map((a) => (
              <option key={a} value={a}>
                {a}: v{model.aliases[a]} → v{targets[a]}
              </option>
            ))}
          </SelectField>
        ) : null}
        {target !== null ? followNote(alias, `it serves v${target} within a second.`) : null}
      </ReasonDialog>
    </>
  );
}

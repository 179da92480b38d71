"use client";
/** Delete a registered model, after a confirmation; the server refuses while a deployment or an alias uses it, and the dialog says why. */
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "../trpc/trpc";
import { ActionError } from "../ui/action-error";
import { Button } from "../ui/button";
import { Dialog } from "../ui/dialog";
import { TrashIcon } from "../ui/icons";

export function DeleteModel({ name, versions }: { name: string; versions: number }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const remove = useMutation(trpc.models.delete.mutationOptions());
  const confirm = async () => {
    try {
      await remove.mutateAsync({ name });
      await queryClient.invalidateQueries({ queryKey: trpc.models.list.pathKey() });
      router.push("/models");
    } catch {
      // shown below from remove.error
    }
  };
  return (
    <>
      <Button
        variant="ghost"
        aria-label={`Delete model ${name}`}
        onClick={() => {
          remove.reset();
          setOpen(true);
        }}
        className="hover:!text-rose-600"
      >
        <TrashIcon width={14} height={14} />
        Delete
      </Button>
      <Dialog
        open={open}
        onOpenChange={setOpen}
        title={`Delete model ${name}?`}
        description={`Its ${versions} version${versions === 1 ? "" : "s"}, aliases and their audit trail leave the registry; this cannot be undone. Runs keep their outputs.`}
        footer={
          <>
            <Button variant="secondary" onClick={() => setOpen(false)}>
              Cancel
            </Button>
            <Button variant="danger" disabled={remove.isPending} onClick={() => void confirm()}>
              {remove.isPending ? "Deleting…" : "Delete model"}
            </Button>
          </>
        }
      >
        {remove.error ? <ActionError error={remove.error} /> : null}
      </Dialog>
    </>
  );
}

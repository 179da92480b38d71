/** A CSV file to POST /api/v1/datasets (streamed as it is read): the new version, or an Error with the server's message. */
import type { z } from "zod";
import { ZApiError } from "../../contract/api/common";
import type { ZDatasetUploaded } from "../../contract/api/resources";

export type UploadResult = z.input<typeof ZDatasetUploaded>;

/** `sales.csv` → `sales`. */
export const datasetNameOf = (file: File) => file.name.replace(/\.(csv|txt)$/i, "") || "upload";

export async function uploadCsv(file: File, name = datasetNameOf(file)): Promise<UploadResult> {
  const res = await fetch(`/api/v1/datasets?name=${encodeURIComponent(name)}`, {
    method: "POST",
    headers: { "content-type": "text/csv" },
    body: file,
  });
  const body = (await res.json().catch(() => ({}))) as unknown;
  if (!res.ok) {
    const error = ZApiError.safeParse(body);
    throw new Error(
      error.success
        ? [error.data.error.message, ...(error.data.error.details ?? []).map((d) => d.message)]
            .filter((m, i, all) => !all.slice(0, i).some((o) => o.includes(m)))
            .join(": ")
        : `upload failed (HTTP ${res.status})`,
    );
  }
  return body as UploadResult;
}

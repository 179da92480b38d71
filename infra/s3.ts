/**
 * The S3 side of the artifact store: the client (AWS SDK v3; credentials from
 * the SDK's chain: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, profiles, roles),
 * the bucket check at first use, and errors that name the setting to fix.
 */
import { CreateBucketCommand, HeadBucketCommand, S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import type { S3Settings } from "./env";

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** `credentials`: given explicitly (a private test server); default: the SDK's chain. */
export function createS3Client(s: S3Settings, credentials?: S3Credentials): S3Client {
  return new S3Client({
    credentials,
    endpoint: s.endpoint,
    region: s.region,
    forcePathStyle: s.forcePathStyle,
    // Checksums only where S3 requires them: S3-compatible servers (SeaweedFS
    // included) refuse some of the SDK's default CRC trailers, presigned PUTs
    // in particular; every artifact's sha256 is checked on read anyway.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    maxAttempts: 3,
  });
}

/** The HTTP status of an S3 error (undefined: the request did not get an answer). */
export function s3Status(e: unknown): number | undefined {
  return e instanceof S3ServiceException ? e.$metadata.httpStatusCode : undefined;
}

export function isNotFound(e: unknown): boolean {
  return s3Status(e) === 404 || (e instanceof S3ServiceException && ["NotFound", "NoSuchKey", "NoSuchBucket"].includes(e.name));
}

/** One line on what went wrong: the S3 error code and message, or the network error. */
export function s3Reason(e: unknown): string {
  if (e instanceof S3ServiceException) {
    const status = e.$metadata.httpStatusCode;
    // Answers without a body (HEAD) come back as "Unknown"/"UnknownError".
    const code = ["Unknown", "UnknownError"].includes(e.name) ? "" : ` ${e.name}`;
    const message = e.message && !["Unknown", "UnknownError", e.name].includes(e.message) ? `: ${e.message}` : "";
    const hint =
      status === 403 ? " (access denied: check the credentials, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or the SDK's profile, and the bucket's policy)" : "";
    return `HTTP ${status ?? "?"}${code}${message}${hint}`;
  }
  const err = e as NodeJS.ErrnoException & { errors?: unknown[] };
  // Node's fetch/http errors: AggregateError (one per address tried) or a code like ECONNREFUSED.
  const code = err?.code ?? (err?.errors?.[0] as NodeJS.ErrnoException | undefined)?.code;
  const message = (e instanceof Error ? e.message : String(e)).split("\n")[0] ?? "";
  return code && !message.includes(code) ? `${code} ${message}`.trim() : message || String(code);
}

/** The settings to name in an error: where the objects are and which server holds them. */
export function whereText(base: string, s: S3Settings): string {
  return `ARTIFACT_URI=${base} (S3_ENDPOINT=${s.endpoint ?? `AWS S3 in ${s.region}`})`;
}

/**
 * Resolves when `bucket` exists, creating it when it does not; otherwise throws
 * an error that names ARTIFACT_URI and S3_ENDPOINT and says why.
 */
export async function ensureBucket(client: S3Client, bucket: string, base: string, s: S3Settings): Promise<void> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
    return;
  } catch (e) {
    if (s3Status(e) === undefined) throw new Error(`${whereText(base, s)}: the S3 server cannot be reached: ${s3Reason(e)}`, { cause: e });
    if (!isNotFound(e)) throw new Error(`${whereText(base, s)}: the bucket "${bucket}" cannot be used: ${s3Reason(e)}`, { cause: e });
  }
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (e) {
    if (e instanceof S3ServiceException && e.name === "BucketAlreadyOwnedByYou") return;
    throw new Error(`${whereText(base, s)}: the bucket "${bucket}" does not exist and could not be created: ${s3Reason(e)}`, { cause: e });
  }
}

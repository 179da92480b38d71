/**
 * A client error: the request itself is wrong. The server answers
 * `status` with `{ "error": message, "field": field }` and carries on.
 */
export class RequestError extends Error {
  constructor(
    message: string,
    readonly field?: string,
    readonly status: number = 400,
  ) {
    super(message);
    this.name = "RequestError";
  }
}

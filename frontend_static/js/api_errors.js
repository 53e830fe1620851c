// What an answer of the server means to the admin: its data, or an ApiError whose message (and
// details, one per problem) a person can read. api.js sends; this reads.

export class ApiError extends Error {
  constructor(status, code, message, details = []) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = Array.isArray(details) ? details : [];
  }
}

/** The answer's JSON (null for 204 or an empty body); a refusal thrown as an ApiError. */
export async function parse(response) {
  if (response.status === 204) return null;
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (response.ok) return data;
  const err = data && data.error;
  if (err && typeof err.message === "string") {
    throw new ApiError(response.status, err.code, err.message, err.details);
  }
  // /rest/v1 answers in PostgREST's shape: {code, message, details, hint} at the top.
  if (data && typeof data.message === "string" && "code" in data) {
    throw new ApiError(response.status, data.code, data.message, data.details);
  }
  throw new ApiError(response.status, "http_" + response.status,
    `The server answered ${response.status} ${response.statusText || ""}`.trim() + ".");
}


// The HTTP functions and the bucket, as the page talks to them.

/** An error reply (`{"error": {"code", "message"}}`) or a request that never got one (status 0). */
export class ApiError extends Error {
  constructor(status, code, message, extra = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.extra = extra;
  }
}

/** The functions' base URL from `<meta name="api-base">`; empty means this page's origin. */
export function apiBase(doc = document) {
  const meta = doc.querySelector('meta[name="api-base"]');
  const base = (meta?.getAttribute("content") || "").trim();
  return base.replace(/\/+$/, "");
}

const BASE = apiBase();

export function apiUrl(path) {
  return BASE + path;
}

// The API key, when the server asks for one (401): kept for this tab only, never in localStorage.
const KEY_ITEM = "filejobs.apiKey";

export function apiKey() {
  try {
    return sessionStorage.getItem(KEY_ITEM) || "";
  } catch {
    return "";
  }
}

export function setApiKey(key) {
  try {
    if (key) sessionStorage.setItem(KEY_ITEM, key);
    else sessionStorage.removeItem(KEY_ITEM);
  } catch {
    // Storage disabled: the key lasts until the page is reloaded.
  }
  memoryKey = key;
}

let memoryKey = "";

function currentKey() {
  return apiKey() || memoryKey;
}

export function jobPath(jobId) {
  return `/jobs/${encodeURIComponent(jobId)}`;
}

/** Headers every call to the functions carries (an API key, when the page has one, goes here too). */
export function apiHeaders() {
  const headers = { Accept: "application/json" };
  const key = currentKey();
  if (key) headers["X-API-Key"] = key;
  return headers;
}

async function request(method, path, { body, signal } = {}) {
  const init = { method, signal, headers: apiHeaders() };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let reply;
  try {
    reply = await fetch(apiUrl(path), init);
  } catch (err) {
    if (err?.name === "AbortError") throw err;
    throw new ApiError(0, "network", "The server could not be reached.");
  }
  if (reply.status === 204) return {};
  let data = null;
  try {
    data = await reply.json();
  } catch {
    data = null;
  }
  if (!reply.ok) {
    const error = data?.error || {};
    const { code, message, ...extra } = error;
    throw new ApiError(
      reply.status,
      code || (reply.status >= 500 ? "internal" : "bad_request"),
      message || `The server answered HTTP ${reply.status}.`,
      extra,
    );
  }
  if (data === null) throw new ApiError(reply.status, "internal", "The server sent an unreadable reply.");
  return data;
}

export function getConfig() {
  return request("GET", "/config");
}

export function presign(file, signal) {
  const body = { filename: file.name, size: file.size };
  if (file.type) body.content_type = file.type;
  return request("POST", "/uploads/presign", { body, signal });
}

export function startJob(jobId) {
  return request("POST", `${jobPath(jobId)}/start`);
}

export function getJob(jobId) {
  return request("GET", jobPath(jobId));
}

export function cancelJob(jobId) {
  return request("POST", `${jobPath(jobId)}/cancel`);
}

export function createMultipart(file, signal) {
  const body = { filename: file.name, size: file.size };
  if (file.type) body.content_type = file.type;
  return request("POST", "/uploads/multipart", { body, signal });
}

/** Presigned PUTs for `parts` (`[{part_number, checksum_sha256?}]`, at most 100). */
export function signParts(jobId, parts, signal) {
  return request("POST", `/uploads/multipart/${encodeURIComponent(jobId)}/parts`, { body: { parts }, signal });
}

/** The parts the bucket already holds (`[{part_number, etag, size}]`). */
export function listParts(jobId, signal) {
  return request("GET", `/uploads/multipart/${encodeURIComponent(jobId)}/parts`, { signal });
}

export function completeMultipart(jobId, parts, signal) {
  return request("POST", `/uploads/multipart/${encodeURIComponent(jobId)}/complete`, { body: { parts }, signal });
}

export function abortMultipart(jobId) {
  return request("DELETE", `/uploads/multipart/${encodeURIComponent(jobId)}`);
}

export function resultUrl(jobId) {
  return apiUrl(`${jobPath(jobId)}/result`);
}

/** Whether requests carry a key (a plain link to the result cannot: the page opens a copy instead). */
export function usesKey() {
  return Boolean(currentKey());
}

/** Why a PUT to the bucket did not succeed: "aborted", "network" (incl. CORS) or "http" (with status). */
export class UploadError extends Error {
  constructor(kind, status = 0) {
    super(
      kind === "aborted"
        ? "The upload was cancelled."
        : kind === "network"
          ? "The upload did not reach the storage (network or CORS failure)."
          : `The storage refused the upload (HTTP ${status}).`,
    );
    this.name = "UploadError";
    this.kind = kind;
    this.status = status;
  }
}

/**
 * PUT `file` to a presigned URL with XHR (fetch has no upload progress).
 * Returns `{promise, abort}`; the promise gives the reply's ETag (null unless CORS exposes it);
 * `onProgress(loaded, total)` is called as bytes leave.
 */
export function putFile(upload, file, onProgress) {
  const xhr = new XMLHttpRequest();
  const promise = new Promise((resolve, reject) => {
    xhr.open(upload.method || "PUT", upload.url);
    for (const [name, value] of Object.entries(upload.headers || {})) xhr.setRequestHeader(name, value);
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(event.loaded, event.total);
    });
    xhr.addEventListener("load", () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve(xhr.getResponseHeader("ETag"));
      else reject(new UploadError("http", xhr.status));
    });
    xhr.addEventListener("error", () => reject(new UploadError("network")));
    xhr.addEventListener("abort", () => reject(new UploadError("aborted")));
    xhr.send(file);
  });
  return { promise, abort: () => xhr.abort() };
}

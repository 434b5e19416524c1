// Large files in parts straight to the bucket: 4 in flight, each checked by its SHA-256, resumable.

import * as api from "./api.js";
import { checksumsAvailable, sha256Base64 } from "./checksum.js";
import { Limiter } from "./limiter.js";
import { findUpload, forgetUpload, keepUpload } from "./resume.js";

/** Files over this go in parts; smaller ones keep the single presigned PUT. */
export const MULTIPART_THRESHOLD = 16 * 1024 * 1024;
export const PARTS_IN_FLIGHT = 4;
const SIGN_BATCH = 100; // the contract's most per call
const HASHES_AT_ONCE = 2; // each hash holds one part in memory
const MAX_TRIES = 10;
const FIRST_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 8000;

/** A part PUT that failed: `status` 0 for the network, `code` S3's error code (BadDigest ...). */
export class PartError extends api.UploadError {
  constructor(status, code = "") {
    super(status ? "http" : "network", status);
    if (code) this.message = `The storage refused a part (HTTP ${status}, ${code}).`;
    this.name = "PartError";
    this.code = code;
  }
}

/** Part `number` (1-based) of a file of `size` cut in `partSize`: [start, end). */
export function partRange(number, partSize, size) {
  const start = (number - 1) * partSize;
  return [start, Math.min(size, start + partSize)];
}

export function partCount(size, partSize) {
  return Math.max(1, Math.ceil(size / partSize));
}

/** Held parts that are whole (the right size), as `Map(number -> etag)`. */
export function wholeParts(held, partSize, size) {
  const count = partCount(size, partSize);
  const kept = new Map();
  for (const part of held) {
    const [start, end] = partRange(part.part_number, partSize, size);
    if (part.part_number >= 1 && part.part_number <= count && part.size === end - start) kept.set(part.part_number, part.etag);
  }
  return kept;
}

function s3Code(text) {
  return /<Code>([^<]*)<\/Code>/.exec(text || "")?.[1] || "";
}

function putPart(url, headers, blob, onProgress) {
  const xhr = new XMLHttpRequest();
  const promise = new Promise((resolve, reject) => {
    xhr.open("PUT", url);
    for (const [name, value] of Object.entries(headers || {})) xhr.setRequestHeader(name, value);
    xhr.upload.addEventListener("progress", (event) => onProgress(event.loaded));
    xhr.addEventListener("load", () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve(xhr.getResponseHeader("ETag"));
      else reject(new PartError(xhr.status, s3Code(xhr.responseText)));
    });
    xhr.addEventListener("error", () => reject(new PartError(0)));
    xhr.addEventListener("abort", () => reject(new api.UploadError("aborted")));
    xhr.send(blob);
  });
  return { promise, abort: () => xhr.abort() };
}

const sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(new api.UploadError("aborted"));
    });
  });

/** Signs the parts asked for in the same turn of the event loop with one call. */
class Signer {
  constructor(jobId, signal) {
    this.jobId = jobId;
    this.signal = signal;
    this.waiting = [];
    this.timer = null;
  }

  sign(partNumber, checksum) {
    return new Promise((resolve, reject) => {
      this.waiting.push({ partNumber, checksum, resolve, reject });
      this.timer ??= setTimeout(() => this.flush(), 0);
    });
  }

  async flush() {
    const batch = this.waiting.splice(0, SIGN_BATCH);
    this.timer = this.waiting.length ? setTimeout(() => this.flush(), 0) : null;
    const asked = batch.map(({ partNumber, checksum }) =>
      checksum ? { part_number: partNumber, checksum_sha256: checksum } : { part_number: partNumber },
    );
    try {
      const reply = await api.signParts(this.jobId, asked, this.signal);
      const byNumber = new Map(reply.parts.map((part) => [part.part_number, part]));
      for (const item of batch) item.resolve(byNumber.get(item.partNumber));
    } catch (err) {
      for (const item of batch) item.reject(err);
    }
  }
}

/**
 * One file's multipart upload. `onProgress(fraction)` never goes backwards nor past 1;
 * `onJob(jobId)` is called as soon as the job id is known. `run()` gives the queued job.
 */
export class MultipartUpload {
  constructor(file, { onProgress = () => {}, onJob = () => {} } = {}) {
    this.file = file;
    this.onProgress = onProgress;
    this.onJob = onJob;
    this.controller = new AbortController();
    this.inFlight = new Map(); // part number -> {abort, loaded}
    this.etags = new Map();
    this.doneBytes = 0;
    this.shown = 0;
    this.hashes = new Limiter(HASHES_AT_ONCE);
    this.jobId = null;
    this.stats = { resumed: 0, sent: 0, retried: 0 };
  }

  get signal() {
    return this.controller.signal;
  }

  /** Stop sending; what the bucket holds stays there for a resume. */
  halt() {
    this.controller.abort();
    for (const part of this.inFlight.values()) part.abort?.();
  }

  /** Stop now, abort the upload in the bucket and forget it (Cancel). */
  cancel() {
    this.halt();
    forgetUpload(this.file);
    if (this.jobId) api.abortMultipart(this.jobId).catch(() => {});
  }

  async run() {
    const grant = await this.open();
    this.plan = { partSize: grant.part_size, count: partCount(this.file.size, grant.part_size) };
    this.signer = new Signer(this.jobId, this.signal);
    const queue = [];
    for (let n = 1; n <= this.plan.count; n += 1) if (!this.etags.has(n)) queue.push(n);
    this.report();
    const lane = async () => {
      while (queue.length) await this.send(queue.shift());
    };
    try {
      await Promise.all(Array.from({ length: PARTS_IN_FLIGHT }, lane));
    } catch (err) {
      this.halt(); // one part gave up: stop the others too (the upload stays resumable)
      throw err;
    }
    const job = await this.complete();
    forgetUpload(this.file);
    this.shown = 1;
    this.onProgress(1);
    return job;
  }

  /** Resume the upload this browser kept for the file, or create one. */
  async open() {
    const kept = findUpload(this.file);
    if (kept) {
      try {
        const held = await api.listParts(kept.job_id, this.signal);
        this.adopt(kept.job_id, wholeParts(held.parts, kept.part_size, this.file.size), kept.part_size);
        return kept;
      } catch (err) {
        if (err?.name === "AbortError" || !(err instanceof api.ApiError) || err.status === 0 || err.status >= 500) throw err;
        forgetUpload(this.file); // ended, aborted or expired: start afresh
      }
    }
    const grant = await api.createMultipart(this.file, this.signal);
    keepUpload(this.file, grant);
    this.adopt(grant.job_id, new Map(), grant.part_size);
    return grant;
  }

  adopt(jobId, held, partSize) {
    this.jobId = jobId;
    this.onJob(jobId);
    for (const [number, etag] of held) {
      const [start, end] = partRange(number, partSize, this.file.size);
      this.etags.set(number, etag);
      this.doneBytes += end - start;
    }
    this.stats.resumed = held.size;
  }

  blobOf(number) {
    const [start, end] = partRange(number, this.plan.partSize, this.file.size);
    return this.file.slice(start, end);
  }

  async checksum(number) {
    if (!checksumsAvailable()) return null;
    return new Promise((resolve, reject) => this.hashes.add(number, () => sha256Base64(this.blobOf(number)).then(resolve, reject)));
  }

  /** Send one part until the bucket holds it: re-signed after a 403, re-sent after BadDigest or a drop. */
  async send(number) {
    let signed = null;
    for (let attempt = 1; ; attempt += 1) {
      if (this.signal.aborted) throw new api.UploadError("aborted");
      try {
        signed ??= await this.signer.sign(number, await this.checksum(number));
        this.etags.set(number, await this.put(number, signed));
        this.doneBytes += this.blobOf(number).size;
        this.stats.sent += 1;
        this.report();
        return;
      } catch (err) {
        if (this.signal.aborted || err?.kind === "aborted") throw new api.UploadError("aborted");
        if (attempt >= MAX_TRIES || (err instanceof api.ApiError && err.status > 0 && err.status < 500)) throw err;
        this.stats.retried += 1;
        // An expired URL (403) or changed bytes (400 BadDigest): sign again, with a fresh checksum.
        if (err instanceof PartError && err.status >= 400 && err.status < 500) signed = null;
        if (!(err instanceof PartError && err.code === "BadDigest")) {
          await sleep(Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (attempt - 1)), this.signal);
        }
      }
    }
  }

  async put(number, signed) {
    const entry = { loaded: 0, abort: null };
    const put = putPart(signed.url, signed.headers, this.blobOf(number), (loaded) => {
      entry.loaded = loaded;
      this.report();
    });
    entry.abort = put.abort;
    this.inFlight.set(number, entry);
    try {
      return await put.promise;
    } finally {
      this.inFlight.delete(number);
    }
  }

  report() {
    let bytes = this.doneBytes;
    for (const part of this.inFlight.values()) bytes += part.loaded;
    const fraction = Math.min(1, this.file.size ? bytes / this.file.size : 1);
    if (fraction > this.shown) {
      this.shown = fraction;
      this.onProgress(fraction);
    }
  }

  async complete() {
    if ([...this.etags.values()].some((etag) => !etag)) {
      // The bucket's CORS hides ETag: ask the functions what the bucket holds.
      const held = await api.listParts(this.jobId, this.signal);
      for (const part of held.parts) this.etags.set(part.part_number, part.etag);
    }
    const parts = [...this.etags].sort(([a], [b]) => a - b).map(([part_number, etag]) => ({ part_number, etag }));
    return api.completeMultipart(this.jobId, parts, this.signal);
  }
}

// The page: add files, upload them straight to the bucket, follow their jobs, keep the list.

import * as api from "./api.js";
import { formatBytes, listExtensions } from "./format.js";
import { Follower } from "./follow.js";
import { Limiter } from "./limiter.js";
import { MULTIPART_THRESHOLD, MultipartUpload } from "./multipart.js";
import { findUpload, forgetJob, forgetUpload, isResumable, openUploads } from "./resume.js";
import { checkFile, safeFilename } from "./rules.js";
import { loadJobs, saveJobs } from "./store.js";
import { RowView, announcement, summaryText } from "./view.js";

const UPLOAD_CONCURRENCY = 3;
const RETRYABLE_JOB_ERRORS = new Set(["internal", "timeout", "upload_missing"]);
const IN_PROGRESS = new Set(["checking", "waiting", "needs_key", "uploading", "starting", "awaiting_upload", "queued", "started"]);
const KEPT = new Set(["uploading", "starting", "awaiting_upload", "queued", "started", "finished", "failed", "checking", "interrupted"]);
const ANNOUNCER_KEEP = 8;

const $ = (id) => document.getElementById(id);
const ui = {
  dropzone: $("dropzone"),
  picker: $("picker"),
  hint: $("limits-hint"),
  configError: $("config-error"),
  clear: $("clear-finished"),
  summary: $("summary"),
  list: $("rows"),
  announcer: $("announcer"),
  keyForm: $("key-form"),
  keyInput: $("key-input"),
  keyReason: $("key-reason"),
};

let nextUid = 1;

class Row {
  constructor({ filename, size, file = null, jobId = null, state }) {
    this.uid = nextUid++;
    this.filename = filename;
    this.size = size;
    this.file = file;
    this.jobId = jobId;
    this.state = state;
    this.job = null;
    this.error = null;
    this.progress = 0;
    this.cancel = null;
    this.cancelRequested = false;
  }

  get inProgress() {
    return IN_PROGRESS.has(this.state);
  }

  availableActions() {
    switch (this.state) {
      case "waiting":
        return ["cancel"];
      case "uploading":
        // Every byte has left: only the storage's answer is missing, and it is too late to cancel.
        return this.progress < 1 ? ["cancel"] : [];
      case "needs_key":
        return ["remove"];
      case "queued":
      case "started":
        return ["cancel_job"];
      case "upload_failed":
      case "cancelled":
        return this.file ? ["retry", "remove"] : ["remove"];
      case "failed":
        return this.file && RETRYABLE_JOB_ERRORS.has(this.job?.error?.code) ? ["retry", "remove"] : ["remove"];
      case "finished":
      case "refused":
      case "interrupted":
      case "gone":
        return ["remove"];
      default:
        return [];
    }
  }
}

const rows = [];
const views = new Map();
const limiter = new Limiter(UPLOAD_CONCURRENCY);
// EventSource cannot send X-API-Key: with a key the jobs are followed by long polls instead.
const poller = new Follower({
  fetchJob: api.getJob,
  onJob: jobArrived,
  onError: jobLookupFailed,
  canStream: () => !api.usesKey(),
});
let limits = null;
const pending = [];

// ---- the list -------------------------------------------------------------------------------

function persist() {
  saveJobs(
    rows
      .filter((row) => row.jobId && KEPT.has(row.state))
      .map((row) => ({ job_id: row.jobId, filename: row.filename, size: row.size })),
  );
}

function announce(text) {
  if (!text) return;
  ui.announcer.append(Object.assign(document.createElement("p"), { textContent: text }));
  while (ui.announcer.childElementCount > ANNOUNCER_KEEP) ui.announcer.firstElementChild.remove();
}

function refreshBatch() {
  ui.summary.textContent = summaryText(rows);
  ui.clear.disabled = !rows.some((row) => !row.inProgress);
}

/** Show `row` as it is now; announce when its state changed (and `quiet` is not set). */
function render(row, { previous = row.state, quiet = false } = {}) {
  const view = views.get(row.uid);
  if (!view) return;
  view.update(row);
  if (previous !== row.state) {
    if (!quiet) announce(announcement(row));
    persist();
    refreshBatch();
  }
}

function setState(row, state, fields = {}) {
  const previous = row.state;
  Object.assign(row, fields, { state });
  render(row, { previous });
}

function addRow(row) {
  rows.push(row);
  const view = new RowView(row, { cancel: cancelRow, cancel_job: cancelJob, retry: retryRow, remove: removeRow });
  views.set(row.uid, view);
  ui.list.append(view.element);
  refreshBatch();
  return row;
}

function removeRow(row, { refocus = true } = {}) {
  const index = rows.indexOf(row);
  if (index < 0) return;
  if (row.inProgress) cancelRow(row);
  else abandonUpload(row);
  if (row.jobId) poller.untrack(row.jobId);
  rows.splice(index, 1);
  const view = views.get(row.uid);
  views.delete(row.uid);
  view?.element.remove();
  persist();
  refreshBatch();
  if (refocus) {
    const next = rows[index] || rows[index - 1];
    const target = (next && views.get(next.uid)?.focusTarget()) || ui.dropzone;
    target.focus();
  }
}

function clearFinished() {
  const done = rows.filter((row) => !row.inProgress);
  for (const row of done) removeRow(row, { refocus: false });
  announce(`${done.length} ${done.length === 1 ? "row" : "rows"} cleared.`);
  ui.dropzone.focus();
}

// ---- adding files ---------------------------------------------------------------------------

function addFiles(files) {
  const list = [...files];
  if (!list.length) return;
  if (!limits) {
    pending.push(...list);
    announce("The page is still loading the server's limits; your files will be added in a moment.");
    return;
  }
  for (const file of list) {
    const row = resumedRow(file) || addRow(new Row({ filename: safeFilename(file.name), size: file.size, file, state: "waiting" }));
    const big = file.size > MULTIPART_THRESHOLD && limits.max_multipart_bytes;
    const refusal = checkFile(file.name, file.size, big ? { ...limits, max_upload_bytes: limits.max_multipart_bytes } : limits);
    if (refusal) {
      setState(row, "refused", { error: refusal, file: null });
    } else {
      queueUpload(row);
    }
  }
}

/** The row of an unfinished multipart upload of `file` (interrupted, failed), given the file again. */
function resumedRow(file) {
  const kept = findUpload(file);
  const row = kept && rows.find((candidate) => candidate.jobId === kept.job_id && !candidate.inProgress);
  if (!row) return null;
  return Object.assign(row, { file, filename: safeFilename(file.name), size: file.size });
}

function pastedTextFile(text) {
  const stamp = new Date().toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return new File([text], `pasted-${stamp}.txt`, { type: "text/plain" });
}

function isEditable(target) {
  return target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
}

function hasFiles(event) {
  return [...(event.dataTransfer?.types || [])].includes("Files");
}

function wireIntake() {
  ui.dropzone.addEventListener("click", () => ui.picker.click());
  ui.picker.addEventListener("change", () => {
    addFiles(ui.picker.files);
    ui.picker.value = "";
  });

  // Files may be dropped anywhere (a stray drop would otherwise open the file and leave the page).
  let depth = 0;
  const setDragging = (on) => ui.dropzone.classList.toggle("dragging", on);
  document.addEventListener("dragenter", (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    depth += 1;
    setDragging(true);
  });
  document.addEventListener("dragover", (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
    ui.dropzone.classList.toggle("over", ui.dropzone.contains(event.target));
  });
  document.addEventListener("dragleave", (event) => {
    if (!hasFiles(event)) return;
    depth = Math.max(0, depth - 1);
    if (!depth) {
      setDragging(false);
      ui.dropzone.classList.remove("over");
    }
  });
  document.addEventListener("drop", (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    depth = 0;
    setDragging(false);
    ui.dropzone.classList.remove("over");
    addFiles(event.dataTransfer.files);
  });

  document.addEventListener("paste", (event) => {
    if (isEditable(event.target)) return;
    const data = event.clipboardData;
    if (!data) return;
    if (data.files.length) {
      event.preventDefault();
      addFiles(data.files);
      return;
    }
    const text = data.getData("text/plain");
    if (text && text.trim()) {
      event.preventDefault();
      const file = pastedTextFile(text);
      announce(`Pasted text added as ${file.name}.`);
      addFiles([file]);
    }
  });

  ui.clear.addEventListener("click", clearFinished);
}

// ---- uploading ------------------------------------------------------------------------------

function queueUpload(row) {
  if (row.jobId) poller.untrack(row.jobId);
  setState(row, "waiting", { jobId: null, job: null, error: null, progress: 0, cancelRequested: false });
  limiter.add(row.uid, () => upload(row));
}

function cancelRow(row) {
  row.cancelRequested = true;
  if (row.state === "waiting" && limiter.withdraw(row.uid)) {
    setState(row, "cancelled");
  } else if (row.cancel) {
    row.cancel(); // the upload's own error path marks the row cancelled
  }
}

/** Cancel a job that is queued or running (POST /jobs/<id>/cancel). */
async function cancelJob(row) {
  try {
    jobArrived(row.jobId, await api.cancelJob(row.jobId));
  } catch (err) {
    if (err instanceof api.ApiError && err.status === 409) jobArrived(row.jobId, err.extra?.job || (await api.getJob(row.jobId)));
    else announce(`${row.filename} could not be cancelled: ${err.message}`);
  }
}

/** A row leaving the list: an unfinished multipart upload of it is aborted, not left in the bucket. */
function abandonUpload(row) {
  const kept = row.file ? findUpload(row.file) : null;
  const jobId = kept?.job_id || (row.state === "interrupted" ? row.jobId : null);
  if (!jobId) return;
  if (row.file) forgetUpload(row.file);
  if (forgetJob(jobId) || kept) api.abortMultipart(jobId).catch(() => {});
}

function retryRow(row) {
  if (row.file) queueUpload(row);
}

function uploadFailure(err, phase) {
  if (err instanceof api.ApiError) {
    if (err.code === "network") return { message: `${err.message} Check your connection and retry.` };
    if (err.code === "upload_missing") return { message: "The server did not find the uploaded file.", detail: err.message };
    const what = phase === "start" ? "The server could not start the job." : "The server did not accept the upload.";
    return { message: what, detail: err.message };
  }
  if (err instanceof api.UploadError) {
    if (err.kind === "network") return { message: "The upload did not reach the storage. Check your connection and retry." };
    return { message: "The storage refused the upload.", detail: err.message };
  }
  return { message: "The upload failed unexpectedly.", detail: String(err?.message || err) };
}

function failUpload(row, err, phase) {
  const aborted = err?.name === "AbortError" || err?.kind === "aborted";
  if (!rows.includes(row)) return;
  if (aborted && !row.cancelRequested && row.jobId) {
    // Nobody pressed Cancel: the browser stopped the requests because the page is being reloaded or
    // closed. The row keeps its job (what is stored now is what the reloaded page lists), so the
    // reloaded page shows it interrupted and sends the rest when the file is given again.
    setState(row, "interrupted", { cancel: null, resumable: isResumable(row.jobId) });
    return;
  }
  if (row.cancelRequested || aborted) {
    setState(row, "cancelled", { cancel: null, jobId: null });
    return;
  }
  if (err instanceof api.ApiError && err.status === 401) {
    // Sent again once the person gives a key.
    setState(row, "needs_key", { cancel: null, jobId: null, progress: 0 });
    askForKey();
    return;
  }
  if (err instanceof api.ApiError && phase === "presign" && (err.status === 413 || err.status === 415)) {
    // The server refused what the page's own check let through: show its words.
    setState(row, "refused", { cancel: null, error: { code: err.code, message: err.message } });
    return;
  }
  setState(row, "upload_failed", { cancel: null, jobId: null, error: { code: err?.code, ...uploadFailure(err, phase) } });
}

async function upload(row, attempt = 1) {
  if (!rows.includes(row) || row.state !== "waiting" || row.cancelRequested) return;
  if (row.file.size > MULTIPART_THRESHOLD) return uploadInParts(row);
  const controller = new AbortController();
  setState(row, "uploading", { progress: 0, cancel: () => controller.abort() });

  let grant;
  try {
    grant = await api.presign(row.file, controller.signal);
  } catch (err) {
    failUpload(row, err, "presign");
    return;
  }
  row.jobId = grant.job_id;
  persist();
  if (row.cancelRequested) {
    failUpload(row, { name: "AbortError" }, "presign");
    return;
  }

  const put = api.putFile(grant.upload, row.file, (loaded, total) => {
    row.progress = total ? loaded / total : 0;
    render(row);
  });
  row.cancel = put.abort;
  try {
    await put.promise;
  } catch (err) {
    if (err.kind === "http" && err.status === 403 && attempt === 1 && !row.cancelRequested) {
      // Most likely the URL expired (the tab slept, the clock moved): ask for a fresh one, once.
      Object.assign(row, { state: "waiting", jobId: null, cancel: null });
      return upload(row, attempt + 1);
    }
    failUpload(row, err, "put");
    return;
  }

  setState(row, "starting", { progress: 1, cancel: null });
  try {
    jobArrived(row.jobId, await api.startJob(row.jobId));
  } catch (err) {
    if (err instanceof api.ApiError && err.extra?.job) jobArrived(row.jobId, err.extra.job);
    else failUpload(row, err, "start");
    return;
  }
  if (row.inProgress) poller.track(row.jobId);
}

async function uploadInParts(row) {
  const upload = new MultipartUpload(row.file, {
    onProgress: (fraction) => {
      row.progress = fraction;
      render(row);
    },
    onJob: (jobId) => {
      row.jobId = jobId;
      persist();
    },
  });
  setState(row, "uploading", { progress: 0, cancel: () => upload.cancel() });
  let job;
  try {
    job = await upload.run();
  } catch (err) {
    failUpload(row, err, err instanceof api.ApiError && !row.jobId ? "presign" : "put");
    return;
  }
  row.cancel = null;
  jobArrived(row.jobId, job);
  if (row.inProgress) poller.track(row.jobId);
}

// ---- following jobs -------------------------------------------------------------------------

function rowOfJob(jobId) {
  return rows.find((row) => row.jobId === jobId);
}

/** A job as the server reported it; returns false to stop following it. */
function jobArrived(jobId, job) {
  const row = rowOfJob(jobId);
  if (!row) return false;
  const previous = row.state;
  const restoring = previous === "checking";
  row.job = job;
  if (job.filename && restoring) row.filename = job.filename;
  if (job.source?.size != null) row.size = job.source.size;
  if (job.status === "awaiting_upload" && !row.file) {
    row.state = "interrupted";
    row.resumable = isResumable(jobId);
  } else if (["uploading", "starting"].includes(previous) && job.status === "awaiting_upload") {
    return true; // a look while the upload runs: nothing to show yet
  } else {
    row.state = job.status;
  }
  render(row, { previous, quiet: restoring }); // a restored list is announced once, in restore()
  return row.inProgress;
}

function jobLookupFailed(jobId, err) {
  const row = rowOfJob(jobId);
  if (!row) return true;
  if (err instanceof api.ApiError && err.status === 404) {
    setState(row, "gone");
    return true;
  }
  if (err instanceof api.ApiError && err.status === 401) askForKey(); // polled again once a key is given
  return false; // the network or the server hiccuped: keep trying, more slowly
}

function restore() {
  const entries = loadJobs();
  // An upload this browser can resume is listed even if the list was saved without it (the last save
  // of a page going away is not guaranteed): its row then offers to send the rest.
  const listed = new Set(entries.map((entry) => entry.job_id));
  entries.push(...openUploads().filter((upload) => !listed.has(upload.job_id)));
  for (const entry of entries) {
    const row = addRow(
      new Row({ filename: entry.filename || entry.job_id, size: entry.size, jobId: entry.job_id, state: "checking" }),
    );
    render(row);
    poller.track(row.jobId);
  }
  if (entries.length) announce(`${entries.length} ${entries.length === 1 ? "file" : "files"} from your last visit.`);
}

// ---- the API key ----------------------------------------------------------------------------

/** Show the key form (once): the server answered 401, to no key or to the one the tab holds. */
function askForKey() {
  if (!ui.keyForm.hidden) return;
  const refused = api.usesKey();
  if (refused) api.setApiKey("");
  ui.keyReason.textContent = refused
    ? "The server did not accept that API key. Enter another one."
    : "This server needs an API key before it takes files.";
  ui.keyForm.hidden = false;
  announce(ui.keyReason.textContent);
  ui.keyInput.focus();
}

function wireKeyForm() {
  ui.keyForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const key = ui.keyInput.value.trim();
    if (!key) return;
    api.setApiKey(key);
    ui.keyInput.value = "";
    ui.keyForm.hidden = true;
    announce("API key saved for this tab.");
    for (const row of rows.filter((item) => item.state === "needs_key")) queueUpload(row);
    poller.pollAllNow();
    ui.dropzone.focus();
  });
}

// ---- start ----------------------------------------------------------------------------------

async function loadConfig() {
  try {
    const config = await api.getConfig();
    limits = config.limits;
  } catch (err) {
    ui.hint.textContent = "";
    ui.configError.textContent = `The server's limits could not be loaded (${err.message}). Reload the page to try again.`;
    ui.configError.hidden = false;
    return;
  }
  const types = limits.file_types;
  ui.picker.accept = types.map((type) => `.${type}`).join(",");
  const largest = Math.max(limits.max_upload_bytes, limits.max_multipart_bytes || 0);
  ui.hint.textContent = `Accepted: ${listExtensions(types)} files, up to ${formatBytes(largest)} each.`;
  ui.dropzone.disabled = false;
  if (pending.length) addFiles(pending.splice(0));
}

wireIntake();
wireKeyForm();
restore();
refreshBatch();
loadConfig();

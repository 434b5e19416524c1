// Open multipart uploads kept in localStorage, so a reload or a dropped connection resumes them.

const KEY = "filejobs.multipart.v1";

/** The same file picked again: matched by name, size and modification time. */
export function fileKey(file) {
  return `${file.name}|${file.size}|${file.lastModified}`;
}

function load() {
  try {
    const entries = JSON.parse(localStorage.getItem(KEY) || "{}");
    return entries && typeof entries === "object" && !Array.isArray(entries) ? entries : {};
  } catch {
    return {};
  }
}

function save(entries) {
  try {
    localStorage.setItem(KEY, JSON.stringify(entries));
  } catch {
    // Storage full or disabled: the upload still runs, it just cannot resume after a reload.
  }
}

/** `{job_id, upload_id, part_size}` of an open upload of `file`, or null. */
export function findUpload(file) {
  const entry = load()[fileKey(file)];
  return entry && typeof entry.job_id === "string" && Number.isInteger(entry.part_size) ? entry : null;
}

export function keepUpload(file, { job_id, upload_id, part_size }) {
  save({ ...load(), [fileKey(file)]: { job_id, upload_id, part_size } });
}

export function forgetUpload(file) {
  const entries = load();
  delete entries[fileKey(file)];
  save(entries);
}

/** Forget the upload of job `jobId`, whichever file it was; true if there was one. */
export function forgetJob(jobId) {
  const entries = load();
  const keys = Object.keys(entries).filter((key) => entries[key]?.job_id === jobId);
  for (const key of keys) delete entries[key];
  save(entries);
  return keys.length > 0;
}

/** Whether job `jobId` is an open upload this browser can resume. */
export function isResumable(jobId) {
  return Object.values(load()).some((entry) => entry?.job_id === jobId);
}

/** Every open upload kept here, as `{job_id, filename, size}`: the file list shows them after a reload. */
export function openUploads() {
  return Object.entries(load())
    .filter(([, entry]) => typeof entry?.job_id === "string")
    .map(([key, entry]) => {
      const fields = key.split("|"); // name|size|lastModified, and a name may hold "|"
      fields.pop();
      const size = Number(fields.pop());
      return { job_id: entry.job_id, filename: fields.join("|"), size: Number.isFinite(size) ? size : undefined };
    });
}

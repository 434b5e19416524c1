// Words for codes and numbers: what a person reads on the page.

/** The contract's error codes, in plain language. */
export const ERROR_TEXT = {
  unsupported_type: "This kind of file isn't supported. Use a .txt, .json, .rtf or .pdf file.",
  content_mismatch: "The file's content doesn't match its extension (for example a picture named .txt).",
  corrupt_file: "The file is damaged or not valid, so it couldn't be read.",
  encrypted_pdf: "This PDF is password-protected. Remove the password and add it again.",
  too_large: "The file is too large to process.",
  timeout: "Processing took too long and was stopped.",
  upload_missing: "The uploaded file couldn't be found. Add it again.",
  internal: "Something went wrong on our side. Please try again.",
  cancelled: "The job was cancelled.",
  not_found: "The server no longer knows this job.",
  network: "The server could not be reached.",
};

export function errorText(code) {
  return ERROR_TEXT[code] || ERROR_TEXT.internal;
}

const integer = new Intl.NumberFormat();
const decimal = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

export function formatNumber(value) {
  return integer.format(value);
}

export function formatDecimal(value) {
  return decimal.format(value);
}

export function formatBytes(bytes) {
  if (bytes < 1024) return `${integer.format(bytes)} B`;
  const units = ["KiB", "MiB", "GiB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${decimal.format(value)} ${units[unit]}`;
}

/** A server timestamp (`2026-11-29T12:00:00.123456Z`) as milliseconds since the epoch, or NaN. */
export function parseTime(stamp) {
  if (!stamp) return Number.NaN;
  return Date.parse(String(stamp).replace(/(\.\d{3})\d+/, "$1"));
}

export function formatDuration(ms) {
  if (!Number.isFinite(ms) || ms < 0) return "";
  const seconds = Math.max(ms, 100) / 1000;
  if (seconds < 60) return `${decimal.format(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  const rest = Math.round(seconds - minutes * 60);
  return rest ? `${minutes} min ${rest} s` : `${minutes} min`;
}

/** `["txt", "pdf"]` → ".txt and .pdf", with commas before the last. */
export function listExtensions(types) {
  const names = types.map((type) => `.${type}`);
  return names.length > 1 ? `${names.slice(0, -1).join(", ")} and ${names.at(-1)}` : names.join("");
}

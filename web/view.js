// Rendering: one list item per file, updated in place so focus and open <details> survive updates.

import { resultUrl, usesKey } from "./api.js";
import { errorText, formatBytes, formatDecimal, formatDuration, formatNumber, parseTime } from "./format.js";

/** Icon (decorative; the words carry the meaning) and words for every state a row can be in. */
export const STATES = {
  checking: { icon: "◌", text: "Checking status…" },
  refused: { icon: "⊘", text: "Not accepted" },
  waiting: { icon: "…", text: "Waiting to upload" },
  needs_key: { icon: "…", text: "Waiting for an API key" },
  uploading: { icon: "↑", text: "Uploading" },
  starting: { icon: "↑", text: "Uploaded, starting…" },
  upload_failed: { icon: "✕", text: "Upload failed" },
  cancelled: { icon: "■", text: "Cancelled" },
  awaiting_upload: { icon: "…", text: "Waiting for the upload" },
  queued: { icon: "◷", text: "Queued" },
  started: { icon: "⚙", text: "Processing" },
  finished: { icon: "✓", text: "Finished" },
  failed: { icon: "✕", text: "Failed" },
  interrupted: { icon: "!", text: "Upload interrupted" },
  gone: { icon: "?", text: "No longer on the server" },
};

const PAGE_BARS_SHOWN = 200;
const PAGES_OPEN_UP_TO = 12;

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else if (name in node && !name.includes("-")) node[name] = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) node.append(child);
  }
  return node;
}

function hidden(text) {
  return el("span", { class: "visually-hidden", text });
}

/** How long a job took, from its record's timestamps. */
export function jobDuration(job) {
  if (!job) return "";
  return formatDuration(parseTime(job.updated_at) - parseTime(job.created_at));
}

/** The status in words, as shown and announced. */
export function statusText(row) {
  const base = STATES[row.state]?.text || row.state;
  // Rounded down, so 100% means every byte has left (the bar shows the same number).
  if (row.state === "uploading") return `${base} ${Math.floor((row.progress || 0) * 100)}%`;
  if (row.state === "finished" || row.state === "failed") {
    const took = jobDuration(row.job);
    return took ? `${base} in ${took}` : base;
  }
  return base;
}

/** What the live region says when a row reaches `row.state`; null for states not worth a word. */
export function announcement(row) {
  const name = row.filename;
  switch (row.state) {
    case "refused":
      return `${name} was not accepted: ${row.error.message}`;
    case "uploading":
      return `Uploading ${name}.`;
    case "queued":
      return `${name} is uploaded and queued.`;
    case "started":
      return `${name} is being processed.`;
    case "finished": {
      const words = row.job?.result?.words;
      return `${name} finished: ${formatNumber(words ?? 0)} words.`;
    }
    case "failed":
    case "upload_failed":
      return `${name} failed: ${row.error?.message || errorText(row.job?.error?.code)}`;
    case "cancelled":
      return `Upload of ${name} cancelled.`;
    case "interrupted":
      return `The upload of ${name} was interrupted.`;
    case "gone":
      return `${name} is no longer known to the server.`;
    default:
      return null;
  }
}

const STAT_FIELDS = [
  ["words", "Words"],
  ["characters", "Characters"],
  ["lines", "Lines"],
  ["pages", "Pages"],
];

function stat(key, label, value) {
  return el("div", { class: `stat stat-${key}` }, el("dt", { text: label }), el("dd", { text: value }));
}

const languageNames = (() => {
  try {
    return new Intl.DisplayNames(undefined, { type: "language" });
  } catch {
    return null;
  }
})();

/** `{"code": "de", "confidence": 0.93}` → "German (93%)"; the code itself when the browser has no name. */
export function languageText(language) {
  let name = language.code;
  try {
    name = languageNames?.of(language.code) || language.code;
  } catch {
    // Not a code the browser knows: show it as it came.
  }
  const sure = typeof language.confidence === "number" ? ` (${Math.round(language.confidence * 100)}%)` : "";
  return `${name}${sure}`;
}

function stats(result) {
  const items = STAT_FIELDS.filter(([key]) => typeof result[key] === "number").map(([key, label]) =>
    stat(key, label, formatNumber(result[key])),
  );
  if (typeof result.reading_minutes === "number") {
    items.push(stat("reading", "Reading time", `${formatDecimal(result.reading_minutes)} min`));
  }
  if (typeof result.language?.code === "string" && result.language.code) {
    items.push(stat("language", "Language", languageText(result.language)));
  }
  if (typeof result.encoding === "string" && result.encoding) items.push(stat("encoding", "Encoding", result.encoding));
  return el("dl", { class: "stats" }, items);
}

/** "2, 3 and 9" */
function listPages(pages) {
  const names = pages.map((page) => formatNumber(page));
  return names.length > 1 ? `${names.slice(0, -1).join(", ")} and ${names.at(-1)}` : names.join("");
}

function scanNotice(pages) {
  const which = pages.length === 1 ? `Page ${listPages(pages)} has` : `Pages ${listPages(pages)} have`;
  return el(
    "p",
    { class: "notice notice-scan" },
    `${which} no text, only an image: a scan. Its words are not in the count; run OCR on the file first.`,
  );
}

function checksum(sha256) {
  return el("p", { class: "checksum" }, "SHA-256 ", el("code", { text: sha256 }));
}

function pageBars(pageWords) {
  const max = Math.max(1, ...pageWords);
  const shown = pageWords.slice(0, PAGE_BARS_SHOWN);
  const list = el(
    "ol",
    { class: "pages" },
    shown.map((words, index) => {
      const fill = el("span", { class: "bar-fill" });
      fill.style.setProperty("--share", String(words / max));
      return el(
        "li",
        { class: words ? "page" : "page page-empty" },
        el("span", { class: "page-no" }, hidden("Page "), String(index + 1)),
        el("span", { class: "bar", "aria-hidden": "true" }, fill),
        el("span", { class: "page-words" }, formatNumber(words), hidden(words === 1 ? " word" : " words")),
      );
    }),
  );
  const summary = el("summary", {
    text: `Words per page (${formatNumber(pageWords.length)} ${pageWords.length === 1 ? "page" : "pages"})`,
  });
  return el(
    "details",
    { class: "page-view", open: pageWords.length <= PAGES_OPEN_UP_TO },
    summary,
    list,
    pagesHint(pageWords.length, shown.length),
  );
}

/** Says the list scrolls, and how much of it there is; null when every page is in view at once. */
function pagesHint(total, shown) {
  if (total <= PAGES_OPEN_UP_TO) return null;
  const text =
    shown < total
      ? `The list scrolls: pages 1–${formatNumber(shown)} of ${formatNumber(total)} (the result JSON has every page).`
      : `The list scrolls: all ${formatNumber(total)} pages.`;
  return el("p", { class: "hint pages-hint", text });
}

/** The result's address; with an API key, a copy of it (a link cannot send the key). */
function resultHref(row) {
  if (!usesKey() || !row.job?.result) return resultUrl(row.jobId);
  return URL.createObjectURL(new Blob([JSON.stringify(row.job.result, null, 2)], { type: "application/json" }));
}

function finishedBody(row) {
  const result = row.job?.result || {};
  const scans = Array.isArray(result.pages_without_text) ? result.pages_without_text : [];
  return [
    stats(result),
    scans.length ? scanNotice(scans) : null,
    Array.isArray(result.page_words) && result.page_words.length ? pageBars(result.page_words) : null,
    el(
      "p",
      { class: "links" },
      el("a", { href: resultHref(row), target: "_blank", rel: "noopener", text: "Result JSON" }, hidden(` for ${row.filename}`)),
    ),
    typeof result.sha256 === "string" && result.sha256 ? checksum(result.sha256) : null,
  ];
}

function errorBody(plain, detail) {
  return [
    el("p", { class: "error-text", text: plain }),
    detail && detail !== plain ? el("p", { class: "error-detail", text: `Details: ${detail}` }) : null,
  ];
}

function bodyFor(row) {
  switch (row.state) {
    case "finished":
      return finishedBody(row);
    case "failed": {
      const error = row.job?.error || { code: "internal", message: "" };
      return errorBody(errorText(error.code), error.message);
    }
    case "refused":
      return errorBody(row.error.message);
    case "upload_failed":
      return errorBody(row.error.message, row.error.detail);
    case "interrupted":
      return errorBody(
        row.resumable
          ? "The page was closed or reloaded before this upload finished. Add the same file again to send the rest."
          : "The page was closed or reloaded before this upload finished. Add the file again.",
      );
    case "gone":
      return errorBody(errorText("not_found"));
    default:
      return [];
  }
}

function bodyKey(row) {
  return `${row.state}|${row.resumable ? "r" : ""}|${row.job?.updated_at || ""}|${row.error?.message || ""}`;
}

/** One row of the list. `actions` maps an action name to a handler taking the row. */
export class RowView {
  constructor(row, actions) {
    this.actions = actions;
    this.icon = el("span", { class: "status-icon", "aria-hidden": "true" });
    this.status = el("span", { class: "status-text" });
    this.progress = el("progress", { class: "progress", max: 1, value: 0, hidden: true });
    this.body = el("div", { class: "row-body" });
    this.buttons = el("div", { class: "row-actions" });
    this.name = el("span", { class: "file-name", text: row.filename });
    this.meta = el("span", { class: "file-meta" });
    this.element = el(
      "li",
      { class: "row" },
      el(
        "div",
        { class: "row-head" },
        el("div", { class: "file" }, this.name, this.meta),
        el("div", { class: "row-side" }, el("p", { class: "status" }, this.icon, this.status), this.buttons),
      ),
      this.progress,
      this.body,
    );
    this.progress.setAttribute("aria-label", `Upload progress of ${row.filename}`);
    this.shownBody = null;
    this.shownButtons = null;
    this.update(row);
  }

  update(row) {
    const state = STATES[row.state] || { icon: "", text: row.state };
    this.element.dataset.state = row.state;
    if (row.jobId) this.element.dataset.jobId = row.jobId;
    this.name.textContent = row.filename;
    this.icon.textContent = state.icon;
    this.status.textContent = statusText(row);
    const type = row.job?.file_type ? row.job.file_type.toUpperCase() : "";
    this.meta.textContent = [type, typeof row.size === "number" ? formatBytes(row.size) : ""].filter(Boolean).join(" · ");
    const uploading = row.state === "uploading" || row.state === "starting";
    this.progress.hidden = !uploading;
    if (uploading) this.progress.value = row.progress || 0;
    const key = bodyKey(row);
    if (key !== this.shownBody) {
      this.body.replaceChildren(...bodyFor(row).filter(Boolean));
      this.shownBody = key;
    }
    this.renderButtons(row);
  }

  renderButtons(row) {
    const names = row.availableActions();
    const key = names.join(",");
    if (key === this.shownButtons) return;
    const hadFocus = this.buttons.contains(document.activeElement);
    const labels = { cancel: "Cancel", cancel_job: "Cancel", retry: "Retry", remove: "Remove" };
    const described = {
      cancel: "Cancel the upload of",
      cancel_job: "Cancel the job of",
      retry: "Retry",
      remove: "Remove from the list:",
    };
    this.buttons.replaceChildren(
      ...names.map((name) =>
        el("button", {
          type: "button",
          class: name === "remove" ? "button-quiet" : "button-secondary",
          text: labels[name],
          "aria-label": `${described[name]} ${row.filename}`,
          "data-action": name,
          onclick: () => this.actions[name](row),
        }),
      ),
    );
    this.shownButtons = key;
    if (hadFocus) (this.buttons.querySelector("button") || this.element.closest("section")?.querySelector("h2"))?.focus();
  }

  /** Something to focus inside the row (its first button), if any. */
  focusTarget() {
    return this.buttons.querySelector("button");
  }
}

/** The batch summary line. */
export function summaryText(rows) {
  if (!rows.length) return "No files yet.";
  const count = (...states) => rows.filter((row) => states.includes(row.state)).length;
  const finished = count("finished");
  const failed = count("failed", "upload_failed", "refused", "interrupted", "gone");
  const cancelled = count("cancelled");
  const busy = count("checking", "waiting", "needs_key", "uploading", "starting", "awaiting_upload", "queued", "started");
  const words = rows
    .filter((row) => row.state === "finished")
    .reduce((sum, row) => sum + (row.job?.result?.words || 0), 0);
  const parts = [
    `${formatNumber(rows.length)} ${rows.length === 1 ? "file" : "files"}`,
    `${formatNumber(finished)} finished`,
    `${formatNumber(failed)} failed`,
  ];
  if (cancelled) parts.push(`${formatNumber(cancelled)} cancelled`);
  if (busy) parts.push(`${formatNumber(busy)} in progress`);
  parts.push(`${formatNumber(words)} ${words === 1 ? "word" : "words"} in total`);
  return parts.join(" · ");
}

// The server's intake rules (core/keys.py, functions/upload.py), applied before anything is sent.
// The limits themselves come from `GET /config`; only the wording and the name rules live here.

import { listExtensions } from "./format.js";

const MAX_NAME_BYTES = 200;
const PATH_CHARS = new Set([..."/\\:*?\"<>|"]);
const OTHER = /\p{C}/u;
const SEPARATOR = /\p{Z}/u;
const encoder = new TextEncoder();

function strip(text, chars) {
  const list = [...text];
  let start = 0;
  let end = list.length;
  while (start < end && chars.includes(list[start])) start += 1;
  while (end > start && chars.includes(list[end - 1])) end -= 1;
  return list.slice(start, end).join("");
}

/** Python's `posixpath.splitext`: a leading run of dots is not an extension. */
export function splitext(path) {
  const sep = path.lastIndexOf("/");
  const dot = path.lastIndexOf(".");
  if (dot > sep) {
    for (let i = sep + 1; i < dot; i += 1) {
      if (path[i] !== ".") return [path.slice(0, dot), path.slice(dot)];
    }
  }
  return [path, ""];
}

/** `core.keys.safe_filename`: the name the server will use for the file. */
export function safeFilename(filename) {
  let name = filename.replaceAll("\\", "/");
  name = name.slice(name.lastIndexOf("/") + 1);
  const kept = [...name].filter((c) => !OTHER.test(c) && !PATH_CHARS.has(c)).join("");
  name = strip(kept.normalize("NFC"), [" ", "."]);
  let [stem, ext] = splitext(name);
  if (!stem) {
    stem = "file";
    ext = ext || (name ? `.${name}` : "");
  }
  let chars = [...stem];
  while (encoder.encode(chars.join("") + ext).length > MAX_NAME_BYTES && chars.length) chars = chars.slice(0, -1);
  return chars.join("") + ext || "file";
}

/** `core.keys.file_type_of`: the supported type named by the extension, else null. */
export function fileTypeOf(filename, fileTypes) {
  const [, ext] = splitext(filename.trim().toLowerCase());
  const type = ext.replace(/^\./, "");
  return fileTypes.includes(type) ? type : null;
}

/** Python's `repr()` of a string, as the server's messages quote file names. */
export function pyRepr(text) {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = "";
  for (const c of text) {
    const code = c.codePointAt(0);
    if (c === "\\" || c === quote) out += `\\${c}`;
    else if (c === "\n") out += "\\n";
    else if (c === "\r") out += "\\r";
    else if (c === "\t") out += "\\t";
    else if (c !== " " && (OTHER.test(c) || SEPARATOR.test(c))) {
      if (code < 0x100) out += `\\x${code.toString(16).padStart(2, "0")}`;
      else if (code < 0x10000) out += `\\u${code.toString(16).padStart(4, "0")}`;
      else out += `\\U${code.toString(16).padStart(8, "0")}`;
    } else out += c;
  }
  return quote + out + quote;
}

/**
 * `functions.upload.check_file`: null when the server would take the file,
 * else `{code, message}` with the server's code and words.
 */
export function checkFile(name, size, limits) {
  const filename = safeFilename(name);
  if (!fileTypeOf(filename, limits.file_types)) {
    return {
      code: "unsupported_type",
      message: `${pyRepr(filename)}: only ${listExtensions(limits.file_types)} are accepted.`,
    };
  }
  if (size > limits.max_upload_bytes) {
    return {
      code: "too_large",
      message: `${pyRepr(filename)} is ${size} bytes; the limit is ${limits.max_upload_bytes} bytes.`,
    };
  }
  return null;
}

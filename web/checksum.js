// SHA-256 of a Blob with WebCrypto, as S3's `x-amz-checksum-sha256` carries it (base64).

/** Whether this browser can hash here (WebCrypto needs a secure context: https or localhost). */
export function checksumsAvailable() {
  return Boolean(globalThis.crypto?.subtle);
}

/** Standard base64 of `bytes`. */
export function base64(bytes) {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

/** The base64 SHA-256 of `blob`: only this slice is read into memory, never the whole file. */
export async function sha256Base64(blob) {
  const digest = await crypto.subtle.digest("SHA-256", await blob.arrayBuffer());
  return base64(new Uint8Array(digest));
}

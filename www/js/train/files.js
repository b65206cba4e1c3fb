// @ts-check
// Files in and out of the training page: text offered as a download, a file chosen with a
// file input handed on (the input emptied again, so that the same file can be chosen
// twice), and the message beside a file's controls that says why one was refused.

import { el } from "../dom.js";
import { messageOf } from "../errors.js";

/** Offers `text` as a file `name` to save. @param {string} name @param {string} text @param {string} type */
export function download(name, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  el("a", { href: url, download: name }).click();
  // The download has started from the URL by then; it is only memory after.
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

/** Hands each file chosen with `input` to `use`; whatever `use` throws is shown as the
 * file's refusal in `message` (it should show its own first).
 * @param {HTMLInputElement} input @param {HTMLElement} message @param {(file: File) => Promise<void> | void} use */
export function onFileChosen(input, message, use) {
  input.addEventListener("change", async () => {
    const file = input.files?.[0];
    input.value = "";
    if (!file) return;
    try {
      await use(file);
    } catch (e) {
      showRefusal(message, `${file.name}: ${messageOf(e)}`);
    }
  });
}

/** The bytes of `file`, unless it is larger than `max` bytes: a file that large cannot be
 * one the page could use, and is not read into memory. @param {File} file @param {number} max */
export async function readBytes(file, max) {
  if (file.size > max) throw new Error(`the file is ${megabytes(file.size)}, more than the ${megabytes(max)} the page reads`);
  return new Uint8Array(await file.arrayBuffer());
}

/** @param {number} bytes */
const megabytes = (bytes) => `${Number((bytes / 2 ** 20).toPrecision(3))} MB`;

/** Why a file or text was refused, in `message` (an alert, so that it is heard when it
 * appears); "" hides it. Text only, never HTML: it quotes the file.
 * @param {HTMLElement} message @param {string} text */
export function showRefusal(message, text) {
  message.textContent = "";
  message.hidden = !text;
  if (text) message.setAttribute("role", "alert");
  else message.removeAttribute("role");
  message.textContent = text;
}

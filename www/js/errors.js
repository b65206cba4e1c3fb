// @ts-check
// What a thrown value tells the page: its message, and the `kind` the engine gives the
// errors it names (a parse error's "parse", a GPU error's "device-lost", …). The page
// branches on the kind, never on the message's words; where there is no kind, it shows
// the message as it is.

/** The words of anything thrown: an Error's message, or the value itself as text.
 * @param {unknown} e */
export function messageOf(e) {
  return e instanceof Error ? e.message : String(e);
}

/** The `kind` the engine gave an error, or undefined if it gave none.
 * @param {unknown} e
 * @returns {string | undefined} */
export function kindOf(e) {
  const kind = e instanceof Error && "kind" in e ? e.kind : undefined;
  return typeof kind === "string" ? kind : undefined;
}

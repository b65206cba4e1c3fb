// @ts-check
// The embed's parameters in a page's query (see embed.js): read, checked and written.
// Nothing here touches the page.

/**
 * A control (or a few that go together) an embed can show, by a stable name.
 * @typedef {object} Part
 * @property {string} name the name in `hide=` and `show=`
 * @property {string} label what the Share panel calls it
 * @property {string} selector the elements it is (several, comma-separated)
 * @property {boolean} shown whether an embed shows it unless told otherwise
 * @property {boolean} [bar] moved into the bar over the view (a control of a side panel)
 */

/**
 * What a page shows in an embed and how it is named.
 * @typedef {object} EmbedPage
 * @property {Part[]} parts its controls, in the Share panel's order
 * @property {string} always what an embed always keeps: the view, its tooltips, where the
 *   page says what went wrong
 * @property {string} barAfter the element the bar of moved controls follows
 * @property {{ width: number, height: number }} size an embed's size unless chosen
 * @property {() => string} describe the view in a few words, for the iframe's title
 */

/** What the query asked for: embedded or not, the parts shown, and what was left out.
 * @typedef {{ embed: boolean, shown: Set<string>, notes: string[] }} EmbedLink */

/** The parameters an embed reads; any other in the query is noted as unknown. */
export const PARAMS = ["embed", "hide", "show"];
/** A `hide=` or `show=` longer than this is no list of controls: a broken link. */
export const MAX_LIST = 300;

/** A value as a note quotes it: short, whatever its length. @param {string} raw */
export const clip = (raw) => (raw.length > 20 ? `${raw.slice(0, 16)}… (${raw.length} characters)` : raw);

/** `a, b and c`. @param {string[]} words */
function listed(words) {
  return words.length < 2 ? words.join("") : `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`;
}

/** What the query `search` asks of `page`: checked parameter by parameter, each that
 * cannot be read falling back to its default (not embedded; the page's default parts),
 * with a note.
 * @param {string} search `location.search`, with or without its '?'
 * @param {EmbedPage} page @returns {EmbedLink} */
export function readEmbed(search, page) {
  const params = new URLSearchParams(search);
  /** @type {string[]} */
  const notes = [];
  const unknown = [...new Set(params.keys())].filter((k) => !PARAMS.includes(k));
  if (unknown.length) {
    notes.push(`${listed(unknown.slice(0, 5).map((k) => `“${clip(k)}”`))}${unknown.length > 5 ? ` and ${unknown.length - 5} more` : ""} ${unknown.length === 1 ? "is not a setting" : "are not settings"} of an embed (embed, hide and show are): left out.`);
  }
  /** The one value of `key`, or null (with a note if it was given more than once).
   * @param {string} key */
  const single = (key) => {
    const values = params.getAll(key);
    if (values.length > 1) notes.push(`${key} is given ${values.length} times, so which is meant is unclear: left out.`);
    return values.length === 1 ? values[0] : null;
  };
  const rawEmbed = single("embed");
  let embed = false;
  if (rawEmbed !== null) {
    const v = rawEmbed.trim().toLowerCase();
    if (v === "1" || v === "true") embed = true;
    else if (v !== "0" && v !== "false") notes.push(`embed “${clip(rawEmbed)}” is not 1 (embedded) or 0 (the whole page): the whole page is shown.`);
  }
  const shown = new Set(page.parts.filter((p) => p.shown).map((p) => p.name));
  const names = page.parts.map((p) => p.name);
  /** @type {Record<string, string[]>} */
  const lists = {};
  for (const key of ["hide", "show"]) {
    const raw = single(key);
    if (raw === null) continue;
    if (raw.length > MAX_LIST) {
      notes.push(`${key} is ${raw.length} characters long, longer than any list of this page's controls: left out.`);
      continue;
    }
    // Names are matched whatever their case; one that matches none is quoted as given.
    const given = raw.split(",").map((n) => n.trim()).filter(Boolean);
    const asked = given.map((n) => n.toLowerCase());
    const bad = [...new Set(given.filter((n) => !names.includes(n.toLowerCase())))];
    if (bad.length) {
      const some = bad.slice(0, 4).map((n) => `“${clip(n)}”`);
      notes.push(
        `${key}: this page has no control named ${listed(some)}${bad.length > 4 ? ` or ${bad.length - 4} more` : ""} ` +
          `(its names are ${names.join(", ")}), so ${bad.length === 1 ? "it is" : "they are"} left out; the rest is used.`,
      );
    }
    lists[key] = asked.filter((n) => names.includes(n));
  }
  if (!embed && (lists.hide || lists.show)) {
    notes.push(`hide and show choose what an embedded page shows (with embed=1): left out here.`);
    return { embed, shown, notes };
  }
  const both = (lists.hide ?? []).filter((n) => (lists.show ?? []).includes(n));
  if (both.length) notes.push(`${listed(both)} ${both.length === 1 ? "is" : "are"} both hidden and shown: hidden.`);
  for (const n of lists.show ?? []) shown.add(n);
  for (const n of lists.hide ?? []) shown.delete(n);
  return { embed, shown, notes };
}

/** `href` without the embed's parameters: the same view, the whole page. @param {string} href */
export function plainUrl(href) {
  const url = new URL(href);
  for (const key of PARAMS) url.searchParams.delete(key);
  return url.href;
}

/** `href` embedded, showing the parts in `shown` (only what differs from the page's
 * defaults is written). Names are plain words: the commas are left as they are.
 * @param {string} href @param {EmbedPage} page @param {Set<string>} shown */
export function embedUrl(href, page, shown) {
  const url = new URL(plainUrl(href));
  const hide = page.parts.filter((p) => p.shown && !shown.has(p.name)).map((p) => p.name);
  const show = page.parts.filter((p) => !p.shown && shown.has(p.name)).map((p) => p.name);
  const rest = url.searchParams.toString();
  const query = [rest, "embed=1", hide.length ? `hide=${hide.join(",")}` : "", show.length ? `show=${show.join(",")}` : ""];
  url.search = `?${query.filter(Boolean).join("&")}`;
  return url.href;
}


/** Text for an HTML attribute's value in double quotes. @param {string} text */
export function attribute(text) {
  return text.replaceAll("&", "&amp;").replaceAll('"', "&quot;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** The HTML to paste into a page: `src` in a frame of that size, titled.
 * @param {string} src @param {number} width @param {number} height @param {string} title */
export function iframeSnippet(src, width, height, title) {
  return `<iframe src="${attribute(src)}" width="${width}" height="${height}" style="border:0" title="${attribute(title)}" loading="lazy"></iframe>`;
}

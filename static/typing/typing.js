// The typing view (components/typing_view.py): the server appends new text a few times a second as
// hidden `st.text` elements in a feed container; this module reads them in order, reveals the text at
// a steady pace (no character waits more than LAG_MS after it arrived), and renders markdown block by
// block: finished blocks once, only the last one again. Model output is untrusted: markdown-it runs
// with raw HTML off and rejects javascript: links, and DOMPurify sanitises whatever it produces.
import markdownit from "./vendor/markdown-it-15.0.3.min.js";
import DOMPurify from "./vendor/dompurify-3.5.0.js";

export const LAG_MS = 300;   // a received character is on screen at most this long after it arrived
const FRAME_MS = 40;         // at most 25 repaints a second, only while there is text to reveal
const BUSY_SHARE = 0.25;
const CHUNK_BLOCKS = 16;     // finished blocks are grouped: a repaint lays out a few groups, not every block     // a huge last block repaints less often: painting takes ≤ 1/4 of the time
export const CURSOR = "\u258c";
const DONE = 1, CUT_SHORT = 2, AT_ONCE = 3;  // payload flags, see components/rendering/typing_sink.py

// What the copied markdown-container class does not cover (Streamlit draws these with their own
// components): code blocks, inline code, table borders. Values follow the native elements' styles.
const STYLE = `
.typing-view pre { margin: 0 0 1rem; padding: 1rem 0 1rem 1rem; overflow-x: auto; white-space: pre;
  font-size: 0.75rem; line-height: 1.6;
  border-radius: var(--st-base-radius, 0.5rem); background: var(--st-secondary-background-color, #f8f8f7); }
.typing-view pre code { font-family: var(--st-code-font, "Source Code Pro", monospace);
  font-size: var(--st-code-font-size, 0.875rem); line-height: 1.6; padding: 0 1rem 0 0; background: none; }
.typing-view :not(pre) > code { font-family: var(--st-code-font, "Source Code Pro", monospace);
  font-size: 0.75em; padding: 0.2em 0.4em; border-radius: 0.25rem; white-space: pre-wrap;
  color: var(--st-code-text-color, inherit); background: var(--st-secondary-background-color, #f8f8f7); }
.typing-view table { border-collapse: collapse; margin: 0 0 1rem; }
.typing-view th, .typing-view td { padding: 0.375rem 0.75rem;
  border: 1px solid var(--st-border-color-light, rgba(49, 51, 63, 0.1)); }
.typing-view > :last-child > :last-child, .typing-view > :last-child > :last-child > :last-child { margin-bottom: 0; }
`;
if (!document.getElementById("typing-view-style")) {
  const style = document.createElement("style");
  style.id = "typing-view-style";
  style.textContent = STYLE;
  document.head.append(style);
}

const md = markdownit({html: false, linkify: false, typographer: false, maxNesting: 100});
for (const rule of ["fence", "code_block"]) {  // no trailing newline in code, as Streamlit draws it
  const draw = md.renderer.rules[rule];
  md.renderer.rules[rule] = (tokens, idx, ...rest) => {
    tokens[idx].content = tokens[idx].content.replace(/\n$/, "");
    return draw(tokens, idx, ...rest);
  };
}
DOMPurify.addHook("afterSanitizeAttributes", (node) => {
  if (node.tagName === "A" && node.getAttribute("href")) {
    node.setAttribute("target", "_blank");
    node.setAttribute("rel", "noopener noreferrer");
  }
});

// Configured once: a config passed with every call is parsed again every call (a third of its time).
DOMPurify.setConfig({USE_PROFILES: {html: true}, ADD_ATTR: ["target"], RETURN_DOM_FRAGMENT: true});

function toNodes(markdown) {
  return DOMPurify.sanitize(md.render(markdown));
}

export function toHtml(markdown) {
  const box = document.createElement("div");
  box.append(toNodes(markdown));
  return box.innerHTML;
}

// Characters that cannot change the structure of the text before them, appended to a line that
// already has a letter (so its kind of block is settled): no markup, no entity, no bracket, no line
// break. Most of an answer is these, and they need no re-render: they go into the caret's text node.
const PLAIN = /^[\p{L}\p{N} ,.;:?!('"%/=+\u2010-\u2027-]*$/u;  // with curly quotes, dashes, ellipsis
const HAS_LETTER = /\p{L}/u;

// ---- partial markdown made safe to render: a port of components/rendering/markdown_blocks.py ----
const FENCE = /^\s*(`{3,}|~{3,})/;
const BARE_LIST_MARKER = /(?:^|\n)\s*([*+-]|\d+[.)])$/;
const JUST_OPENED = /(^|\s)(\*\*|\*|_|`)$/;
const LIST_MARKER = /^\s*[*+-]\s/gm;
const LONE_STARS = /(^|\s)\*+(?=\s|$)/g;

function openFence(partial) {
  let fence = null;
  for (const line of partial.split("\n")) {
    const match = FENCE.exec(line);
    if (!match) continue;
    const marker = match[1];
    if (fence === null) fence = marker;
    else if (marker[0] === fence[0] && marker.length >= fence.length && !line.trim().slice(marker.length)) fence = null;
  }
  return fence;
}

function unclosedMarkers(partial) {
  let text = partial.replace(/`[^`\n]*`/g, "");
  if ((text.match(/`/g) || []).length % 2) return ["`"];
  text = text.replace(LIST_MARKER, "").replace(LONE_STARS, "$1");
  const open = [];
  if ((text.match(/\*\*/g) || []).length % 2) open.push("**");
  if ((text.replaceAll("**", "").match(/\*/g) || []).length % 2) open.push("*");
  if (/(^|\s)_[^_\s][^_]*$/.test(text)) open.push("_");
  return open;
}

export function displayable(partial, cursor = CURSOR) {
  const fence = openFence(partial);
  if (fence !== null) return `${partial}${cursor}\n${fence}`;
  const bare = BARE_LIST_MARKER.exec(partial);
  if (bare) return displayable(partial.slice(0, bare.index + bare[0].length - bare[1].length), cursor);
  const opened = JUST_OPENED.exec(partial);
  if (opened) return displayable(partial.slice(0, partial.length - opened[2].length), cursor);
  const markers = unclosedMarkers(partial);
  return partial + cursor + markers.reverse().join("");
}

// ---- block boundaries: every top-level block but the last is finished ----
function lastBlockStart(source) {
  let line = -1;
  for (const token of md.parse(source, {})) {
    if (token.level === 0 && token.nesting !== -1 && token.map) line = token.map[0];
  }
  if (line <= 0) return 0;
  let offset = 0;
  for (let i = 0; i < line; i++) offset = source.indexOf("\n", offset) + 1;
  return offset;
}

function caretNode(root) {
  // The text node the cursor ends (markdown-it leaves a "\n" text node after the last block).
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let caret = null;
  while (walker.nextNode()) if (walker.currentNode.data.endsWith(CURSOR)) caret = walker.currentNode;
  return caret;
}

// ---- one view per reply ----
class View {
  constructor(root, feedKey) {
    this.root = root;
    this.feedKey = feedKey;
    this.el = document.createElement("div");
    this.el.dataset.testid = "stTypingView";
    this.blocks = document.createElement("div");
    this.tail = document.createElement("div");
    this.blocks.style.display = this.tail.style.display = "contents";
    this.el.append(this.blocks, this.tail);
    root.append(this.el);
    this.styleLikeStreamlit();
    this.received = "";
    this.chunks = [];          // [start, end, arrival ms]: what each append added, and when
    this.shown = 0;            // characters revealed
    this.committed = 0;        // characters rendered into finished blocks
    this.paintedLen = 0;       // characters the screen shows (0: draw the tail from scratch)
    this.lineHasLetter = false;  // the line being typed has a letter: its kind of block is settled
    this.lineHasAmpersand = false;  // ... and an '&': a ';' could end an entity
    this.caret = null;         // the text node that ends with the cursor, when words can go there
    this.chunk = null;         // the group of finished blocks being filled
    this.applied = 0;          // feed elements read
    this.state = 0;            // 0 streaming, DONE, CUT_SHORT
    this.lastPaint = -Infinity;
    this.paintMs = 0;
    this.stats = (globalThis.__typingStats ??= {maxLagMs: 0, paints: 0, paintMs: 0, readMs: 0});
    this.paint();
    this.timer = null;
    this.watching = null;      // the feed element the MutationObserver watches
    this.dirty = true;         // the feed may hold appends not read yet
    this.observer = new MutationObserver(() => {
      this.dirty = true;
      this.wake();
    });
    this.wake();
  }

  wake(delay = 0) {
    // Ticks run only while there is something to read or reveal; a new append wakes the view.
    if (this.timer === null) this.timer = setTimeout(() => this.tick(performance.now()), delay);
  }

  styleLikeStreamlit() {
    // Reuse the classes of a native markdown container: the same fonts, margins and lists, themed.
    const native = document.querySelector('[data-testid="stMarkdown"] [data-testid="stMarkdownContainer"]');
    this.el.className = `typing-view ${native ? native.className : ""}`;
  }

  readFeed(now) {
    if (!this.dirty) return true;
    const feed = document.querySelector(`.st-key-${this.feedKey}`);
    if (!feed) return false;
    this.dirty = false;
    if (this.watching !== feed) {
      this.observer.disconnect();
      this.observer.observe(feed, {childList: true, subtree: true, characterData: true,
                                   attributes: true, attributeFilter: ["data-stale"]});
      this.watching = feed;
    }
    const items = feed.querySelectorAll('[data-testid="stText"]');
    for (; this.applied < items.length; this.applied++) {
      // A rerun reuses the feed's place: until this run writes there, Streamlit keeps the previous
      // run's elements (marked stale). Only the next append in order is taken.
      const place = items[this.applied].closest('[data-testid="stElementContainer"]');
      if (place?.dataset.stale === "true") break;
      const [offset, text, flag] = JSON.parse(items[this.applied].textContent);
      if (flag !== AT_ONCE && offset !== this.received.length) break;
      this.apply(offset, text, flag || 0, now);
    }
    return true;
  }

  apply(offset, text, flag, now) {
    const start = Math.min(offset, this.received.length);
    if (start < this.received.length) {  // recovery replaced the text: re-render from scratch
      this.received = this.received.slice(0, start);
      this.shown = Math.min(this.shown, start);
      this.committed = 0;
      this.paintedLen = 0;
      this.caret = null;
      this.blocks.replaceChildren();
      this.chunk = null;
      this.chunks = [];
    }
    this.received += text;
    this.chunks.push([start, this.received.length, now]);
    if (flag === AT_ONCE) this.shown = this.received.length;
    if (flag === DONE || flag === CUT_SHORT) this.state = flag;
  }

  target(now) {
    if (this.state) return this.received.length;  // the stream ended or stopped: everything at once
    let position = this.shown;
    for (const [start, end, at] of this.chunks) {  // each append is revealed evenly over LAG_MS
      const share = Math.min(Math.max((now - at) / LAG_MS, 0), 1);
      position = Math.max(position, Math.round(start + (end - start) * share));
    }
    this.chunks = this.chunks.filter(([, end]) => end > position);
    if (this.chunks.length) {
      this.stats.maxLagMs = Math.max(this.stats.maxLagMs, now - this.chunks[0][2] - LAG_MS);
    }
    return position;
  }

  tick(now) {
    this.timer = null;
    const found = this.readFeed(now);
    const pace = Math.max(FRAME_MS, this.paintMs / BUSY_SHARE);
    if (now - this.lastPaint >= pace || this.state) {
      const position = this.target(now);
      if (position !== this.shown || this.state) {
        this.shown = position;
        this.lastPaint = now;
        const started = performance.now();
        this.paint();
        this.paintMs = performance.now() - started;
        this.stats.paintMs += this.paintMs;
      }
    }
    if (this.state && this.shown >= this.received.length) {  // finished: nothing left to do
      this.el.dataset.state = "done";
      return;
    }
    if (!found) this.wake(50);  // the feed is not on the page yet
    else if (this.shown < this.received.length) this.wake(Math.max(this.lastPaint + pace - now, 4));
  }

  paint() {
    const added = this.received.slice(this.paintedLen, this.shown);
    const typing = !(this.state && this.shown >= this.received.length);
    if (typing && this.caret && this.lineHasLetter && PLAIN.test(added)
        && !(this.lineHasAmpersand && added.includes(";"))) {  // '&amp;' would become an entity
      this.caret.data = this.caret.data.slice(0, -CURSOR.length) + added + CURSOR;  // just more words
      this.paintedLen = this.shown;
      this.lineHasLetter ||= HAS_LETTER.test(added);
      this.stats.paints++;
      if (globalThis.__typingCheck) this.check(this.received.slice(0, this.shown));
      return;
    }
    const text = this.received.slice(0, this.shown);
    let tail = text.slice(this.committed);
    const cut = added.includes("\n") || this.paintedLen === 0 ? lastBlockStart(tail) : 0;
    if (cut > 0) {
      if (!this.chunk || this.chunk.childElementCount >= CHUNK_BLOCKS) {
        this.chunk = document.createElement("div");
        this.blocks.append(this.chunk);
      }
      this.chunk.append(toNodes(tail.slice(0, cut)));
      this.committed += cut;
      tail = tail.slice(cut);
    }
    const body = typing ? displayable(tail) : this.state === CUT_SHORT ? displayable(tail, "") : tail;
    this.tail.replaceChildren(toNodes(body));
    // Quick appends only where the screen shows the text as it is (no marker held back for now).
    const caret = typing && body.startsWith(tail + CURSOR) ? caretNode(this.tail) : null;
    this.caret = caret && !caret.parentElement.closest("code, a")
      ? caret : null;  // inside code or a link, plain characters could still change the markup
    this.paintedLen = this.shown;
    const line = text.slice(text.lastIndexOf("\n") + 1);
    this.lineHasLetter = HAS_LETTER.test(line);
    this.lineHasAmpersand = line.includes("&");
    this.stats.paints++;
    this.stats.fullPaints = (this.stats.fullPaints || 0) + 1;
  }

  check(text) {
    // Tests only: the quick path must draw exactly what a full render of the same text would.
    const expected = toHtml(displayable(text.slice(this.committed)));
    if (this.tail.innerHTML !== expected) {
      this.stats.mismatches = (this.stats.mismatches || 0) + 1;
      this.stats.lastMismatch = [this.tail.innerHTML, expected];
    }
    this.stats.checked = (this.stats.checked || 0) + 1;
  }

  dispose() {
    if (this.timer !== null) clearTimeout(this.timer);
    this.observer.disconnect();
  }
}

const views = (globalThis.__typingViews ??= new Map());

export default function ({data, parentElement}) {
  if (data?.preload) return;  // typing_view.preload(): this module is now loaded for the page
  let view = views.get(data.view);
  if (!view || view.root !== parentElement || !view.root.isConnected) {
    view?.dispose();
    view = new View(parentElement, data.feed);
    views.set(data.view, view);
  } else if (view.feedKey !== data.feed) {  // a new script run: the feed starts again from offset 0
    view.feedKey = data.feed;
    view.applied = 0;
    view.dirty = true;
    view.wake();
  }
  return () => {
    view.dispose();
    views.delete(data.view);
  };
}

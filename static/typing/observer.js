// The throttling page's eye: stamps every change of each column's visible text (a MutationObserver,
// as bench/smoothness.py does), and when the page marks the run as done, reports per column the
// visible updates per second, the p95 and the longest gap back to Python (components/lessons/throttling.py).
const FRAME_MS = 1000 / 60;  // two changes within one frame are one visible update

function visibleText(node) {
  if (node.nodeType === Node.TEXT_NODE) return node.data;
  if (node.nodeType !== Node.ELEMENT_NODE && node.nodeType !== Node.DOCUMENT_FRAGMENT_NODE) return "";
  if (node.nodeType === Node.ELEMENT_NODE) {
    if (node.tagName === "STYLE" || node.tagName === "SCRIPT") return "";
    if ([...node.classList].some((c) => c.startsWith("st-key-typing_feed"))) return "";
  }
  let out = "";
  for (const child of node.childNodes) out += visibleText(child);
  return out;
}

function summary(stamps) {
  const merged = [];
  for (const t of stamps) {
    if (merged.length && t - merged[merged.length - 1] < FRAME_MS) merged[merged.length - 1] = t;
    else merged.push(t);
  }
  const gaps = merged.slice(1).map((t, i) => t - merged[i]).sort((a, b) => a - b);
  const seconds = merged.length > 1 ? (merged[merged.length - 1] - merged[0]) / 1000 : 0;
  return {
    updates: merged.length,
    seconds,
    p95_gap_ms: gaps.length ? gaps[Math.max(Math.ceil(0.95 * gaps.length) - 1, 0)] : 0,
    longest_gap_ms: gaps.length ? gaps[gaps.length - 1] : 0,
  };
}

export default function ({data, setStateValue}) {
  const state = (globalThis.__throttlingObserver ??= {});
  if (state.run === data.run) return;  // this run is already being watched
  state.observer?.disconnect();
  state.run = data.run;
  const stamps = Object.fromEntries(data.columns.map((key) => [key, []]));
  const last = {};
  let reported = false;
  const check = () => {
    const now = performance.now();
    for (const key of data.columns) {
      const box = document.querySelector(`.st-key-throttled_${key}`);
      if (!box) continue;
      const text = visibleText(box);
      if (text !== last[key]) {
        last[key] = text;
        stamps[key].push(now);
      }
    }
    if (!reported && document.querySelector(`[data-throttling-done="${data.run}"]`)) {
      reported = true;
      setTimeout(() => {  // the typing view shows its last text right after the end marker
        observer.disconnect();
        const columns = Object.fromEntries(data.columns.map((key) => [key, summary(stamps[key])]));
        setStateValue("measured", {run: data.run, columns});
      }, 500);
    }
  };
  const observer = new MutationObserver(check);
  observer.observe(document.body, {subtree: true, childList: true, characterData: true});
  state.observer = observer;
}

// Precomputed explorers (descend.widgets.explorer and explorer2d): one or two sliders over
// figures drawn beforehand in Python.
//
// render({model, el}): state from Python (descend.live.frames.Frames): `title`,
// `description`, `sliders` (one or two {label, texts}: the readout of every position),
// `frames` ({alt, src}: a PNG data URI per position, row-major for two sliders) and
// `index` (each slider's position), which the sliders write back. Nothing is computed:
// a slider's move shows another frame. The engine and drawing helpers are not used.
// On the website a frame's `src` is a file (book/_ext/descend_book.py): the page fetches
// the frame shown, and the others once the reader reaches for the explorer (a pointer
// down or the keyboard focus on it), so moving through them waits for nothing.

const CSS = `
.dl-frames { border: 1px solid #d0d7de; border-radius: 0.5rem; padding: 0.75rem 1rem; margin: 1rem 0; max-width: 100%; box-sizing: border-box; font: 14px/1.45 system-ui, sans-serif; }
.dl-frames p { margin: 0 0 0.25rem 0; }
.dl-frames .dl-control { display: flex; flex-wrap: wrap; align-items: center; gap: 2px 12px; max-width: 40rem; margin: 6px 0; }
.dl-frames input[type="range"] { flex: 1 1 12rem; min-width: 0; min-height: 32px; margin: 0; }
.dl-frames output { flex: 0 0 auto; min-width: 8rem; font-variant-numeric: tabular-nums; }
.dl-frames .descend-frames { max-width: 100%; overflow-x: auto; overflow-y: hidden; margin-top: 4px; }
.dl-frames img.descend-frame { display: block; max-width: 100%; height: auto; }
.dl-frames :focus-visible { outline: 3px solid #0072b2; outline-offset: 2px; }
.dl-frames .dl-status { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); clip-path: inset(50%); white-space: nowrap; }
@media (max-width: 600px) { .dl-frames { padding: 0.5rem; } }
`;

function element(tag, props = {}, children = []) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

let uid = 0;

export function render({ model, el }) {
  const title = model.get("title");
  const sliders = model.get("sliders");
  const frames = model.get("frames");
  const id = `dl-frames-${++uid}`;

  const root = element("div", { className: "descend-explorer dl-frames" });
  root.setAttribute("role", "group");
  root.setAttribute("aria-label", title);
  // JupyterLab: the arrow keys move the slider, not the notebook's cell selection
  root.setAttribute("data-lm-suppress-shortcuts", "true");
  root.addEventListener("keydown", (event) => event.stopPropagation());
  root.append(
    element("style", { textContent: CSS }),
    element("p", { className: "descend-explorer-title" }, [element("strong", { textContent: title })]),
    element("p", { className: "descend-explorer-description", textContent: model.get("description") }),
  );

  const inputs = sliders.map((s, k) => {
    const input = element("input", { type: "range", min: 0, max: s.texts.length - 1, step: 1, id: `${id}-${k}` });
    input.className = "descend-slider";
    input.setAttribute("aria-label", `${title} (${s.label})`);
    const out = element("output", { className: "descend-readout" });
    out.htmlFor = input.id;
    root.append(element("div", { className: "dl-control" }, [input, out]));
    input.addEventListener("input", () => {
      const index = [...model.get("index")];
      index[k] = Number(input.value);
      model.set("index", index);
      model.save_changes();
    });
    return { input, out, texts: s.texts };
  });

  const img = element("img", { className: "descend-frame" });
  const status = element("p", { className: "dl-status" });
  status.setAttribute("aria-live", "polite");
  root.append(element("div", { className: "descend-frames" }, [img]), status);
  el.append(root);

  function show() {
    const index = model.get("index");
    inputs.forEach(({ input, out, texts }, k) => {
      const text = texts[index[k]];
      if (Number(input.value) !== index[k]) input.value = String(index[k]);
      out.textContent = text;
      input.setAttribute("aria-valuetext", text);
    });
    const flat = index.length === 2 ? index[0] * inputs[1].texts.length + index[1] : index[0];
    const frame = frames[flat];
    if (img.getAttribute("src") !== frame.src || img.alt !== frame.alt) {
      img.alt = frame.alt;
      img.src = frame.src;
      status.textContent = frame.alt;
    }
  }

  const preloaded = [];
  function preload() {
    if (preloaded.length) return;
    for (const frame of frames) {
      const image = new Image();
      image.src = frame.src; // a data URI costs nothing; a file is fetched once, then cached
      preloaded.push(image);
    }
  }
  root.addEventListener("pointerdown", preload);
  root.addEventListener("focusin", preload);

  show();
  model.on("change:index", show);
  return () => {
    model.off("change:index", show);
    root.removeEventListener("pointerdown", preload);
    root.removeEventListener("focusin", preload);
  };
}

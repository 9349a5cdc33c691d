// The website's loader: mounts every live explorer placeholder of the page.
//
// descend.live.LiveWidget writes, into the page, <div class="descend-live"
// data-kind="playground" data-state="{...json...}">; this module imports the engine,
// the drawing helpers and the explorer <kind>.js from this folder, and calls the
// explorer's render with a static model: the anywidget model's interface (get, set, on,
// off, save_changes, send) over the JSON state, with no kernel behind it.

/** A stand-in for anywidget's model, over a plain object. */
export function staticModel(state) {
  const values = { ...state };
  const listeners = new Map(); // event name -> set of callbacks
  return {
    get: (name) => values[name],
    set(name, value) {
      values[name] = value;
      for (const cb of listeners.get(`change:${name}`) ?? []) cb();
    },
    on(event, cb) {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event).add(cb);
    },
    off(event, cb) {
      if (event === undefined) listeners.clear();
      else if (cb === undefined) listeners.delete(event);
      else listeners.get(event)?.delete(cb);
    },
    save_changes() {}, // nothing to sync with: the page is the whole world
    send() {},
  };
}

const KIND = /^[a-z][a-z0-9_]*$/;

async function mount(el) {
  const kind = el.dataset.kind;
  if (!KIND.test(kind)) throw new Error(`descend-live: bad explorer kind ${JSON.stringify(kind)}`);
  const [engine, draw, explorer] = await Promise.all([
    import("./engine.js"),
    import("./draw.js"),
    import(`./${kind}.js`),
  ]);
  const model = staticModel(JSON.parse(el.dataset.state));
  el.replaceChildren();
  await explorer.render({ model, el, engine, draw });
  el.dataset.mounted = "true";
}

for (const el of document.querySelectorAll("div.descend-live[data-kind]")) {
  mount(el).catch((err) => {
    el.dataset.mounted = "error";
    console.error("descend-live:", err);
  });
}

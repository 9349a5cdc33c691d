// The anywidget entry module of every live explorer (descend.live.LiveWidget's _esm).
//
// anywidget imports this module from a blob URL, where relative imports do not resolve,
// so the engine, the drawing helpers and the explorer arrive as source text in the
// `_lib` trait and are imported here from blob URLs of their own. The explorer's render
// gets them as arguments: the same render the website's site.js calls.

async function importSource(source) {
  const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
  try {
    return await import(/* webpackIgnore: true */ url);
  } finally {
    URL.revokeObjectURL(url);
  }
}

export default {
  async render({ model, el }) {
    const lib = model.get("_lib");
    const [engine, draw, explorer] = await Promise.all(
      [lib.engine, lib.draw, lib.explorer].map(importSource),
    );
    return explorer.render({ model, el, engine, draw });
  },
};

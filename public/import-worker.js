// The import's worker (src/data/import.rs): loads the app's own module and its wasm, which the page
// names in `?app=` and `?wasm=`, from this site only. The module's main() finds no window and
// answers the page's import requests instead of drawing the app.
const query = new URL(self.location.href).searchParams;
const ours = (name) => {
  const url = new URL(query.get(name) ?? "", self.location.href);
  if (url.origin !== self.location.origin) {
    throw new Error("the import worker loads the app from this site only");
  }
  return url.href;
};
const module = await import(ours("app"));
await module.default({ module_or_path: ours("wasm") });

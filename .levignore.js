// Differences `npm run compat:grafana` (levitate) reports that change types only, each with why it is safe.
module.exports = {
  changes: [
    // 11.6 to 12.x declare PluginExtensionAddedLinkConfig without the Context type parameter that 13.x added; the
    // object passed to addLink (targets, title, description, path, configure) is the same at run time.
    'AppPlugin.addLink',
    // PanelOptionsSupplier has the same signature on every release, (builder, context) => void; 13.x only stopped
    // exporting the type, which levitate reports as a changed parameter.
    'PanelPlugin.setPanelOptions',
  ],
};

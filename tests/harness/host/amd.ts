// Loads a plugin's module.js the way Grafana does: an AMD module whose dependencies are the host's shared
// libraries, plus `module`, whose `uri` tells webpack where the plugin's lazy chunks live.

type Factory = (...deps: unknown[]) => Record<string, unknown>;

declare global {
  interface Window {
    define?: ((deps: string[], factory: Factory) => void) & { amd?: boolean };
  }
}

export function loadPluginModule(url: string, shared: Record<string, unknown>): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const define = (deps: string[], factory: Factory) => {
      try {
        const args = deps.map((name) => {
          if (name === 'module') {
            return { uri: url };
          }
          if (!(name in shared)) {
            throw new Error(`${url} needs "${name}", which the host does not share`);
          }
          return shared[name];
        });
        resolve(factory(...args));
      } catch (error) {
        reject(error);
      }
    };
    window.define = Object.assign(define, { amd: true });
    const script = document.createElement('script');
    script.src = url;
    script.onerror = () => reject(new Error(`could not load ${url}`));
    document.head.appendChild(script);
  });
}

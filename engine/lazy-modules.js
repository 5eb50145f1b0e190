// Offline runs load `@pulumi/pulumi` for its resource model only. Its runtime also loads, eagerly,
// what it needs to serialise JavaScript functions into deployment packages (the TypeScript
// compiler, npm's package tree reader and package.json normaliser) and to drive the CLI from code
// (execa), several tenths of a second per process that a plan never uses. Required before
// anything imports `@pulumi/pulumi`, this makes those modules load on first use instead: each is
// replaced by a proxy that loads the real module the first time it is touched. The same code runs
// when it is needed; nothing is switched off. The tools and tests require it (`node --require`),
// and so does the program's process when the plan runs it through Pulumi's language host
// (engine/host/preload.js); `pulumi up` never loads this file.
//
// Plain JavaScript (typed by lazy-modules.d.ts): the program's process preloads it before ts-node
// is registered.
"use strict";
const Module = require("node:module");

/** @type {ReadonlyArray<readonly [string, RegExp]>} request, and the modules that make it */
const deferred = [
    ["@npmcli/arborist", /[\\/]@pulumi[\\/]pulumi[\\/]runtime[\\/]closure[\\/]/],
    ["../../typescript-shim", /[\\/]@pulumi[\\/]pulumi[\\/]runtime[\\/]closure[\\/]/],
    ["normalize-package-data", /[\\/]@pulumi[\\/]pulumi[\\/]runtime[\\/]closure[\\/]/],
    ["execa", /[\\/]@pulumi[\\/]pulumi[\\/]automation[\\/]/],
];

/** A stand-in for a module that loads it, with `load`, the first time it is touched. */
function lazyModule(load) {
    let real;
    const target = () => (real ??= load());
    return new Proxy(
        {},
        {
            // Reported without loading, so TypeScript's import helpers take the proxy as it is; a
            // CommonJS module then answers `default` with itself, as those helpers would have made it.
            get: (_, key) => {
                if (key === "__esModule") {
                    return true;
                }
                const loaded = target();
                return key === "default" && !loaded.__esModule ? loaded : Reflect.get(loaded, key);
            },
            has: (_, key) => Reflect.has(target(), key),
            ownKeys: () => Reflect.ownKeys(target()),
            getOwnPropertyDescriptor: (_, key) => {
                const descriptor = Reflect.getOwnPropertyDescriptor(target(), key);
                return descriptor ? { ...descriptor, configurable: true } : undefined;
            },
        },
    );
}

const load = Module._load;
if (!load.lazyModules) {
    const lazyLoad = function lazyLoad(request, parent, isMain) {
        const importer = parent?.filename ?? "";
        if (!deferred.some(([name, from]) => name === request && from.test(importer))) {
            return load.call(this, request, parent, isMain);
        }
        return lazyModule(() => load.call(this, request, parent, isMain));
    };
    lazyLoad.lazyModules = true;
    Module._load = lazyLoad;
}

module.exports = { lazyModule };

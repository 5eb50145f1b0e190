// Preloaded into the program's process by the offline plan (NODE_OPTIONS=--require, as a
// project's `runtime.options.nodeargs` could preload it): switches off what Pulumi's runtime
// records only for debugging.
//
// - `Resource.callsites`: a whole stack trace per resource, mapped through ts-node's source maps,
//   for the source position the CLI shows next to a resource. What the program registers (types,
//   names, inputs, options) does not depend on it: tests/engine/host.test.ts compares the recorded
//   resources of a run with and without this file.
// - `debuggablePromise`: leak-report annotations of every internal promise.
// It also defers what a preview never calls (../lazy-modules.js): loaded on first use instead.
//
// Nothing is loaded ahead of the host's own start-up order: each module is patched when the
// program's copy of `@pulumi/pulumi` loads it.
"use strict";
const Module = require("node:module");
const path = require("node:path");
const util = require("node:util");
require("../lazy-modules.js");

// Errors without colour. When the program fails, the SDK formats the error for its tracing span
// with `util.inspect(err, { colors: true })` (`cmd/run/run.ts`, `defaultErrorMessage`, 3.248.0),
// and Node 20's colouring of stack frames loops without end on a frame under node_modules with no
// separator after the package (nodejs/node#64011, fixed by #64022): the SDK's source-mapped frames
// (`node_modules/@pulumi/resource.ts`) are such frames, so every failed run would spend tens of
// seconds in the garbage collector before it ends. The text is the same without the colour codes.
const inspect = util.inspect;
const plainInspect = function inspectWithoutColours(value, options, ...rest) {
    if (value instanceof Error && options !== null && typeof options === "object" && options.colors) {
        return inspect.call(this, value, { ...options, colors: false }, ...rest);
    }
    return inspect.call(this, value, options, ...rest);
};
Object.assign(plainInspect, inspect);
Object.defineProperty(plainInspect, "custom", { value: inspect.custom });
util.inspect = plainInspect;

// A module may be loaded while it is still being defined (a require cycle): each is patched once
// what it patches exists.
const patches = [
    {
        suffix: path.join("@pulumi", "pulumi", "resource.js"),
        ready: (e) => typeof e.Resource === "function",
        patch: (e) => (e.Resource.callsites = () => []),
    },
    {
        suffix: path.join("@pulumi", "pulumi", "runtime", "debuggable.js"),
        ready: (e) => typeof e.debuggablePromise === "function",
        patch: (e) => (e.debuggablePromise = (promise) => promise),
    },
];
const pending = [];
const load = Module._load;

Module._load = function loadPatched(request, parent, isMain) {
    const exports = load.call(this, request, parent, isMain);
    if (patches.length === 0 && pending.length === 0) {
        return exports;
    }
    if (request.endsWith("resource") || request.endsWith("debuggable")) {
        try {
            const filename = Module._resolveFilename(request, parent, isMain);
            const index = patches.findIndex((entry) => filename.endsWith(entry.suffix));
            if (index >= 0) {
                pending.push({ ...patches[index], exports });
                patches.splice(index, 1);
            }
        } catch {
            // Not a file of ours to patch.
        }
    }
    for (let i = pending.length - 1; i >= 0; i--) {
        if (pending[i].ready(pending[i].exports)) {
            pending[i].patch(pending[i].exports);
            pending.splice(i, 1);
        }
    }
    return exports;
};

// Loads the project's TypeScript for the tools and the tests (`node --require ./scripts/register.js`).
// Sucrase strips the types (it keeps line numbers, so stack traces point at the .ts lines); its
// output is cached by content in the OS temporary directory, so a file is transpiled once, not at
// every start. Nothing is written into the project or node_modules; if the temporary directory
// cannot be written, files are transpiled every time. `pulumi up` does not use this file: the
// Pulumi runtime loads the program through ts-node (see tsconfig.json).
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const Module = require("node:module");
const os = require("node:os");
const path = require("node:path");

const version = require("sucrase/package.json").version;
// `import()` stays a real dynamic import, as TypeScript keeps it under `module: nodenext`: an
// ES module (libxml2-wasm) can only be loaded that way.
const options = { transforms: ["imports", "typescript"], preserveDynamicImport: true };
const optionsKey = JSON.stringify(options);
const cacheDir = path.join(os.tmpdir(), `enterprise-integration-ts-${version}`);
let transform;

function compile(module, filename) {
    const source = fs.readFileSync(filename, "utf8");
    const key = crypto
        .createHash("sha256")
        .update(optionsKey)
        .update("\0")
        .update(filename)
        .update("\0")
        .update(source)
        .digest("hex")
        .slice(0, 40);
    const cached = path.join(cacheDir, `${key}.js`);
    let code;
    try {
        code = fs.readFileSync(cached, "utf8");
    } catch {
        transform ??= require("sucrase").transform;
        code = transform(source, { ...options, filePath: filename }).code;
        try {
            fs.mkdirSync(cacheDir, { recursive: true });
            const partial = `${cached}.${process.pid}`;
            fs.writeFileSync(partial, code);
            fs.renameSync(partial, cached);
        } catch {
            // No cache this time.
        }
    }
    module._compile(code, filename);
}

Module._extensions[".ts"] = compile;

import Module from "node:module";

/**
 * Offline runs load `@pulumi/pulumi` for its resource model only. Its runtime also loads, eagerly,
 * what it needs to serialise JavaScript functions into deployment packages (the TypeScript
 * compiler, npm's package tree reader and package.json normaliser) and to drive the CLI from code
 * (execa), several tenths of a second per process that a mock run never uses. Required before
 * anything imports `@pulumi/pulumi`, this makes those modules load on first use instead: each is
 * replaced by a proxy that loads the real module the first time it is touched. The tools and
 * tests use it; `pulumi up` never loads this file.
 */
const deferred: ReadonlyArray<readonly [request: string, importer: RegExp]> = [
    ["@npmcli/arborist", /[\\/]@pulumi[\\/]pulumi[\\/]runtime[\\/]closure[\\/]/],
    ["../../typescript-shim", /[\\/]@pulumi[\\/]pulumi[\\/]runtime[\\/]closure[\\/]/],
    ["normalize-package-data", /[\\/]@pulumi[\\/]pulumi[\\/]runtime[\\/]closure[\\/]/],
    ["execa", /[\\/]@pulumi[\\/]pulumi[\\/]automation[\\/]/],
];

type Loader = (this: unknown, request: string, parent: NodeModule | undefined, isMain: boolean) => unknown;
const moduleWithLoader = Module as unknown as { _load: Loader };
const load = moduleWithLoader._load;

moduleWithLoader._load = function lazyLoad(request, parent, isMain) {
    const importer = parent?.filename ?? "";
    if (!deferred.some(([name, from]) => name === request && from.test(importer))) {
        return load.call(this, request, parent, isMain);
    }
    return lazyModule(() => load.call(this, request, parent, isMain) as object);
} as Loader;

/** A stand-in for a module that loads it, with `load`, the first time it is touched. */
export function lazyModule(load: () => object): object {
    let real: object | undefined;
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
                const real = target() as Record<PropertyKey, unknown>;
                return key === "default" && !real.__esModule ? real : Reflect.get(real, key);
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

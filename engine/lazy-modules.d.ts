/** A stand-in for a module that loads it, with `load`, the first time it is touched (see lazy-modules.js). */
export declare function lazyModule(load: () => object): object;

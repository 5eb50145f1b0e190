import { removeTemporaryDirectories } from "./temporary";

/** Mocha's root hooks (.mocharc.json `require`): after the whole suite, its temporary directories go. */
export const mochaHooks = {
    afterAll(): void {
        removeTemporaryDirectories();
    },
};

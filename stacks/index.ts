// The Pulumi program entry (`main` in Pulumi.yaml). Pulumi calls the exported function and turns
// what it returns into the stack outputs.
import { program } from "./program";

export = program;

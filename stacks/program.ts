import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { wireCatalog } from "./wiring/catalog";
import { wireGateway } from "./wiring/gateway";
import { wireIdentity } from "./wiring/identity";
import { loadStackInputs } from "./wiring/inputs";
import { stackOutputs, type StackOutputs } from "./wiring/outputs";
import { wirePlatform } from "./wiring/platform";
import { wireRecords } from "./wiring/records";
import { wireRecovery } from "./wiring/recovery";
import { wireReferences } from "./wiring/references";
import { wireTesting } from "./wiring/testing";
import { wireWorkflows } from "./wiring/workflows";

export { lifecycles, type Lifecycle } from "./wiring/platform";
export { qualifiedStackName, referencedStacks } from "./wiring/references";
export type { StackOutputs } from "./wiring/outputs";

/**
 * The project's directory, which holds `Pulumi.yaml`, the stack files and the user's content:
 * `apis/` (the catalog the gateway publishes) and `workflows/` (the definitions). The Pulumi CLI
 * tells the program where it is (`getRootDirectory`); with a CLI that does not, it is the
 * directory above this file.
 */
export function projectDir(): string {
    const root = pulumi.runtime.getRootDirectory();
    return root && path.isAbsolute(root) && fs.existsSync(path.join(root, "Pulumi.yaml")) ? root : path.join(__dirname, "..");
}

/** Where a project keeps its catalog and its workflow definitions. */
export function contentDirs(root: string): { catalog: string; workflows: string } {
    return { catalog: path.join(root, "apis"), workflows: path.join(root, "workflows") };
}

/**
 * The stack assembly: typed config in, components out. Only this program knows how the components
 * connect; each component takes what it needs as arguments, and each step below (one file each
 * under `./wiring/`) takes the values the steps before it made. The order follows what each needs:
 * the resource groups and monitoring, the other stacks this one reads, the Entra ID applications and
 * the vault that keeps their secrets, the custom domain's records, the gateway's identity and its
 * grants and then the gateway, the workflows that admit only the gateway's addresses, the catalog
 * that forwards to their triggers, the load-testing resource where asked, and disaster recovery's
 * backups of the whole.
 */
export async function program(): Promise<StackOutputs> {
    // Config and content, read and checked before anything is registered.
    const inputs = await loadStackInputs(contentDirs(projectDir()));
    // Names, tags, the resource groups and the name suffix, monitoring.
    const platform = wirePlatform(inputs);
    // The active site's outputs (on a passive site), the DR site's (while the records point there).
    const references = wireReferences(platform);
    // Entra ID applications, then the vault with their secrets and the backend keys.
    const identity = wireIdentity({ ...platform, ...references });
    // The records exist before the service, which checks them for its managed certificates.
    const records = wireRecords({ ...platform, ...references });
    // The gateway's identity, its grants, then the service.
    const gateway = wireGateway({ ...platform, ...identity, ...records });
    // The workflows behind the gateway, their signatures in the vault, their storage grants.
    const workflows = wireWorkflows({ ...platform, ...identity, ...gateway });
    // The products and APIs, once the gateway may read its named values.
    const catalog = wireCatalog({ ...platform, ...identity, ...gateway, ...workflows });
    // Azure Load Testing and the gateway's load-test subscription, where the stack asks for them.
    const testing = wireTesting({ ...platform, ...identity, ...gateway, ...catalog });
    // Backups on the active site, restores on the passive one.
    const recovery = wireRecovery({ ...platform, ...references, ...gateway, ...catalog });
    return stackOutputs({ ...platform, ...identity, ...records, ...gateway, ...workflows, ...catalog, ...testing, ...recovery });
}

import { createHash } from "node:crypto";

/**
 * A GUID derived from a text (version 5 layout over SHA-256), so ids the program makes up (app
 * roles, scopes, role assignment names) are the same on every run and a re-run replaces nothing.
 */
export function stableGuid(seed: string): string {
    const hex = createHash("sha256").update(seed).digest("hex").slice(0, 32).split("");
    hex[12] = "5";
    hex[16] = "89ab"[parseInt(hex[16]!, 16) % 4]!;
    const text = hex.join("");
    return `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`;
}

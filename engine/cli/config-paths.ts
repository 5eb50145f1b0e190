import { cloneValue, defineKey, goInt, goParseInt, goParseUint, isObject } from "./go";
import { isSecureLeaf, marshalValue, unmarshalObject, type ConfigValue } from "./values";

/**
 * Config keys and property paths (`sdk/go/common/resource/config/` `key.go`, `map.go`,
 * `object.go`; resource/properties_path.go): key syntax, paths such as `outer.inner` or
 * `names[0]`, and getting and setting a value at a path inside an object value.
 */

/** key.go `ParseKey`: `<namespace>:<name>`, or the old `<namespace>:config:<name>`. */
export function parseConfigKey(key: string): { namespace: string; name: string } | undefined {
    const parts = key.split(":");
    if (parts.length === 2) {
        return { namespace: parts[0], name: parts[1] };
    }
    if (parts.length === 3 && parts[1] === "config" && parts[0] !== "" && parts[2] !== "") {
        return { namespace: parts[0], name: parts[2] };
    }
    return undefined;
}

/** A property path: names and array indexes. */
export type PropertyPath = readonly (string | number)[];

/** resource/properties_path.go `ParsePropertyPathStrict`: `a.b`, `a["b.c"]`, `a[0]`; the error in its words. */
export function parsePropertyPath(path: string): PropertyPath | string {
    const elements: (string | number)[] = [];
    let rest = path;
    if (rest.startsWith(".")) {
        return "expected property path to start with a name or index";
    }
    while (rest.length > 0) {
        if (rest[0] === ".") {
            rest = rest.slice(1);
            if (rest.length === 0) return "expected property path to end with a name or index";
            if (rest[0] === "[") return "expected property name after '.'";
        } else if (rest[0] === "[") {
            if (rest[1] === '"') {
                let key = "";
                let i = 2;
                for (;;) {
                    if (i >= rest.length) return "missing closing quote in property name";
                    if (rest[i] === '"') {
                        i++;
                        break;
                    }
                    if (rest[i] === "\\" && rest[i + 1] === '"') {
                        key += '"';
                        i += 2;
                    } else {
                        key += rest[i];
                        i++;
                    }
                }
                if (rest[i] !== "]") return "missing closing bracket in property access";
                elements.push(key);
                rest = rest.slice(i + 1);
            } else {
                const close = rest.indexOf("]");
                if (close === -1) return "missing closing bracket in array index";
                const segment = rest.slice(1, close);
                if (segment === "*") {
                    elements.push("*");
                } else {
                    const index = goParseInt(segment, 10);
                    if (index === undefined)
                        return `invalid array index: strconv.ParseInt: parsing ${JSON.stringify(segment)}: invalid syntax`;
                    elements.push(Number(index));
                }
                rest = rest.slice(close + 1);
            }
        } else {
            const end = rest.search(/[.[]/);
            elements.push(end === -1 ? rest : rest.slice(0, end));
            rest = end === -1 ? "" : rest.slice(end);
        }
    }
    return elements;
}

/** map.go `parseKeyPath`: the path in a key's name, and the key of its first element. */
function parseKeyPath(namespace: string, name: string): { path: PropertyPath; root: string } | string {
    const path = parsePropertyPath(name);
    if (typeof path === "string") return `invalid config key path: ${path}`;
    if (path.length === 0) return "empty config key path";
    if (typeof path[0] !== "string") return "first path segement of config key must be a string";
    if (path[0] === "") return "config key is empty";
    return { path, root: `${namespace}:${path[0]}` };
}

/** object.go `coerce` through `coerceObject`: a plain value's text as a boolean or a whole number where it reads as one. */
function coerceObject(value: ConfigValue): unknown {
    if (value.secure || value.object) return unmarshalObject(value);
    const text = value.text;
    if (text === "true" || text === "false") return text === "true";
    if (text.length > 1 && text[0] === "0") return text;
    const signed = goParseInt(text, 10);
    if (signed !== undefined) return goInt(signed);
    const unsigned = goParseUint(text, 10);
    return unsigned ?? text;
}

function formatPath(path: PropertyPath): string {
    return path.map((element, i) => (typeof element === "number" ? `[${element}]` : i === 0 ? element : `.${element}`)).join("");
}

/** object.go `object.Set`: sets the member at `path`; a problem in its words, if any. */
function setIn(container: unknown, prefix: PropertyPath, path: PropertyPath, value: unknown): { tree: unknown } | { error: string } {
    if (path.length === 0) {
        return { tree: value };
    }
    const head = path[0];
    let current = container;
    if (current === null || current === undefined || isSecureLeaf(current) || !(Array.isArray(current) || isObject(current))) {
        if (current !== null && current !== undefined && prefix.length !== 1) {
            return { error: `${formatPath(prefix)}: expected ${typeof head === "number" ? "an array" : "a map"}` };
        }
        current = typeof head === "number" ? Array.from({ length: head + 1 }, () => null) : {};
    }
    const here = [...prefix, head];
    if (Array.isArray(current)) {
        if (typeof head !== "number") return { error: `${formatPath(here)}: key for an array must be an int` };
        if (head < 0 || head > current.length) return { error: `${formatPath(here)}: array index out of range` };
        const copy = [...current];
        if (head === copy.length) copy.push(null);
        const inner = setIn(copy[head], here, path.slice(1), value);
        if ("error" in inner) return inner;
        copy[head] = inner.tree;
        return { tree: copy };
    }
    if (typeof head !== "string") return { error: `${formatPath(here)}: key for a map must be a string` };
    const map = current as Record<string, unknown>;
    if (path.length === 1 && Object.keys(map).length === 0 && head === "secure" && typeof value === "string") {
        return { error: 'maps with the single key "secure" are reserved' };
    }
    const inner = setIn(map[head], here, path.slice(1), value);
    if ("error" in inner) return inner;
    const copy = cloneValue(map);
    defineKey(copy, head, inner.tree);
    return { tree: copy };
}

/** object.go `object.Get`. */
function getIn(tree: unknown, path: PropertyPath): { found: true; tree: unknown } | { found: false } {
    let current = tree;
    for (const element of path) {
        if (Array.isArray(current)) {
            if (typeof element !== "number" || element < 0 || element >= current.length) return { found: false };
            current = current[element];
        } else if (isObject(current) && !isSecureLeaf(current)) {
            if (typeof element !== "string" || !Object.prototype.hasOwnProperty.call(current, element)) return { found: false };
            current = current[element];
        } else {
            return { found: false };
        }
    }
    return { found: true, tree: current };
}

/**
 * map.go `Map.Get` with `path` true: the value at a key whose name may be a path into an object
 * value (`outer.inner`, `names[0]`, `outer["a.b"]`). Errors are the CLI's.
 */
export function configGet(
    values: ReadonlyMap<string, ConfigValue>,
    key: { namespace: string; name: string },
): { found: boolean; value?: ConfigValue } | { error: string } {
    const parsed = parseKeyPath(key.namespace, key.name);
    if (typeof parsed === "string") return { error: parsed };
    const root = values.get(parsed.root);
    if (parsed.path.length === 1) return { found: root !== undefined, value: root };
    const member = getIn(unmarshalObject(root), parsed.path.slice(1));
    return member.found ? { found: true, value: marshalValue(member.tree) } : { found: false };
}

/**
 * map.go `Map.Set` with `path` true: sets a value at a key whose name may be a path, creating the
 * maps and lists on the way (a root that is not an object is replaced); a plain value set into an
 * object becomes a boolean or a number where its text reads as one (`coerce`). Returns the CLI's
 * error, if any.
 */
export function configSet(
    values: Map<string, ConfigValue>,
    key: { namespace: string; name: string },
    value: ConfigValue,
): string | undefined {
    const parsed = parseKeyPath(key.namespace, key.name);
    if (typeof parsed === "string") return parsed;
    if (parsed.path.length === 1) {
        values.set(parsed.root, value);
        return undefined;
    }
    const root = values.get(parsed.root);
    const tree =
        root === undefined
            ? typeof parsed.path[1] === "number"
                ? Array.from({ length: parsed.path[1] + 1 }, () => null)
                : {}
            : unmarshalObject(root);
    const result = setIn(tree, parsed.path.slice(0, 1), parsed.path.slice(1), coerceObject(value));
    if ("error" in result) return result.error;
    values.set(parsed.root, marshalValue(result.tree));
    return undefined;
}

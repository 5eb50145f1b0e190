import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "../../engine/project";

/**
 * The documentation as a reader meets it: the README is the front door (short, the quickstart on
 * its first screen, a link to every page), and every link and `#anchor` in it and in `docs/*.md`
 * leads somewhere, with anchors made the way GitHub makes them from headings. Every `npm run`
 * command the pages show is a script of package.json.
 */

/** README.md and every page under docs/, relative to the root. */
function markdownFiles(): string[] {
    const pages = fs
        .readdirSync(path.join(repoRoot, "docs"))
        .filter((file) => file.endsWith(".md"))
        .sort()
        .map((file) => `docs/${file}`);
    return ["README.md", ...pages];
}

function read(file: string): string {
    return fs.readFileSync(path.join(repoRoot, file), "utf8");
}

/** The text with the lines of fenced code blocks (fences included) made empty, so line numbers stay. */
function withoutFences(text: string): string {
    let fence: { char: string; length: number } | undefined;
    return text
        .split("\n")
        .map((line) => {
            const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line);
            if (fence) {
                if (marker && marker[1][0] === fence.char && marker[1].length >= fence.length && line.trim() === marker[1]) {
                    fence = undefined;
                }
                return "";
            }
            if (marker) {
                fence = { char: marker[1][0], length: marker[1].length };
                return "";
            }
            return line;
        })
        .join("\n");
}

/**
 * The text outside code: fenced blocks as `withoutFences` leaves them, and code spans (backticks
 * and content) made spaces, so nothing quoted as code counts as a link. A code span may run over
 * a line break, not over a blank line.
 */
function prose(text: string): string {
    return withoutFences(text)
        .split(/(\n[ \t]*\n)/)
        .map((paragraph) => paragraph.replace(/(`+)(?!`)[\s\S]*?[^`]\1(?!`)/g, (span) => span.replace(/[^\n]/g, " ")))
        .join("");
}

/** GitHub's anchor for a heading's text: lower-case, punctuation but hyphens and underscores removed, each space a hyphen. */
function slug(heading: string): string {
    const text = heading
        .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
        .replace(/<[^>]+>/g, "")
        .replace(/[`*~]/g, "");
    return text
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, "")
        .replace(/ /g, "-");
}

/** The anchors a Markdown text has: one per heading (duplicates get -1, -2, ...) and each HTML `id`/`name`. */
function anchors(text: string): Set<string> {
    const found = new Set<string>();
    const seen = new Map<string, number>();
    for (const line of withoutFences(text).split("\n")) {
        const heading = /^ {0,3}#{1,6}(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/.exec(line);
        if (!heading) {
            continue;
        }
        let anchor = slug(heading[1] ?? "");
        const count = seen.get(anchor);
        if (count === undefined) {
            seen.set(anchor, 0);
        } else {
            seen.set(anchor, count + 1);
            anchor = `${anchor}-${count + 1}`;
        }
        found.add(anchor);
    }
    for (const match of prose(text).matchAll(/<a\s[^>]*?\b(?:id|name)="([^"]+)"/g)) {
        found.add(match[1]);
    }
    return found;
}

/** Every link destination of a Markdown text outside code: inline links and images, reference definitions, HTML hrefs. */
function links(text: string): Array<{ target: string; line: number }> {
    const body = prose(text);
    const found: Array<{ target: string; line: number }> = [];
    const lineOf = (at: number) => body.slice(0, at).split("\n").length;
    for (const match of body.matchAll(/\]\(\s*(?:<([^>]*)>|([^\s)]*))(?:\s+"[^"]*")?\s*\)/g)) {
        found.push({ target: match[1] ?? match[2], line: lineOf(match.index) });
    }
    for (const match of body.matchAll(/^ {0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?/gm)) {
        found.push({ target: match[1], line: lineOf(match.index) });
    }
    for (const match of body.matchAll(/<a\s[^>]*?\bhref="([^"]+)"/g)) {
        found.push({ target: match[1], line: lineOf(match.index) });
    }
    return found;
}

/** What is wrong with a link from `file`, or undefined when it resolves. External links are not followed. */
function brokenLink(file: string, target: string): string | undefined {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("//")) {
        return undefined;
    }
    const hash = target.indexOf("#");
    const pathPart = decodeURIComponent(hash < 0 ? target : target.slice(0, hash));
    const anchor = hash < 0 ? undefined : decodeURIComponent(target.slice(hash + 1));
    const resolved =
        pathPart === "" ? file : pathPart.startsWith("/") ? pathPart.slice(1) : path.posix.join(path.posix.dirname(file), pathPart);
    if (resolved.startsWith("..")) {
        return `${target} leaves the repository`;
    }
    if (!fs.existsSync(path.join(repoRoot, resolved))) {
        return `${target}: ${resolved} does not exist`;
    }
    if (anchor === undefined) {
        return undefined;
    }
    if (!resolved.endsWith(".md")) {
        return /^L\d+(-L\d+)?$/.test(anchor) ? undefined : `${target}: #${anchor} is not a line of ${resolved}`;
    }
    const known = anchors(read(resolved));
    return known.has(anchor) ? undefined : `${target}: ${resolved} has no heading with the anchor #${anchor}`;
}

const packageJson = JSON.parse(read("package.json")) as { scripts: Record<string, string> };

describe("the documentation (README.md and docs/)", () => {
    describe("GitHub's heading anchors, as the link check makes them", () => {
        it("lower-cases, drops punctuation but hyphens and underscores, and turns each space into a hyphen", () => {
            assert.equal(slug("What `workflows/connections.yaml` holds, and why"), "what-workflowsconnectionsyaml-holds-and-why");
            assert.equal(slug("The workflow's managed identity"), "the-workflows-managed-identity");
            assert.equal(slug("1. Prerequisites"), "1-prerequisites");
            assert.equal(slug("`prod`: 5 to update; 120 unchanged"), "prod-5-to-update-120-unchanged");
            assert.equal(slug("Pull-request diffs"), "pull-request-diffs");
            assert.equal(slug("snake_case and [a link](x.md)"), "snake_case-and-a-link");
            assert.equal(slug("A  double space"), "a--double-space");
        });

        it("numbers repeated headings -1, -2 and ignores headings inside code blocks", () => {
            const text = ["# Notes", "", "## Notes", "", "```yaml", "# Notes", "```", "", "### Notes", "", '<a id="here"></a>'].join("\n");
            assert.deepEqual([...anchors(text)].sort(), ["here", "notes", "notes-1", "notes-2"]);
        });

        it("finds links outside code only", () => {
            const text = ["[a](a.md) `[b](b.md)`", "```", "[c](c.md)", "```", '![d](d.png) [e](<e f.md> "title")', "", "[ref]: g.md"].join(
                "\n",
            );
            assert.deepEqual(
                links(text).map((link) => `${link.line}:${link.target}`),
                ["1:a.md", "5:d.png", "5:e f.md", "7:g.md"],
            );
        });
    });

    for (const file of markdownFiles()) {
        it(`${file}: every relative link and #anchor resolves`, () => {
            const problems = links(read(file))
                .map((link) => ({ ...link, problem: brokenLink(file, link.target) }))
                .filter((link) => link.problem !== undefined)
                .map((link) => `${file}:${link.line}: ${link.problem}`);
            assert.deepEqual(problems, []);
        });
    }

    it("shows only npm scripts that package.json has", () => {
        const problems: string[] = [];
        for (const file of markdownFiles()) {
            const text = read(file);
            for (const match of text.matchAll(/\bnpm (?:run(?:-script)?[ \t]+([A-Za-z0-9_][\w:.-]*)|(test|start|stop|restart)\b)/g)) {
                const script = match[1] ?? match[2];
                if (!(script in packageJson.scripts)) {
                    problems.push(
                        `${file}:${text.slice(0, match.index).split("\n").length}: ${match[0]} (scripts: ${Object.keys(packageJson.scripts).join(", ")})`,
                    );
                }
            }
        }
        assert.deepEqual(problems, []);
    });

    describe("the README, the front door", () => {
        const readme = read("README.md");
        const lines = readme.replace(/\n$/, "").split("\n");

        it("fits in 160 lines", () => {
            assert.ok(lines.length <= 160, `README.md has ${lines.length} lines`);
        });

        it("holds the quickstart commands on its first screen (60 lines)", () => {
            const screen = lines.slice(0, 60).join("\n");
            for (const command of ["npm ci", "npm run plan -- dev", "npm test"]) {
                assert.ok(screen.includes(command), `${command} in the first 60 lines`);
            }
        });

        it("names every npm script of package.json in its commands table", () => {
            const section = readme.split(/^## /m).find((part) => part.startsWith("Commands\n"));
            assert.ok(section, "the README has a Commands section");
            const shown = new Set([...section.matchAll(/^\| `npm (?:run )?([\w:.-]+)/gm)].map((match) => match[1]));
            assert.deepEqual(
                Object.keys(packageJson.scripts).filter((script) => !shown.has(script)),
                [],
            );
        });

        it("links every page under docs/", () => {
            const linked = new Set(links(readme).map((link) => link.target.split("#")[0]));
            assert.deepEqual(
                markdownFiles()
                    .slice(1)
                    .filter((page) => !linked.has(page)),
                [],
            );
        });
    });

    it("opens every page under docs/ with its title and a sentence on what the reader can do there", () => {
        for (const page of markdownFiles().slice(1)) {
            const [title, blank, opening] = read(page).split("\n");
            assert.match(title, /^# \S/, `${page} starts with its title`);
            assert.equal(blank, "", `${page}: a blank line after the title`);
            assert.match(opening, /^[A-Z`]/, `${page}: a sentence after the title`);
        }
    });
});

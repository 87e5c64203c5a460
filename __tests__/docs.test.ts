import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { renderDocs, replaceGenerated } from "../tools/docs";

const root = resolve(__dirname, "..");
const read = (file: string) => readFileSync(join(root, file), "utf8");
const markdownFiles = [
  "README.md",
  "stacks/README.md",
  ...readdirSync(join(root, "docs")).map((f) => `docs/${f}`),
].filter((f) => f.endsWith(".md"));

describe("generated docs", () => {
  it("are what npm run docs writes from the rule catalogue and the service registry", () => {
    const stale = renderDocs(root)
      .filter(({ file, text }) => read(file) !== text)
      .map(({ file }) => `${file} is out of date: run npm run docs`);
    expect(stale).toEqual([]);
  });

  it("rewrite only what lies between a table's markers", () => {
    const text = "prose\n<!-- generated:rules:start -->\nold\n<!-- generated:rules:end -->\nmore prose\n";
    expect(replaceGenerated(text, "rules", "new", "docs/x.md")).toBe(
      "prose\n<!-- generated:rules:start -->\nnew\n<!-- generated:rules:end -->\nmore prose\n",
    );
  });

  it("refuse a file whose markers are missing or out of order", () => {
    const swapped = "<!-- generated:rules:end -->\n<!-- generated:rules:start -->\n";
    for (const text of ["no markers here", swapped]) {
      expect(() => replaceGenerated(text, "rules", "new", "docs/x.md")).toThrow(
        'docs/x.md: expected one "<!-- generated:rules:start -->" followed by one "<!-- generated:rules:end -->"',
      );
    }
  });
});

describe("README.md", () => {
  it("stays within 250 lines (the rest belongs in docs/)", () => {
    const lines = read("README.md").replace(/\n$/, "").split("\n").length;
    expect(lines).toBeLessThanOrEqual(250);
  });
});

describe("relative links", () => {
  // Links in prose only: code blocks and code spans hold examples, not links.
  const linksOf = (text: string): string[] =>
    [
      ...text
        .replace(/```[\s\S]*?```/g, "")
        .replace(/`[^`\n]*`/g, "")
        .matchAll(/\]\(([^)\s]+)\)/g),
    ].map((m) => m[1]);
  const relative = (target: string) => !/^([a-z][a-z0-9+.-]*:|#)/i.test(target);

  it.each(markdownFiles)("in %s point to files that exist", (file) => {
    const broken = linksOf(read(file))
      .filter(relative)
      .filter((target) => !existsSync(resolve(root, dirname(file), decodeURI(target.split("#")[0]))));
    expect(broken).toEqual([]);
  });
});

const TEMPLATE_OR_NON_ASCII = /[{\u0080-\uffff]/;

/**
 * A value of the Terraform JSON as two values compare when they mean the same: the literal text
 * lower-cased (Azure ids, GUIDs and role names are case-insensitive), every `${...}` and `%{...}`
 * exactly as written (Terraform addresses are case-sensitive: `deployer` and `Deployer` are two
 * resources). `$${` is Terraform's escape for a literal `${`. An unclosed template is kept as
 * written, so it never equals anything it does not spell exactly.
 */
export function comparableText(text: string): string {
  // Most values hold no template: lower-case them at once. Only ASCII: the whole-string lower case of
  // a capital sigma depends on its neighbours, unlike the per-character one below.
  if (!TEMPLATE_OR_NON_ASCII.test(text)) return text.toLowerCase();
  let out = "";
  let i = 0;
  while (i < text.length) {
    if (text.startsWith("$${", i) || text.startsWith("%%{", i)) {
      out += text.slice(i, i + 3);
      i += 3;
    } else if (text.startsWith("${", i) || text.startsWith("%{", i)) {
      const end = templateEnd(text, i + 2);
      if (end === undefined) return out + text.slice(i);
      out += text.slice(i, end);
      i = end;
    } else {
      out += text[i].toLowerCase();
      i += 1;
    }
  }
  return out;
}

/** Where the template opened before `from` closes (after its `}`), skipping nested braces and quoted strings. */
function templateEnd(text: string, from: number): number | undefined {
  let depth = 1;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      i += 1;
      while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    } else if (c === "{") depth += 1;
    else if (c === "}" && --depth === 0) return i + 1;
  }
  return undefined;
}

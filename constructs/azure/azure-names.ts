/**
 * How Azure's naming rules are stated and checked, so a bad name is refused at synth with a rule a
 * person can follow, not by ARM at apply (or, worse, turned into an id that names something else).
 * Each rule lives with its resource type in the service's module (`resourceTypes.<type>.name`);
 * this file holds what they share.
 *
 * Source, unless a rule says otherwise: "Naming rules and restrictions for Azure resources"
 * (learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules, revision of
 * 2025-03-14). Where a service's own page says more, the rule cites it; where the two disagree,
 * the rule follows resource-name-rules and says so.
 *
 * Everything here is ASCII only: Azure accepts Unicode in a few places (resource groups, App
 * Service names), but those names reach ids, URLs and DNS through different encodings, so this
 * library refuses them rather than guess which one each consumer uses.
 */

/** One naming rule of Azure, as people read it, and its test. */
export interface NameRule {
  readonly kind: string;
  /** e.g. "3-24 characters: letters, digits and hyphens; starts with a letter; ends with a letter or digit; no consecutive hyphens" */
  readonly rule: string;
  test(name: string): boolean;
}

/** A naming rule as a service module states it (one per resource type, in its `name`). */
export interface NameRuleSpec {
  /** How the rule names what it covers, where one rule covers several types; else the type's kind. */
  readonly kind?: string;
  readonly min: number;
  readonly max: number;
  /** The characters and their order; the length is checked separately, from min and max. */
  readonly pattern: RegExp;
  /** What the pattern says, in words; the "min-max characters: " prefix is added from min and max. */
  readonly text: string;
}

// Shapes that several services share. Every pattern is anchored and lists ASCII ranges explicitly
// (no `i` or `u` flag), so no case folding lets "K" (Kelvin sign) or "ſ" pass as a Latin letter.
/** Letters, digits and hyphens; starts and ends with a letter or digit. */
export const ALNUM_HYPHEN_INSIDE = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;
/** Lowercase letters, digits and single hyphens between them (a DNS label, as storage uses it). */
export const LOWER_DNS_LABEL = /^[a-z0-9](?:-?[a-z0-9])*$/;
/** Letters, digits, periods, hyphens and underscores; starts and ends with a letter or digit. */
export const MESSAGING_ENTITY = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;
/** Starts with a letter, ends with a letter or digit, letters digits and hyphens between. */
export const LETTER_FIRST_HYPHENS = /^[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;
/** Letters, digits, underscores, hyphens, periods and parentheses; does not end with a period. */
export const NO_TRAILING_PERIOD = /^[A-Za-z0-9_.()-]*[A-Za-z0-9_()-]$/;
/** Lowercase letters, digits and hyphens; starts and ends with a letter or digit. */
export const LOWER_ALNUM_HYPHEN_INSIDE = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
/** A MySQL or PostgreSQL flexible server (azurerm 4.55 validate.FlexibleServerName: 3-63, ^[a-z0-9]([a-z0-9-]+[a-z0-9])?$). */
export const FLEXIBLE_SERVER_NAME: NameRuleSpec = {
  min: 3,
  max: 63,
  pattern: LOWER_ALNUM_HYPHEN_INSIDE,
  text: "lowercase letters, digits and hyphens; starts and ends with a letter or digit",
};

/** The rule a spec states, with its test. */
export function nameRule(kind: string, spec: NameRuleSpec): NameRule {
  return {
    kind: spec.kind ?? kind,
    rule: `${spec.min}-${spec.max} characters: ${spec.text}`,
    test: (name) =>
      typeof name === "string" && name.length >= spec.min && name.length <= spec.max && spec.pattern.test(name),
  };
}

/**
 * The host name a VM takes from its resource name when `computer_name` is not set, or the prefix a
 * scale set takes when `computer_name_prefix` is not (Azure appends 6 characters). Windows:
 * resource-name-rules' 1-15, and azurerm's WindowsComputerNameFull/Prefix (letters, digits and
 * hyphens, not only digits; a prefix at most 9, a full name not ending with a hyphen). Linux:
 * azurerm's LinuxComputerNamePrefix caps a prefix at 58.
 */
export function computerNameRule(os: "windows" | "linux", prefix: boolean): NameRule {
  const max = os === "windows" ? (prefix ? 9 : 15) : prefix ? 58 : 64;
  const chars = os === "windows" ? /^[A-Za-z0-9-]+$/ : /^[A-Za-z0-9][A-Za-z0-9.-]*$/;
  return {
    kind: `${os === "windows" ? "Windows" : "Linux"} computer name${prefix ? " prefix" : ""}`,
    rule:
      `1-${max} characters: letters, digits${os === "windows" ? " and hyphens; not only digits" : ", periods and hyphens; starts with a letter or digit; does not end with a period"}` +
      (prefix ? "" : "; does not end with a hyphen"),
    test: (name) =>
      name.length <= max &&
      chars.test(name) &&
      !(os === "windows" && /^[0-9]+$/.test(name)) &&
      !(os === "linux" && name.endsWith(".")) &&
      (prefix || !name.endsWith("-")),
  };
}

/** What `ch` is, for a message, if it may not appear in an id; undefined when it may. */
function describeBadChar(ch: string): string | undefined {
  const code = ch.codePointAt(0)!;
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
  if (ch === " ") return "a space";
  if (ch === "\t") return "a tab (U+0009)";
  if (ch === "\n" || ch === "\r") return `a line break (${hex})`;
  if (code < 0x20 || code === 0x7f) return `a control character (${hex})`;
  if (code > 0x7f) return /\s/u.test(ch) ? `non-ASCII whitespace (${hex})` : `a non-ASCII character "${ch}" (${hex})`;
  // ARM ids travel as URL paths. resource-name-rules warns that # breaks ARM's URL parsing; ? starts
  // a query the same way; URL parsers read \ as / and %2e%2e as .., which would get past the
  // segment check below.
  if (ch === "#") return 'a "#" (it ends the URL path: ARM would never see the rest)';
  if (ch === "?") return 'a "?" (it starts a query string: ARM would never see the rest)';
  if (ch === "\\") return 'a "\\" (URL parsers read it as "/")';
  if (ch === "%") return 'a "%" (percent-encoding: URL parsers read "%2e%2e" as "..")';
  return undefined;
}

const PLAIN_ID = /^[\x21-\x7e]*$/;
const RESHAPING = /[#?\\%]/;

/** Why `id` cannot be an Azure resource id segment-wise: `..` or `.` segments, interpolations, quotes, `..` in a name, whitespace, control characters, non-ASCII characters, or undefined when fine. */
export function idTextProblem(id: string): string | undefined {
  // A dot segment is resolved away by every URL parser (new URL, HTTP clients, proxies): the id
  // would address, and a role assignment would reach, a different resource than it spells.
  const segments = id.split("/");
  const dot = segments.findIndex((s) => s === "." || s === "..");
  if (dot >= 0) {
    const after = dot > 0 && segments[dot - 1] ? ` after "${segments[dot - 1]}"` : "";
    return `it has a "${segments[dot]}" segment${after}: URL resolution removes it, so the id would name a different resource than it spells`;
  }
  // Nearly every id is printable ASCII without a URL-reshaping character: skip the per-character scan.
  if (!PLAIN_ID.test(id) || RESHAPING.test(id)) {
    let index = 0;
    for (const ch of id) {
      const bad = describeBadChar(ch);
      if (bad) return `it contains ${bad} at index ${index}${index === id.length - ch.length ? " (the end)" : ""}`;
      index += ch.length;
    }
  }
  // A name with an interpolation, a quote or `..` is a template or an escape, never a name Azure gave.
  const quoted = segments.find((s) => /\$\{|["']|\.\./.test(s));
  return quoted === undefined
    ? undefined
    : `its segment "${quoted}" holds an interpolation ("\${"), a quote or ".." that no Azure name has`;
}

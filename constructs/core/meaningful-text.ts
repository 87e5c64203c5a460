import { Token } from "cdktf";

/**
 * Why a justification or suppression reason says nothing, or undefined when it reads as words.
 * Length alone is no test: twenty `a`s are twenty characters. A reason needs at least three
 * distinct words (two or more letters, not one letter repeated), and no single character may make
 * up most of it.
 */
export function meaninglessTextProblem(text: string, minLength: number): string | undefined {
  // A token's placeholder would be judged as if it were the words.
  if (Token.isUnresolved(text)) return "it is a value only Terraform knows, not words a reviewer reads";
  const trimmed = text.trim();
  if (trimmed.length < minLength) return `it is shorter than ${minLength} characters`;
  const chars = [...trimmed.replace(/\s+/g, "").toLowerCase()];
  const counts = new Map<string, number>();
  for (const c of chars) counts.set(c, (counts.get(c) ?? 0) + 1);
  if (Math.max(...counts.values()) > chars.length / 2) return "it is mostly one repeated character";
  const words = new Set((trimmed.toLowerCase().match(/\p{L}{2,}/gu) ?? []).filter((w) => new Set(w).size > 1));
  if (words.size < 3) return "it has fewer than three distinct words";
  return undefined;
}

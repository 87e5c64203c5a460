/**
 * The start of a text too long to quote whole in a message, with its length: a hostile value
 * (a 40,000-character condition, a megabyte in a report field) is named, never echoed.
 */
export function excerpt(text: string, max = 60): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max).join("")}… (${chars.length} characters)`;
}

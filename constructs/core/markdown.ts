/** Text safe inside a markdown table cell: no column breaks, no line breaks. */
export function tableCell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

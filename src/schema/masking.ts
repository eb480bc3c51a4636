/** Shows only the last `visible` characters: enough to recognise a value, not to use it. */
export function maskTail(value: string, visible = 4): string {
  const tail = value.slice(-visible);
  return `${"•".repeat(Math.max(value.length - visible, 0))}${tail}`;
}

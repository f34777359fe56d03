/** A count with its noun, singular for one: `counted(1, 'event')` is "1 event", `counted(3, 'event')` "3 events". */
export function counted(n: number, noun: string, pluralNoun = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : pluralNoun}`;
}

/**
 * A known value as commands and a hostile model can show it: each form as printed, and the stretches
 * of it that must not be found anywhere once it has passed the redactor.
 */
export interface ShownForm {
  name: string;
  shown: string;
  evidence: string[];
}

export function shownForms(value: string): ShownForm[] {
  const bytes = Buffer.from(value);
  const reversed = [...value].reverse().join('');
  const hex = bytes.toString('hex');
  // Inside a longer blob, one byte before it: the characters that encode only the value's bytes.
  const blob = Buffer.concat([Buffer.from('{"k":"'), bytes, Buffer.from('"}')]);
  const base64 = blob.toString('base64');
  const base64url = blob.toString('base64url');
  const encoded = [...value].map((c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).join('');
  const half = Math.ceil(value.length / 2);
  return [
    { name: 'plain', shown: value, evidence: [value] },
    { name: 'reversed', shown: reversed, evidence: [reversed] },
    { name: 'base64 in a blob', shown: base64, evidence: [base64.slice(9, -4)] },
    { name: 'base64url in a blob', shown: base64url, evidence: [base64url.slice(9, -4)] },
    { name: 'hex', shown: hex, evidence: [hex] },
    { name: 'upper-case hex', shown: hex.toUpperCase(), evidence: [hex.toUpperCase()] },
    { name: 'url-encoded', shown: encoded, evidence: [encoded] },
    {
      name: 'in two halves',
      shown: `${value.slice(0, half)} ... ${value.slice(half)}`,
      evidence: [value.slice(0, half), value.slice(half)],
    },
  ];
}

/**
 * Stretches of the evidence to look for in raw bytes: every 12 characters (a database page boundary
 * can cut a string; a stretch on either side of it is still whole somewhere).
 */
export function evidenceStretches(forms: ShownForm[]): string[] {
  const stretches = new Set<string>();
  for (const piece of forms.flatMap((form) => form.evidence)) {
    if (piece.length <= 12) stretches.add(piece);
    for (let at = 0; at + 12 <= piece.length; at += 3) stretches.add(piece.slice(at, at + 12));
  }
  return [...stretches];
}

/** The stretches found in `bytes`, as names of forms; empty when none is. */
export function leakedIn(bytes: Buffer, forms: ShownForm[]): string[] {
  return forms.flatMap((form) =>
    evidenceStretches([form]).some((stretch) => bytes.includes(stretch)) ? [form.name] : [],
  );
}

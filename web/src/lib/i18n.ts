// Texts from locales/<lang>/<namespace>.json as the server sent them, with i18next's
// {{placeholder}} syntax filled in on the page.
export type Texts = { [key: string]: string | Texts };
export type Translate = (key: string, values?: Record<string, string | number>) => string;

export function translator(texts: Texts): Translate {
  return (key, values) => {
    let node: string | Texts | undefined = texts;
    for (const part of key.split('.')) node = typeof node === 'object' ? node[part] : undefined;
    // A missing key shows itself: the locale tests keep every key in every language.
    if (typeof node !== 'string') return key;
    return node.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) =>
      values && name in values ? String(values[name]) : whole,
    );
  };
}

/**
 * A small XML well-formedness check for the SVG the graph pictures are
 * (no XML parser is a dependency): one root element, every tag closed in
 * order, attributes quoted and not repeated, entities known. Returns the
 * decoded text of the document's elements, by element name, to check what
 * a picture says.
 */
const NAME = '[A-Za-z_:][-A-Za-z0-9_:.]*';
const ENTITY = /&(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/g;

function decode(s: string, where: string): string {
  if (/&/.test(s.replace(ENTITY, ''))) throw new Error(`a bare & or an unknown entity ${where}: ${s.slice(0, 80)}`);
  return s.replace(ENTITY, (e) => {
    const named: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&apos;': "'" };
    if (named[e]) return named[e]!;
    return String.fromCodePoint(e[2] === 'x' ? parseInt(e.slice(3, -1), 16) : parseInt(e.slice(2, -1), 10));
  });
}

/** Check that `xml` is well-formed; throws with where it is not. Returns the text inside each element name. */
export function parseXml(xml: string): { root: string; texts: Map<string, string[]>; attributes: Map<string, string[]> } {
  const token = new RegExp(`<!--[\\s\\S]*?-->|<\\?[\\s\\S]*?\\?>|<!DOCTYPE[^>\\[]*>|<!\\[CDATA\\[[\\s\\S]*?\\]\\]>|</(${NAME})\\s*>|<(${NAME})((?:\\s+${NAME}\\s*=\\s*(?:"[^"<]*"|'[^'<]*'))*)\\s*(/?)>|<|[^<]+`, 'gy');
  const stack: string[] = [];
  const texts = new Map<string, string[]>();
  const attributes = new Map<string, string[]>();
  let root: string | undefined;
  let m: RegExpExecArray | null;
  while ((m = token.exec(xml)) !== null) {
    const [whole, close, open, attrs, selfClosing] = m;
    const at = `at offset ${m.index}`;
    if (whole === '<') throw new Error(`a malformed tag ${at}: ${xml.slice(m.index, m.index + 80)}`);
    if (close) {
      if (stack.pop() !== close) throw new Error(`</${close}> closes nothing open ${at}`);
    } else if (open) {
      if (stack.length === 0) {
        if (root !== undefined) throw new Error(`a second root element <${open}> ${at}`);
        root = open;
      }
      const seen = new Set<string>();
      for (const a of (attrs ?? '').matchAll(new RegExp(`(${NAME})\\s*=\\s*("[^"]*"|'[^']*')`, 'g'))) {
        if (seen.has(a[1]!)) throw new Error(`attribute ${a[1]} repeated in <${open}> ${at}`);
        seen.add(a[1]!);
        const list = attributes.get(a[1]!) ?? [];
        list.push(decode(a[2]!.slice(1, -1), at));
        attributes.set(a[1]!, list);
      }
      if (!selfClosing) stack.push(open);
    } else if (!whole.startsWith('<')) {
      const text = decode(whole, at);
      if (stack.length === 0) {
        if (text.trim()) throw new Error(`text outside the root element ${at}`);
        continue;
      }
      const list = texts.get(stack.at(-1)!) ?? [];
      list.push(text);
      texts.set(stack.at(-1)!, list);
    }
  }
  if (stack.length) throw new Error(`<${stack.at(-1)}> is never closed`);
  if (root === undefined) throw new Error('no root element');
  return { root, texts, attributes };
}

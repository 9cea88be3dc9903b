// The README and docs/ link to each other, to headings and to files of the repository: every such
// link must resolve, so that moving a section or renaming a file cannot silently break the path
// a newcomer follows. Links to other sites are not fetched (no network here).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(__dirname, '../..');
const documents = [
  join(root, 'README.md'),
  ...readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => join(root, 'docs', name)),
];

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes. */
function slugOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\- _]/gu, '')
    .replace(/ /g, '-');
}

function anchorsOf(file: string): Set<string> {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const match of text.matchAll(/^#{1,6} (.+)$/gm)) {
    const slug = slugOf(match[1]);
    const count = seen.get(slug) ?? 0;
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
    seen.set(slug, count + 1);
  }
  return anchors;
}

/** Every `[text](target)` outside code blocks and inline code, with its line. */
function linksOf(file: string): { target: string; line: number }[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const links: { target: string; line: number }[] = [];
  let inCode = false;
  lines.forEach((text, index) => {
    if (text.trimStart().startsWith('```')) inCode = !inCode;
    if (inCode) return;
    const prose = text.replace(/`[^`]*`/g, '');
    for (const match of prose.matchAll(/\]\(([^)\s]+)\)/g)) {
      links.push({ target: match[1], line: index + 1 });
    }
  });
  return links;
}

describe('links in README.md and docs/*.md', () => {
  const cases = documents.flatMap((file) =>
    linksOf(file)
      .filter(({ target }) => !/^[a-z]+:/.test(target))
      .map(({ target, line }) => ({ file, target, where: `${relative(root, file)}:${line}` })),
  );

  it('finds the links it checks', () => {
    expect(cases.length).toBeGreaterThan(20);
  });

  it.each(cases)('$where → $target resolves', ({ file, target }) => {
    const [path, anchor] = target.split('#');
    const destination = path ? resolve(dirname(file), decodeURIComponent(path)) : file;
    expect(relative(root, destination).startsWith('..')).toBe(false);
    expect(existsSync(destination)).toBe(true);
    if (anchor !== undefined) {
      expect(statSync(destination).isFile()).toBe(true);
      expect([...anchorsOf(destination)]).toContain(anchor);
    }
  });
});

describe('docs/*.md', () => {
  it.each(documents.filter((file) => file.includes('/docs/')))(
    '%s starts with its title and says what it is for',
    (file) => {
      const [title, blank, purpose] = readFileSync(file, 'utf8').split('\n');
      expect(title).toMatch(/^# \S/);
      expect(blank).toBe('');
      expect(purpose).toMatch(/^What this is for: /);
    },
  );

  it('README.md stays the short page a newcomer reads in ten minutes', () => {
    expect(readFileSync(join(root, 'README.md'), 'utf8').split('\n').length).toBeLessThan(300);
  });
});

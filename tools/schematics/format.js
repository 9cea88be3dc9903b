// Shared by the app and library schematics: formats what a generator wrote with the repo's
// Prettier config, so that `prettier --check` stays clean after `nest generate`.
const path = require('node:path');
const prettier = require('prettier');

/**
 * A rule that runs Prettier over `files` (paths in the tree) and every file under `dirs`.
 * @param {string[]} files
 * @param {string[]} dirs
 */
function formatFiles(files, dirs) {
  return async (tree) => {
    const paths = files.filter((file) => tree.exists(file));
    for (const dir of dirs) tree.getDir(dir).visit((file) => paths.push(file));
    for (const file of paths) {
      const filepath = path.join(process.cwd(), file);
      const options = await prettier.resolveConfig(filepath);
      const info = await prettier.getFileInfo(filepath, { ignorePath: '.prettierignore' });
      if (info.ignored || !info.inferredParser) continue;
      const source = tree.readText(file);
      const formatted = await prettier.format(source, { ...options, filepath });
      if (formatted !== source) tree.overwrite(file, formatted);
    }
  };
}

/**
 * Edits a JSON file in the tree.
 * @param {import('@angular-devkit/schematics').Tree} tree
 * @param {string} file
 * @param {(json: any) => void} edit
 */
function editJson(tree, file, edit) {
  const json = JSON.parse(tree.readText(file));
  edit(json);
  tree.overwrite(file, JSON.stringify(json, null, 2) + '\n');
}

module.exports = { formatFiles, editJson };

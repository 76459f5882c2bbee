/**
 * The directories above the backed-up paths. Backing up `/home/ann/docs`
 * and `/srv` yields a plan: home -> ann -> docs (source), srv (source). A
 * path inside another backed-up path is dropped: its parent covers it.
 */
export interface RootPlan {
  readonly name: Buffer;
  /** The absolute path of this entry. */
  readonly path: Buffer;
  /** True for a path the user named: archived whole. */
  readonly isSource: boolean;
  readonly children: RootPlan[];
}

interface Building { name: Buffer; path: Buffer; isSource: boolean; children: Map<string, Building> }

export function buildRootPlan(absolutePaths: readonly Buffer[]): RootPlan {
  const root: Building = { name: Buffer.alloc(0), path: Buffer.from('/'), isSource: false, children: new Map() };
  for (const path of absolutePaths) {
    const components = path.toString('latin1').split('/').filter((c) => c.length > 0);
    if (components.length === 0) {
      root.isSource = true; // backing up "/" itself
      continue;
    }
    let node = root;
    for (const [i, component] of components.entries()) {
      if (node.isSource) break;
      let child = node.children.get(component);
      if (!child) {
        const childPath = Buffer.from(`/${components.slice(0, i + 1).join('/')}`, 'latin1');
        child = { name: Buffer.from(component, 'latin1'), path: childPath, isSource: false, children: new Map() };
        node.children.set(component, child);
      }
      node = child;
    }
    if (!node.isSource) {
      node.isSource = true;
      node.children.clear();
    }
  }
  const freeze = (b: Building): RootPlan => ({
    name: b.name, path: b.path, isSource: b.isSource, children: [...b.children.values()].map(freeze),
  });
  return freeze(root);
}

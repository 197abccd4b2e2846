import { Problem, ProvisioningInput } from './types';

// Datasources: each has a fixed uid, because dashboards and alert rules refer to it by uid.

export function checkDatasources(input: ProvisioningInput): { problems: Problem[]; uids: Set<string> } {
  const problems: Problem[] = [];
  const uids = new Set<string>();
  for (const { file, doc } of input.datasourceFiles) {
    for (const ds of doc?.datasources ?? []) {
      if (!ds.uid) {
        problems.push({ file, message: `datasource "${ds.name}" has no fixed uid; dashboards and rules need one` });
      } else {
        uids.add(ds.uid);
      }
    }
  }
  return { problems, uids };
}

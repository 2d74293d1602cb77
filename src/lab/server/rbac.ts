// The lab's RBAC: everything is allowed except what the scenario's `rbac.deny` lists.
// Denials look like a real apiserver's 403 so netwiz's preflight and degrade paths meet
// the same messages they would in production.
import type { ScenarioRbac } from '../scenario/model.js';

export interface Attributes {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

export function isAllowed(rbac: ScenarioRbac | undefined, a: Attributes): boolean {
  if (!rbac) return true;
  return !rbac.deny.some((d) => {
    const [res, sub] = d.resource.includes('/') ? d.resource.split('/', 2) : [d.resource, d.subresource];
    const verbOk = d.verb === '*' || d.verb === a.verb;
    const resOk = res === '*' || res === a.resource;
    const subOk = (sub ?? '') === (a.subresource ?? '') || sub === '*';
    return verbOk && resOk && subOk;
  });
}

/** `deployments.apps "web" is forbidden: User "netwiz-lab" cannot patch resource "deployments/scale" in API group "apps" in the namespace "shop"` */
export function forbiddenMessage(user: string, a: Attributes): string {
  const qualified = a.group ? `${a.resource}.${a.group}` : a.resource;
  const subject = a.name ? `${qualified} "${a.name}"` : qualified;
  const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const scope = a.namespace ? ` in the namespace "${a.namespace}"` : ' at the cluster scope';
  return `${subject} is forbidden: User "${user}" cannot ${a.verb} resource "${res}" in API group "${a.group}"${scope}`;
}

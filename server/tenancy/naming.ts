/**
 * Names of the cluster-wide objects one registry owns. Everything is prefixed by the registry's database name,
 * so two registries on one server (tests, staging) never touch each other's databases or roles.
 */
export type Naming = ReturnType<typeof namingFor>;

export function namingFor(registryDatabase: string) {
  const prefix = registryDatabase
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 24);
  const short = (tenantId: string) => tenantId.replace(/-/g, '');
  return {
    prefix,
    template: `${prefix}_template`,
    /** Holds table privileges inside tenant databases; each tenant role can still connect to its own database only. */
    tenantGroup: `${prefix}_tenant_rw`,
    database: (tenantId: string) => `${prefix}_t_${short(tenantId)}`,
    role: (tenantId: string) => `${prefix}_r_${short(tenantId)}`,
    /** Names this registry may create: used by cleanup to never drop anything else. */
    owns: (name: string) => name.startsWith(`${prefix}_`),
  };
}

/** Quote an identifier we generated ourselves (never user input) for DDL that cannot take parameters. */
export function ident(name: string): string {
  if (!/^[a-z0-9_]{1,63}$/.test(name)) throw new Error(`refusing unsafe identifier ${JSON.stringify(name)}`);
  return `"${name}"`;
}

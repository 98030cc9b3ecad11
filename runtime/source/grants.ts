/**
 * Reading SHOW GRANTS: which of the privileges CDC needs (SELECT on the tables, REPLICATION SLAVE,
 * REPLICATION CLIENT) an account holds, and the exact GRANT statement that adds the missing ones.
 * Pure functions: the provider's check and the runtime's precheck share them.
 */

export const REQUIRED_GLOBAL = ["REPLICATION SLAVE", "REPLICATION CLIENT"] as const;

interface GrantLine {
  privileges: Set<string>;
  /** "*.*", "db.*" or "db.table", unquoted. */
  scope: string;
}

/** Splits `db`.`table` (quoted parts may contain dots and doubled quotes) into its two names. */
function splitScope(scope: string): [string, string] {
  const parts: string[] = [];
  let i = 0;
  while (i < scope.length) {
    const quote = scope[i];
    if (quote === "`" || quote === "'" || quote === '"') {
      let name = "";
      i++;
      while (i < scope.length) {
        if (scope[i] === quote && scope[i + 1] === quote) {
          name += quote;
          i += 2;
        } else if (scope[i] === quote) {
          i++;
          break;
        } else name += scope[i++];
      }
      parts.push(name);
    } else {
      const end = scope.indexOf(".", i);
      parts.push(scope.slice(i, end < 0 ? scope.length : end));
      i = end < 0 ? scope.length : end;
    }
    if (scope[i] === ".") i++;
  }
  return [parts[0] ?? "", parts[1] ?? "*"];
}

/** Parses one SHOW GRANTS row; role grants and PROXY lines give undefined. */
export function parseGrant(line: string): GrantLine | undefined {
  const m = /^GRANT\s+(.+?)\s+ON\s+(?:(?:TABLE|FUNCTION|PROCEDURE|PACKAGE(?: BODY)?)\s+)?(\S+)\s+TO\s/i.exec(line.trim());
  if (!m || /^PROXY$/i.test(m[1].trim())) return undefined;
  const privileges = new Set<string>();
  // Split on commas outside parentheses (column lists: SELECT (a, b)).
  let depth = 0;
  let current = "";
  for (const ch of m[1]) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      privileges.add(current.trim().toUpperCase());
      current = "";
    } else current += ch;
  }
  privileges.add(current.trim().toUpperCase());
  const [db, table] = splitScope(m[2]);
  return { privileges, scope: `${db}.${table}` };
}

function holds(line: GrantLine, privilege: string): boolean {
  if (line.privileges.has("ALL PRIVILEGES") || line.privileges.has("ALL")) return true;
  if (line.privileges.has(privilege)) return true;
  // MariaDB 10.5+ shows REPLICATION CLIENT as BINLOG MONITOR; SUPER implied both before 10.5.
  if (privilege === "REPLICATION CLIENT") return line.privileges.has("BINLOG MONITOR") || line.privileges.has("SUPER");
  return false;
}

export interface GrantAnalysis {
  /** Missing privileges, in the order of the GRANT statement. */
  missing: string[];
  /** Tables lacking SELECT, when SELECT is not held on *.* or the database. */
  tablesWithoutSelect: string[];
}

export function analyzeGrants(showGrantsRows: string[], database: string, tables: string[]): GrantAnalysis {
  const lines = showGrantsRows.map(parseGrant).filter((l): l is GrantLine => l !== undefined);
  const global = lines.filter((l) => l.scope === "*.*");
  const missing: string[] = [];
  const selectGlobal = global.some((l) => holds(l, "SELECT"));
  const selectDb = lines.some((l) => l.scope === `${database}.*` && holds(l, "SELECT"));
  const tablesWithoutSelect =
    selectGlobal || selectDb ? [] : tables.filter((t) => !lines.some((l) => l.scope === `${database}.${t}` && holds(l, "SELECT")));
  if (tablesWithoutSelect.length > 0) missing.push("SELECT");
  for (const p of REQUIRED_GLOBAL) if (!global.some((l) => holds(l, p))) missing.push(p);
  return { missing, tablesWithoutSelect };
}

/** The statement that grants what is missing, for an account 'user'@'host'. */
export function grantStatement(missing: string[], user: string, host: string): string {
  const quote = (s: string) => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
  return `GRANT ${missing.join(", ")} ON *.* TO ${quote(user)}@${quote(host)};`;
}

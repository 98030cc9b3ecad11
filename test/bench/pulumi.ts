import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ensureTool, repoRoot, runCommand, type CommandResult } from "./process";

let pulumiBinDir: Promise<string> | undefined;
/**
 * The directory holding `pulumi`, `pulumi-language-nodejs` and `pulumi-resource-pulumi-nodejs`:
 * from PATH, or built once from the Go module proxy by scripts/ensure-pulumi.sh.
 */
export function ensurePulumi(): Promise<string> {
  pulumiBinDir ??= process.env.CDC_PULUMI_BIN ? Promise.resolve(process.env.CDC_PULUMI_BIN) : ensureTool("ensure-pulumi.sh");
  return pulumiBinDir;
}

/** A private Pulumi home and file backend in a temporary directory; nothing touches ~/.pulumi. */
export interface PulumiSandbox {
  dir: string;
  backendDir: string;
  env: NodeJS.ProcessEnv;
  /** Runs the CLI non-interactively, with colour off. */
  pulumi(args: string[], options: { cwd: string; timeoutMs?: number; env?: NodeJS.ProcessEnv }): Promise<CommandResult>;
  /**
   * The stack's last deployment as the file backend holds it: what `pulumi stack export` prints
   * as `deployment` (secrets encrypted), read without a CLI run. Throws if the stack has no file.
   */
  deployment(project: string, stack: string): StackDeployment;
  remove(): void;
}

export interface StackDeployment {
  resources?: { urn: string; type: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown> }[];
}

const LAZY_CLOSURE_DEPS = path.join(__dirname, "lazy-closure-deps.js");

export const TEST_PASSPHRASE = "bench-passphrase";

export async function createPulumiSandbox(parentDir?: string): Promise<PulumiSandbox> {
  const binDir = await ensurePulumi();
  const dir = fs.mkdtempSync(path.join(parentDir ?? fs.realpathSync(os.tmpdir()), "pulumi-"));
  const backendDir = path.join(dir, "state");
  fs.mkdirSync(backendDir);
  fs.mkdirSync(path.join(dir, "home"));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${binDir}${path.delimiter}${process.env.PATH ?? ""}`,
    PULUMI_HOME: path.join(dir, "home"),
    PULUMI_BACKEND_URL: `file://${backendDir}`,
    PULUMI_CONFIG_PASSPHRASE: TEST_PASSPHRASE,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_SKIP_CONFIRMATIONS: "true",
    PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
    NO_COLOR: "1",
    // Into the program's and the dynamic provider's node processes (see lazy-closure-deps.ts).
    NODE_OPTIONS: [process.env.NODE_OPTIONS, `--require=${LAZY_CLOSURE_DEPS}`].filter(Boolean).join(" "),
  };
  return {
    dir,
    backendDir,
    env,
    pulumi(args, options) {
      // The global flags first: after a "--" in args (a value that starts with "-") they would be arguments.
      return runCommand(path.join(binDir, "pulumi"), ["--non-interactive", "--color=never", ...args], {
        cwd: options.cwd,
        env: { ...env, ...options.env },
        timeoutMs: options.timeoutMs ?? 10 * 60 * 1000,
      });
    },
    deployment(project, stack) {
      // The file backend's layout: .pulumi/stacks/<project>/<stack>.json = { version, checkpoint: { stack, latest } }.
      const file = path.join(backendDir, ".pulumi", "stacks", project, `${stack}.json`);
      if (!fs.existsSync(file)) throw new Error(`no state file ${file} for stack ${project}/${stack}`);
      const state = JSON.parse(fs.readFileSync(file, "utf8")) as { checkpoint: { latest?: StackDeployment } };
      return state.checkpoint.latest ?? {};
    },
    remove() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Writes a Pulumi project into dir whose program can require this repo's dependencies
 * (its node_modules is a link to the repo's).
 */
export function writeProject(dir: string, options: { name: string; program: string; description?: string }): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, "Pulumi.yaml"),
    [
      `name: ${options.name}`,
      // The program is JavaScript: by default the language host loads TypeScript and ts-node for
      // it anyway (see lazy-closure-deps.ts for why that load matters here).
      "runtime:",
      "  name: nodejs",
      "  options:",
      "    typescript: false",
      `description: ${options.description ?? options.name}`,
      "main: index.js",
      "",
    ].join("\n"),
  );
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: options.name, private: true, main: "index.js" }));
  fs.writeFileSync(path.join(dir, "index.js"), options.program);
  const modules = path.join(dir, "node_modules");
  if (!fs.existsSync(modules)) fs.symlinkSync(path.join(repoRoot, "node_modules"), modules, "dir");
}

/** The runtime's HTTP endpoints: GET /healthz (liveness and readiness) and GET /metrics (Prometheus). */
import http from "node:http";
import type { ConnectorMetrics } from "./metrics";
import { renderPrometheus } from "./metrics";

export interface HealthSource {
  started: boolean;
  connectors(): { name: string; state: string; metrics: ConnectorMetrics }[];
}

export function startHttpServer(port: number, host: string, source: HealthSource): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET") {
      res.writeHead(405, { allow: "GET" }).end();
      return;
    }
    if (path === "/healthz") {
      const connectors = Object.fromEntries(source.connectors().map((c) => [c.name, c.state]));
      const body = JSON.stringify({ status: source.started ? "ok" : "starting", connectors });
      res.writeHead(source.started ? 200 : 503, { "content-type": "application/json" }).end(body);
      return;
    }
    if (path === "/metrics") {
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" }).end(renderPrometheus(source.connectors().map((c) => c.metrics)));
      return;
    }
    res.writeHead(404, { "content-type": "text/plain" }).end("not found: try /healthz or /metrics\n");
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve(server));
  });
}

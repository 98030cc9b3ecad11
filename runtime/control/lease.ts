/**
 * Leases: which worker runs a connector when several serve one resource group (Kubernetes
 * replicas, or any number of local processes).
 *
 * Every worker joins the Kafka consumer group `connect-<connector>` on the group's leases topic
 * (one partition). The member assigned that partition holds the lease and runs the connector; the
 * others stand by. A worker that stops leaves the group and hands the lease over at once; one that
 * dies loses it when its session times out (CDC_LEASE_SESSION_MS, 10 s by default), and another
 * member takes over from the last committed offset. A holder that stalls and comes back after
 * losing the lease cannot commit: the new holder's transactional producer has fenced it. It stops
 * the connector when its rejoin shows it no longer holds the lease.
 *
 * A lease is valid while the group confirms it (a join or heartbeat within the session timeout).
 * The connector's runner starts or restarts only under a valid lease: a worker back from a stall
 * waits until its rejoin has settled who holds the lease instead of fencing the new holder.
 *
 * Assignment (by the group leader, at every rebalance): the member at index (rank of the connector
 * among the resource group's connectors) mod (members, ordered by worker id), so n connectors on n
 * workers land one on each whatever order the workers started in. Not sticky: a rejoining worker
 * may get a lease back, which is safe (the holder it replaces stops, and the producer epochs keep
 * the two apart) and keeps the spread deterministic.
 */
import { AssignerProtocol, type Consumer, type Kafka, type PartitionAssigner } from "kafkajs";
import { connectorConsumerGroup } from "../contract/names";
import { classifyKafkaError } from "../errors";
import type { Logger } from "../log";
import { backoffMs, sleep } from "../retry";

export const DEFAULT_LEASE_SESSION_MS = 10_000;
const ASSIGNER = "cdc-lease";

/** The lease's consumer group: the contract's `connect-<connector>`. */
export const leaseGroupId = connectorConsumerGroup;

interface Member {
  memberId: string;
  workerId: string;
}

/** The member that gets the lease: index rank mod members, ordered by worker id (then member id). */
export function chooseHolder<M extends Member>(members: M[], rank: number): M | undefined {
  if (members.length === 0) return undefined;
  const ordered = [...members].sort((a, b) => (a.workerId === b.workerId ? cmp(a.memberId, b.memberId) : cmp(a.workerId, b.workerId)));
  return ordered[((rank % ordered.length) + ordered.length) % ordered.length];
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** What a member tells the leader when it joins (the assignment's userData), as JSON. */
interface MemberInfo {
  worker: string;
  /** The connector's rank among the resource group's connectors, as this member sees it. */
  rank: number;
}

function memberInfo(userData: Buffer | undefined): MemberInfo {
  try {
    const info = JSON.parse(userData?.toString("utf8") ?? "") as Partial<MemberInfo>;
    const count = (v: unknown, fallback: number) => (typeof v === "number" && Number.isFinite(v) ? v : fallback);
    return { worker: typeof info.worker === "string" ? info.worker : "", rank: count(info.rank, 0) };
  } catch {
    return { worker: "", rank: 0 };
  }
}


/**
 * kafkajs assigner: for each leases topic, partition 0 to the chosen member among those
 * subscribed to it, nothing to the others. Per topic, because connectors of the same name in two
 * resource groups share the consumer group connect-<name> while following different leases topics.
 */
export function leaseAssigner(workerId: string, rank: () => number): PartitionAssigner {
  return () => ({
    name: ASSIGNER,
    version: 1,
    protocol: ({ topics }) => ({
      name: ASSIGNER,
      metadata: AssignerProtocol.MemberMetadata.encode({
        version: 1,
        topics,
        userData: Buffer.from(
          JSON.stringify({ worker: workerId, rank: rank() } satisfies MemberInfo),
        ),
      }),
    }),
    assign: async ({ members }) => {
      // Every member's topics: kafkajs passes only the leader's own subscription.
      const decoded = members.map((m) => {
        const metadata = AssignerProtocol.MemberMetadata.decode(m.memberMetadata);
        const info = memberInfo(metadata?.userData);
        return { memberId: m.memberId, workerId: info.worker, rank: info.rank, topics: metadata?.topics ?? [] };
      });
      const assignment = new Map<string, Record<string, number[]>>(decoded.map((m) => [m.memberId, {}]));
      for (const topic of new Set(decoded.flatMap((m) => m.topics))) {
        const candidates = decoded.filter((m) => m.topics.includes(topic));
        const holder = chooseHolder(candidates, candidates[0]?.rank ?? 0);
        if (holder) (assignment.get(holder.memberId) as Record<string, number[]>)[topic] = [0];
      }
      return decoded.map((m) => ({
        memberId: m.memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 1, assignment: assignment.get(m.memberId) ?? {}, userData: Buffer.alloc(0) }),
      }));
    },
  });
}

export interface LeaseOptions {
  kafka: Kafka;
  connector: string;
  leasesTopic: string;
  workerId: string;
  sessionTimeoutMs: number;
  /** The connector's rank among the group's connectors (asked at each assignment). */
  rank: () => number;
  logger: Logger;
}

export interface LeaseHandlers {
  acquired(): void;
  lost(): void;
}

export class ConnectorLease {
  private consumer: Consumer | undefined;
  private stopped = false;
  private running: Promise<void> | undefined;
  /** When the group last confirmed this member (join or heartbeat), ms. */
  private confirmedAt = 0;
  held = false;

  constructor(private readonly options: LeaseOptions, private readonly handlers: LeaseHandlers) {}

  /** Joins the lease's group (retrying with backoff until stop()); holding it is reported through the handlers. */
  start(): void {
    this.running ??= this.run();
  }

  private async run(): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        await this.join();
        return;
      } catch (error) {
        const failure = classifyKafkaError(error, `joining the lease group of connector ${this.options.connector}`);
        this.options.logger.warn("cannot join the lease group: retrying", { code: failure.code, reason: failure.reason });
        await this.consumer?.disconnect().catch(() => undefined);
        this.consumer = undefined;
        await sleep(backoffMs(attempt));
      }
    }
  }

  private async join(): Promise<void> {
    const { kafka, connector, leasesTopic, workerId, sessionTimeoutMs, rank, logger } = this.options;
    const consumer = kafka.consumer({
      groupId: leaseGroupId(connector),
      sessionTimeout: sessionTimeoutMs,
      rebalanceTimeout: sessionTimeoutMs,
      heartbeatInterval: Math.max(100, Math.floor(sessionTimeoutMs / 10)),
      partitionAssigners: [leaseAssigner(workerId, rank)],
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 1_000,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      this.confirmedAt = Date.now();
      this.assigned((event.payload.memberAssignment[leasesTopic] ?? []).includes(0));
    });
    consumer.on(consumer.events.HEARTBEAT, () => (this.confirmedAt = Date.now()));
    consumer.on(consumer.events.CRASH, (event) => {
      // kafkajs rejoins by itself after a retriable crash; until it does, this worker holds nothing.
      this.assigned(false);
      if (!event.payload.restart && !this.stopped) {
        logger.warn("the lease consumer stopped: joining again", { error: event.payload.error });
        this.consumer = undefined;
        this.running = undefined;
        void consumer.disconnect().catch(() => undefined).then(() => this.start());
      }
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [leasesTopic], fromBeginning: false });
    await consumer.run({ autoCommit: false, eachMessage: async () => undefined });
    if (this.stopped) await consumer.disconnect().catch(() => undefined);
  }

  /** Held and confirmed by the group within the session timeout. */
  valid(now = Date.now()): boolean {
    return this.held && now - this.confirmedAt < this.options.sessionTimeoutMs;
  }

  private assigned(holds: boolean): void {
    if (this.stopped || holds === this.held) return;
    this.held = holds;
    this.options.logger.info(holds ? "lease acquired: running the connector here" : "lease lost: another worker runs the connector", { connector: this.options.connector });
    if (holds) this.handlers.acquired();
    else this.handlers.lost();
  }

  /** Leaves the group (hands the lease over at once). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.held = false;
    await this.consumer?.disconnect().catch(() => undefined);
    await this.running?.catch(() => undefined);
    await this.consumer?.disconnect().catch(() => undefined);
  }
}

// The e2e lifecycle (./lifecycle-suite.ts) on the bench's MariaDB.
import { lifecycleSuite } from "./lifecycle-suite";

lifecycleSuite("mariadb");

// The e2e lifecycle (./lifecycle-suite.ts) on the bench's MySQL 8.0, the product's target.
import { lifecycleSuite } from "./lifecycle-suite";

lifecycleSuite("mysql");

/** Hand-written table shapes shared by the format unit tests. */
import { T, type RawColumn } from "../../../runtime/format/columns";
import { buildTableShape, type TableShape } from "../../../runtime/format/table";

/** A column as zongji's table map would describe it (binary unless a charset is given). */
export function raw(name: string, typeCode: number, columnType: string, options: Partial<RawColumn> = {}): RawColumn {
  return { name, typeCode, columnType, unsigned: false, charset: null, metadata: null, ...options };
}

/** shop.orders(id PK, item, qty, price DECIMAL(10,2), created DATETIME(6)), read at `offsetMinutes`. */
export function ordersShape(offsetMinutes: number): TableShape {
  return buildTableShape(
    "shop",
    "orders",
    [
      raw("id", T.LONG, "int(11)"),
      raw("item", T.VARCHAR, "varchar(40)", { charset: "utf8mb4" }),
      raw("qty", T.LONG, "int(11)"),
      raw("price", T.NEWDECIMAL, "decimal(10,2)"),
      raw("created", T.DATETIME2, "datetime(6)"),
    ],
    [0],
    offsetMinutes,
  );
}
